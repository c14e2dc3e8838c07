/**
 * Turns the initializer / regularizer / constraint / activation arguments of a layer into objects
 * and back into config, as tfjs-layers' own layers do, using only tfjs' public API (its
 * `getInitializer`-style helpers are not exported).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { GroupConvError } from '../errors.js';

/** A weight initializer, as `tf.initializers.*` return it. */
export type Initializer = ReturnType<typeof tfl.initializers.glorotUniform>;
/** A weight regularizer, as `tf.regularizers.*` return it. */
export type Regularizer = ReturnType<typeof tfl.regularizers.l1l2>;
/** A weight constraint, as `tf.constraints.*` return it. */
export type Constraint = ReturnType<typeof tfl.constraints.maxNorm>;
/** An activation function object (tfjs-layers' `Activation`), applied with `apply(x)`. */
export interface ActivationFn extends tf.serialization.Serializable {
  apply(x: tf.Tensor, axis?: number): tf.Tensor;
}

type ConvArgs = Parameters<typeof tfl.layers.conv2d>[0];
/** What a layer argument may be: an identifier ('glorotUniform'), an instance, or its serialized config. */
export type InitializerArg = ConvArgs['kernelInitializer'] | tf.serialization.ConfigDict;
/** @see {@link InitializerArg} */
export type RegularizerArg = ConvArgs['kernelRegularizer'] | tf.serialization.ConfigDict;
/** @see {@link InitializerArg} */
export type ConstraintArg = ConvArgs['kernelConstraint'] | tf.serialization.ConfigDict;
/** An activation identifier such as 'relu' or 'gelu'. */
export type ActivationArg = NonNullable<ConvArgs['activation']>;

type Kind = 'initializer' | 'regularizer' | 'constraint' | 'activation';

/** `{className, config}` as tfjs serializes a Serializable (its `serializeKerasObject`). */
export function serializeObject(value: tf.serialization.Serializable | null): tf.serialization.ConfigDict | null {
  return value === null ? null : { className: value.getClassName(), config: value.getConfig() };
}

function fromClassName<T>(kind: Kind, className: string, config: tf.serialization.ConfigDict): T {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (entry === undefined) {
    throw new GroupConvError(`Unknown ${kind} '${className}': no class of that name is registered with tf.serialization.`);
  }
  const [cls, fromConfig] = entry;
  return fromConfig(cls, config) as T;
}

/**
 * Resolves an identifier, instance or `{className, config}` to an instance. Identifiers go
 * through the public factories (`tf.initializers.heNormal`, `tf.regularizers.l1l2`, …) whose
 * names are tfjs' identifiers; anything else is looked up as a registered class name.
 */
function resolve<T>(kind: Kind, value: unknown, factories: object): T | null {
  if (value === null || value === undefined) return null;
  if (value instanceof tf.serialization.Serializable) return value as T;
  if (typeof value === 'string') {
    const factory = (factories as Record<string, unknown>)[value];
    if (typeof factory === 'function') return (factory as (args: object) => T)({});
    return fromClassName<T>(kind, value, {});
  }
  if (typeof value === 'object' && typeof (value as { className?: unknown }).className === 'string') {
    const { className, config } = value as { className: string; config?: tf.serialization.ConfigDict };
    return fromClassName<T>(kind, className, config ?? {});
  }
  throw new GroupConvError(`Invalid ${kind}: expected an identifier, an instance or {className, config}, got ${JSON.stringify(value)}.`);
}

/** The initializer named or described by `value`, or `fallback` when it is absent. */
export function getInitializer(value: InitializerArg, fallback: string): Initializer {
  return resolve<Initializer>('initializer', value ?? fallback, tfl.initializers)!;
}

/** The regularizer named or described by `value`, or null. */
export function getRegularizer(value: RegularizerArg): Regularizer | null {
  return resolve<Regularizer>('regularizer', value, tfl.regularizers);
}

/** The constraint named or described by `value`, or null. */
export function getConstraint(value: ConstraintArg): Constraint | null {
  return resolve<Constraint>('constraint', value, tfl.constraints);
}

/** The activation named by `value` ('linear' when absent). Activation class names are their identifiers. */
export function getActivation(value: ActivationArg | undefined): ActivationFn {
  return fromClassName<ActivationFn>('activation', value ?? 'linear', {});
}
