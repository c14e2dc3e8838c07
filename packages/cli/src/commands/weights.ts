import { getWeights, listWeights, weightsCacheDir, weightsCacheStatus, type CachedSourceStatus, type WeightsRecord } from '@resnext/pretrained';
import { parseCommandArgs } from '../args/parse_options.js';
import { UsageError } from '../errors/usage_error.js';
import { formatTable } from './models.js';

/** The options of `resnext weights`. */
export const WEIGHTS_OPTIONS = {
  json: { type: 'boolean', default: false },
  'cache-dir': { type: 'string' },
} as const;

/** One set of pretrained weights, as `resnext weights --json` prints it. */
export interface WeightsRow {
  /** `arch.tag`, what `classify --model` takes. */
  id: string;
  arch: string;
  tag: string;
  /** Whether `--model <arch>` alone selects these weights. */
  default: boolean;
  /** The label set: `imagenet-1k` or `fashion-mnist`. */
  dataset: string;
  /** Published top-1 accuracy on the dataset's validation/test set, percent. */
  top1: number;
  top5: number | null;
  license: string;
  nonCommercial: boolean;
  /** File size in bytes: from the record, else of the cached file; null when unknown. */
  bytes: number | null;
  /** True when loading needs no download (a cache entry exists, or the file ships in the package). */
  cached: boolean;
  /** `cached`, `partial` (an interrupted download, resumed next time), `missing` or `bundled`. */
  state: CachedSourceStatus['state'];
  /** The file loaded (cached or bundled), else where the first source would be cached. */
  path: string;
}

/** Parsed `resnext weights` arguments. */
export interface WeightsArgs {
  filter?: string;
  json: boolean;
  cacheDir?: string;
}

/** Parses `weights [filter] [--json] [--cache-dir dir]`. @throws UsageError for a bad command line. */
export function parseWeightsArgs(argv: readonly string[]): WeightsArgs {
  const { values, positionals } = parseCommandArgs('weights', { args: [...argv], options: WEIGHTS_OPTIONS, allowPositionals: true });
  if (positionals.length > 1) throw new UsageError(`weights takes one filter, got ${positionals.length}: ${positionals.join(' ')}`, 'weights');
  return {
    ...(positionals[0] !== undefined && { filter: positionals[0] }),
    json: values.json,
    ...(values['cache-dir'] !== undefined && { cacheDir: values['cache-dir'] }),
  };
}

const isDefault = (record: WeightsRecord): boolean => getWeights(record.arch).id === record.id;

/** The state that counts for a record: the source a load would use, else the most advanced one. */
function pick(sources: readonly CachedSourceStatus[]): CachedSourceStatus {
  return sources.find((s) => s.state === 'cached' || s.state === 'bundled') ?? sources.find((s) => s.state === 'partial') ?? sources[0]!;
}

/**
 * The built-in weights whose id contains `filter` (case-insensitive), in registry order, with
 * whether each is in the cache (`cacheDir`, else RESNEXT_CACHE_DIR, else ~/.cache/resnext).
 */
export async function weightsRows(filter?: string, cacheDir?: string): Promise<{ rows: WeightsRow[]; cacheDir: string }> {
  const ids = listWeights().filter((id) => filter === undefined || id.toLowerCase().includes(filter.toLowerCase()));
  const rows: WeightsRow[] = [];
  const dir = await weightsCacheDir(cacheDir);
  for (const id of ids) {
    const record = getWeights(id);
    const status = await weightsCacheStatus(record, { cacheDir: dir });
    const found = pick(status.sources);
    const knownBytes = record.sources.find((s) => s.url === found.url)?.bytes ?? record.sources.find((s) => s.bytes !== undefined)?.bytes;
    rows.push({
      id,
      arch: record.arch,
      tag: record.tag,
      default: isDefault(record),
      dataset: record.classes.labels,
      top1: record.metrics.top1,
      top5: record.metrics.top5 ?? null,
      license: record.license,
      nonCommercial: record.nonCommercial,
      bytes: knownBytes ?? (found.state === 'cached' || found.state === 'bundled' ? (found.bytes ?? null) : null),
      cached: found.state === 'cached' || found.state === 'bundled',
      state: found.state,
      path: found.path,
    });
  }
  return { rows, cacheDir: dir };
}

/** A byte count as `95.8 MB` / `645.2 KB`; `-` when unknown. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '-';
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}

const CACHED_WORDS: Record<WeightsRow['state'], string> = { cached: 'yes', bundled: 'bundled', partial: 'partial', missing: 'no' };

/** The rows as an aligned table, with a note on the default marker and the cache directory. */
export function formatWeightsTable(rows: readonly WeightsRow[], cacheDir: string, filter?: string): string {
  if (rows.length === 0) return `(no weights match '${filter ?? ''}'; 'resnext weights' lists them all)`;
  const table = formatTable(
    rows.map((r) => ({
      weights: `${r.id}${r.default ? ' *' : ''}`,
      dataset: r.dataset,
      top1: r.top1.toFixed(2),
      top5: r.top5 === null ? '-' : r.top5.toFixed(2),
      license: r.license,
      size: formatBytes(r.bytes),
      cached: CACHED_WORDS[r.state],
    })),
  );
  return `${table}\n\n* the default for its architecture (--model <arch>)\ncache: ${cacheDir} (change with --cache-dir or RESNEXT_CACHE_DIR)`;
}

/** Runs `resnext weights`. @throws UsageError for a bad command line. */
export async function weightsCommand(argv: readonly string[]): Promise<string> {
  const args = parseWeightsArgs(argv);
  const { rows, cacheDir } = await weightsRows(args.filter, args.cacheDir);
  return args.json ? JSON.stringify(rows, null, 2) : formatWeightsTable(rows, cacheDir, args.filter);
}
