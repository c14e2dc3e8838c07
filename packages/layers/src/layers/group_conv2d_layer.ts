import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { GroupConvError } from '../errors.js';
import type { FusedActivation } from '../kernels/kernel_names.js';
import { fusedGroupConv2d } from '../ops/group_conv2d.js';
import {
  opPadding,
  outputLength,
  validateGroupConv2DArgs,
  type GroupConv2DLayerArgs,
  type GroupConv2DLayerPadding,
} from './group_conv2d_layer_args.js';
import {
  getActivation,
  getConstraint,
  getInitializer,
  getRegularizer,
  serializeObject,
  type ActivationFn,
  type Constraint,
  type Initializer,
  type Regularizer,
} from './serializable_args.js';

type Kwargs = Parameters<tfl.layers.Layer['call']>[1];

/**
 * 2-D grouped convolution layer (NHWC), the grouped counterpart of `tf.layers.conv2d`: the input
 * channels are split into `groups` groups, each convolved with its own `filters / groups`
 * filters. Kernel shape `[kh, kw, inChannels / groups, filters]`, as Keras' `Conv2D(groups=…)`.
 *
 * Runs the {@link fusedGroupConv2d} op, with the bias and a 'relu' or 'linear' activation fused.
 * Serializable: `model.save()` / `tf.loadLayersModel()` find it by its class name once this
 * module is imported.
 */
export class GroupConv2D extends tfl.layers.Layer {
  /** The name under which the layer is serialized. */
  static readonly className: string = 'GroupConv2D';

  readonly filters: number;
  readonly groups: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly dilationRate: [number, number];
  readonly padding: GroupConv2DLayerPadding;
  readonly useBias: boolean;
  readonly activation: ActivationFn;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  kernel: tfl.LayerVariable | null = null;
  bias: tfl.LayerVariable | null = null;

  constructor(args: GroupConv2DLayerArgs) {
    super(args);
    const geometry = validateGroupConv2DArgs(this.name, args);
    this.filters = geometry.filters;
    this.groups = geometry.groups;
    this.kernelSize = geometry.kernelSize;
    this.strides = geometry.strides;
    this.dilationRate = geometry.dilationRate;
    this.padding = geometry.padding;
    this.useBias = args.useBias ?? true;
    this.activation = getActivation(args.activation);
    this.kernelInitializer = getInitializer(args.kernelInitializer, 'glorotUniform');
    this.biasInitializer = getInitializer(args.biasInitializer, 'zeros');
    this.kernelRegularizer = getRegularizer(args.kernelRegularizer);
    this.biasRegularizer = getRegularizer(args.biasRegularizer);
    this.kernelConstraint = getConstraint(args.kernelConstraint);
    this.biasConstraint = getConstraint(args.biasConstraint);
    const activityRegularizer = getRegularizer(args.activityRegularizer);
    if (activityRegularizer !== null) this.activityRegularizer = activityRegularizer;
  }

  /** The activation the op fuses, or null when it has to run after the convolution. */
  private get fusedActivation(): FusedActivation | null {
    const name = this.activation.getClassName();
    return name === 'relu' || name === 'linear' ? name : null;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = oneShape(inputShape);
    if (shape.length !== 4) {
      throw new GroupConvError(
        `GroupConv2D '${this.name}': input must be rank 4 [batch, height, width, channels], got shape ${JSON.stringify(shape)}.`,
      );
    }
    const channels = shape[3];
    if (channels === null || channels === undefined) {
      throw new GroupConvError(`GroupConv2D '${this.name}': the input's channel dimension must be known, got ${JSON.stringify(shape)}.`);
    }
    if (channels % this.groups !== 0) {
      throw new GroupConvError(
        `GroupConv2D '${this.name}': input channels (${channels}) must be divisible by groups (${this.groups}).`,
      );
    }
    const kernelShape = [...this.kernelSize, channels / this.groups, this.filters];
    this.kernel = this.addWeight(
      'kernel',
      kernelShape,
      'float32',
      this.kernelInitializer,
      this.kernelRegularizer ?? undefined,
      true,
      this.kernelConstraint ?? undefined,
    );
    if (this.useBias) {
      this.bias = this.addWeight(
        'bias',
        [this.filters],
        'float32',
        this.biasInitializer,
        this.biasRegularizer ?? undefined,
        true,
        this.biasConstraint ?? undefined,
      );
    }
    this.inputSpec = [{ ndim: 4, axes: { [3]: channels } }];
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => this.convolve(oneTensor(inputs) as tf.Tensor4D));
  }

  /** activation(conv(x) + bias (+ residual)) with this layer's weights: the fused op, then any activation it cannot fuse. */
  protected convolve(x: tf.Tensor4D, residual?: tf.Tensor4D): tf.Tensor {
    const fused = this.fusedActivation;
    const y = fusedGroupConv2d<tf.Tensor4D>({
      x,
      filter: this.kernel!.read() as tf.Tensor4D,
      bias: this.bias === null ? undefined : (this.bias.read() as tf.Tensor1D),
      ...(residual !== undefined && { residual }),
      strides: this.strides,
      pad: opPadding(this.padding),
      groups: this.groups,
      dilations: this.dilationRate,
      activation: fused ?? 'linear',
    });
    return fused === null ? this.activation.apply(y) : y;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = oneShape(inputShape);
    const spatial = [0, 1].map((axis) =>
      outputLength(
        shape[axis + 1] ?? null,
        this.kernelSize[axis]!,
        this.strides[axis]!,
        this.dilationRate[axis]!,
        this.padding,
        axis as 0 | 1,
      ),
    );
    return [shape[0] ?? null, ...spatial, this.filters];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      filters: this.filters,
      kernelSize: this.kernelSize,
      groups: this.groups,
      strides: this.strides,
      padding: this.padding,
      dataFormat: 'channelsLast',
      dilationRate: this.dilationRate,
      activation: this.activation.getClassName(),
      useBias: this.useBias,
      kernelInitializer: serializeObject(this.kernelInitializer),
      biasInitializer: serializeObject(this.biasInitializer),
      kernelRegularizer: serializeObject(this.kernelRegularizer),
      biasRegularizer: serializeObject(this.biasRegularizer),
      activityRegularizer: serializeObject(this.activityRegularizer ?? null),
      kernelConstraint: serializeObject(this.kernelConstraint),
      biasConstraint: serializeObject(this.biasConstraint),
      ...super.getConfig(),
    };
  }
}
tf.serialization.registerClass(GroupConv2D);

function oneShape(shape: tfl.Shape | tfl.Shape[]): tfl.Shape {
  if (Array.isArray(shape[0])) {
    if (shape.length !== 1) throw new GroupConvError(`GroupConv2D expects one input, got ${shape.length}.`);
    return shape[0];
  }
  return shape as tfl.Shape;
}

function oneTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (!Array.isArray(inputs)) return inputs;
  if (inputs.length !== 1) throw new GroupConvError(`GroupConv2D expects one input, got ${inputs.length}.`);
  return inputs[0]!;
}

/**
 * Creates a {@link GroupConv2D} layer: `tf.layers.conv2d` with `groups`. (Named `…Layer`
 * because `groupConv2d` is the op.)
 *
 * @example
 * ```ts
 * const y = groupConv2dLayer({ filters: 128, kernelSize: 3, groups: 32, padding: [[1, 1], [1, 1]] }).apply(x);
 * ```
 */
export function groupConv2dLayer(args: GroupConv2DLayerArgs): GroupConv2D {
  return new GroupConv2D(args);
}
