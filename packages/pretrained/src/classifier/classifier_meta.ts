/**
 * What a classifier reports about the weights it runs. For the registry's weights that is their
 * record; for a checkpoint passed with `load({ weights })` it must not be the record's published
 * accuracy, license and sources, which describe other weights.
 */
import { findMismatch, sha256Hex } from '../download/integrity.js';
import type { WeightsRecord, WeightsSource } from '../registry/weights_record.js';

/** Shortest published digest prefix trusted to identify a file (torchvision's file names carry 8). */
const MIN_PREFIX_DIGITS = 8;

/** Where weights given with `load({ weights })` came from. */
export interface CustomWeightsInfo {
  /** The file path or URL given, or `'bytes'` when the checkpoint was passed as bytes. */
  readonly source: string;
  readonly format: WeightsSource['format'];
  /** Id of the record that gave the architecture, preprocessing and labels. */
  readonly record: string;
}

/**
 * A classifier's `meta`: the weights' record. For weights given with `weights` and a registry
 * record, it keeps the record's architecture, preprocessing and classes, and reports the given
 * checkpoint instead of the record's sources, with no `metrics`, `license` or `nonCommercial`
 * (nothing is known of them) and `customWeights` set.
 */
export interface ClassifierMeta extends Omit<WeightsRecord, 'metrics' | 'license' | 'nonCommercial'> {
  /** Published ImageNet-1k (or Fashion-MNIST) accuracy of these weights; absent for custom weights. */
  readonly metrics?: WeightsRecord['metrics'];
  /** The weights' license; absent for custom weights. */
  readonly license?: string;
  /** True for licenses that forbid commercial use; absent for custom weights. */
  readonly nonCommercial?: boolean;
  /** Set when `load({ weights })` replaced the record's checkpoint. */
  readonly customWeights?: CustomWeightsInfo;
}

/**
 * The meta of a classifier built from a checkpoint given with `weights`.
 *
 * @param record - the record used for architecture, preprocessing and labels.
 * @param custom - the checkpoint actually loaded.
 * @param ownRecord - true when the caller passed `record` (their own description of their weights,
 *   reported as given); false for a registry record, whose claims belong to other weights.
 */
export function customWeightsMeta(record: WeightsRecord, custom: CustomWeightsInfo, ownRecord: boolean): ClassifierMeta {
  const sources: WeightsSource[] = custom.source === 'bytes' ? [] : [{ url: custom.source, format: custom.format }];
  if (ownRecord) return { ...record, sources, customWeights: custom };
  return {
    id: `${record.arch}.custom`,
    arch: record.arch,
    tag: 'custom',
    sources,
    origin: `custom weights from ${custom.source}, loaded with the architecture, preprocessing and labels of ${record.id}`,
    preprocessing: record.preprocessing,
    classes: record.classes,
    customWeights: custom,
  };
}

/**
 * Whether `bytes` are one of the record's published files: size (when published) and a full
 * sha256, or a digest prefix of at least 8 hex digits, match. Sources without a digest never match.
 */
export async function isRecordsOwnFile(record: WeightsRecord, bytes: Uint8Array): Promise<boolean> {
  // A published size that differs settles it without hashing the whole file.
  const checkable = record.sources.filter(
    (s) => (s.sha256 !== undefined || (s.sha256Prefix?.length ?? 0) >= MIN_PREFIX_DIGITS) && (s.bytes === undefined || s.bytes === bytes.byteLength),
  );
  if (checkable.length === 0) return false;
  const observed = { size: bytes.byteLength, sha256: await sha256Hex(bytes) };
  return checkable.some((source) => findMismatch(observed, source) === undefined);
}
