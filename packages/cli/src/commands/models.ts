import { getModelConfig, listModels } from '@resnext/models';

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

/** Renders rows as an aligned plain-text table. */
export function formatTable(rows: readonly Record<string, string | number>[]): string {
  const first = rows[0];
  if (first === undefined) return '(no models match)';
  const keys = Object.keys(first);
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(keys), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(keys.map((k) => String(r[k]))))].join('\n');
}
