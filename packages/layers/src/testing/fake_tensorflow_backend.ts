/**
 * Test double for tfjs-node's 'tensorflow' backend, which cannot be installed here. It is the cpu
 * backend plus `executeSingleOutput`, which interprets TensorFlow op names and attributes on its
 * own (float64 naive loops, TensorFlow's padding rules) — so a test checks that our tensorflow
 * kernels send TensorFlow exactly the ops, inputs and attributes that give the right answer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeBackend, NativeOpAttr } from '../kernels/tensorflow/native_backend.js';
import { naiveGroupConv, type NaiveConvCase } from './naive_group_conv.js';

const BINDING = { TF_ATTR_INT: 1, TF_ATTR_STRING: 2, TF_ATTR_BOOL: 3, TF_ATTR_TYPE: 4, TF_FLOAT: 5 };

export class FakeTensorflowBackend extends MathBackendCPU implements NativeBackend {
  binding = BINDING;
  /** Ops executed, in order, for assertions. */
  readonly calls: string[] = [];
  constructor(public isUsingGpuDevice: boolean) {
    super();
  }

  executeSingleOutput(name: string, opAttrs: NativeOpAttr[], inputs: tf.TensorInfo[]): tf.Tensor {
    this.calls.push(name);
    const values = (t: tf.TensorInfo) => Array.from(this.readSync(t.dataId) as Float32Array);
    const out = (v: ArrayLike<number>, shape: number[]) =>
      tf.engine().makeTensorFromDataId(this.write(Float32Array.from(v), shape, 'float32'), shape, 'float32', this);
    switch (name) {
      case 'Conv2D': {
        const [x, f] = inputs as [tf.TensorInfo, tf.TensorInfo];
        const c = this.convCase(x.shape, f.shape, opAttrs);
        const { y, shape } = naiveGroupConv(values(x), values(f), c);
        return out(y, shape);
      }
      case 'BiasAdd': {
        const [x, b] = inputs as [tf.TensorInfo, tf.TensorInfo];
        const bv = values(b);
        return out(values(x).map((v, i) => v + bv[i % bv.length]!), x.shape);
      }
      case 'Relu': {
        const [x] = inputs as [tf.TensorInfo];
        return out(values(x).map((v) => Math.max(0, v)), x.shape);
      }
      case 'Conv2DBackpropInput':
      case 'Conv2DBackpropFilter': {
        // Adjoint of the forward loop: dx or dw = Σ dy · (the other operand), via the naive
        // convolution's linearity (one basis vector at a time would be slow; small tests only).
        const isInput = name === 'Conv2DBackpropInput';
        // TensorFlow's signatures: Conv2DBackpropInput(input_sizes, filter, out_backprop),
        // Conv2DBackpropFilter(input, filter_sizes, out_backprop).
        const [a, b, dy] = inputs as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];
        const [sizes, first] = isInput ? [a, b] : [b, a];
        const shape = Array.from(this.readSync(sizes.dataId) as Int32Array);
        const xShape = isInput ? shape : first.shape;
        const fShape = isInput ? first.shape : shape;
        const c = this.convCase(xShape, fShape, opAttrs);
        if (!this.isUsingGpuDevice && c.groups > 1) {
          // TensorFlow's CPU backprop kernels reject grouped filters; so does this fake.
          throw new Error(`fake TF (CPU): ${name} does not support grouped filters`);
        }
        const dyv = values(dy);
        const fixed = values(first);
        const n = shape.reduce((a, b) => a * b, 1);
        const grad = new Float64Array(n);
        const basis = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          basis[i] = 1;
          const { y } = isInput ? naiveGroupConv(basis, fixed, c) : naiveGroupConv(fixed, basis, c);
          grad[i] = y.reduce((s, v, k) => s + v * dyv[k]!, 0);
          basis[i] = 0;
        }
        return out(grad, shape);
      }
      default:
        throw new Error(`FakeTensorflowBackend: op ${name} not emulated`);
    }
  }

  /** Reads TensorFlow's conv attributes the way TensorFlow does (groups = in depth ÷ filter depth). */
  private convCase(xShape: number[], fShape: number[], opAttrs: NativeOpAttr[]): NaiveConvCase {
    const attr = (n: string) => opAttrs.find((a) => a.name === n)?.value;
    const strides = attr('strides') as number[];
    const dilations = attr('dilations') as number[];
    const padding = attr('padding') as string;
    if (attr('data_format') !== 'NHWC') throw new Error('fake TF: only NHWC');
    const explicit = attr('explicit_paddings') as number[] | undefined;
    const pad: NaiveConvCase['pad'] =
      padding === 'SAME'
        ? 'same'
        : padding === 'VALID'
          ? 'valid'
          : [[0, 0], [explicit![2]!, explicit![3]!], [explicit![4]!, explicit![5]!], [0, 0]];
    const groups = xShape[3]! / fShape[2]!;
    return {
      xShape: xShape as NaiveConvCase['xShape'],
      filterShape: fShape as NaiveConvCase['filterShape'],
      strides: [strides[1]!, strides[2]!],
      dilations: [dilations[1]!, dilations[2]!],
      pad,
      groups,
    };
  }
}

/**
 * Registers a fake 'tensorflow' backend with every cpu kernel under the 'tensorflow' name (as
 * tfjs-node registers TensorFlow's), so our 'tensorflow' kernels and the core ops around them run.
 */
export function registerFakeTensorflowBackend(gpu: boolean): FakeTensorflowBackend {
  const name = 'tensorflow';
  const backend = new FakeTensorflowBackend(gpu);
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (tf.getKernel(k.kernelName, name) === undefined) tf.registerKernel({ ...k, backendName: name });
  }
  tf.registerBackend(name, () => backend, 0);
  return backend;
}
