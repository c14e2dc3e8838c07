import { getModelConfig, listModels } from '@resnext/models';
import { parseCommandArgs } from '../args/parse_options.js';
import { UsageError } from '../errors/usage_error.js';

/** One row of the model zoo table. */
export interface ModelRow {
  name: string;
  block: string;
  stages: string;
  groups: number;
  width: number;
  input: number;
  origin: string;
}

/** The model zoo as table rows, optionally filtered by a substring of the name. */
export function modelRows(filter?: string): ModelRow[] {
  return listModels(filter).map((name) => {
    const c = getModelConfig(name);
    return {
      name,
      block: c.block,
      stages: c.blocksPerStage.join('-'),
      groups: c.cardinality,
      width: c.baseWidth,
      input: c.defaultInputSize,
      origin: c.origin,
    };
  });
}

/** Renders rows as an aligned plain-text table (column names from the first row's keys); `empty` when there are no rows. */
export function formatTable(rows: readonly Record<string, string | number>[], empty = '(no models match)'): string {
  const first = rows[0];
  if (first === undefined) return empty;
  const keys = Object.keys(first);
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(keys), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(keys.map((k) => String(r[k]))))].join('\n');
}

/** The options of `resnext models`. */
export const MODELS_OPTIONS = { json: { type: 'boolean', default: false } } as const;

/** Runs `resnext models [filter] [--json]`. @throws UsageError for a bad command line. */
export function modelsCommand(argv: readonly string[]): string {
  const { values, positionals } = parseCommandArgs('models', {
    args: [...argv],
    options: MODELS_OPTIONS,
    allowPositionals: true,
  });
  if (positionals.length > 1) throw new UsageError(`models takes one filter, got ${positionals.length}: ${positionals.join(' ')}`, 'models');
  const rows = modelRows(positionals[0]);
  return values.json ? JSON.stringify(rows, null, 2) : formatTable(rows as unknown as Record<string, string | number>[]);
}
