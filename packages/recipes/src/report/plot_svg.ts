import type { EpochMetrics, PartialEpochMetrics } from './metrics.js';

interface Series {
  label: string;
  color: string;
  points: [number, number][];
  /** The last point is the epoch in progress: drawn hollow. */
  lastPartial?: boolean;
}

const W = 360;
const H = 240;
const M = { left: 48, right: 12, top: 28, bottom: 36 };

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One panel: axes with ticks, a polyline (and dots) per series, a legend. */
function panel(title: string, series: Series[], x0: number, yFormat: (v: number) => string): string {
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]).filter(Number.isFinite);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  let [yMin, yMax] = [Math.min(...ys), Math.max(...ys)];
  if (yMin === yMax) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const px = (x: number) => x0 + M.left + ((x - xMin) / (xMax - xMin || 1)) * (W - M.left - M.right);
  const py = (y: number) => M.top + (1 - (y - yMin) / (yMax - yMin)) * (H - M.top - M.bottom);
  const out: string[] = [];
  out.push(`<text x="${x0 + W / 2}" y="16" text-anchor="middle" font-weight="bold">${escapeXml(title)}</text>`);
  out.push(`<rect x="${x0 + M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#999"/>`);
  for (let i = 0; i <= 4; i++) {
    const y = yMin + ((yMax - yMin) * i) / 4;
    out.push(`<text x="${x0 + M.left - 4}" y="${py(y) + 4}" text-anchor="end">${yFormat(y)}</text>`);
  }
  const ticks = [...new Set([xMin, Math.round((xMin + xMax) / 2), xMax])];
  for (const x of ticks) out.push(`<text x="${px(x)}" y="${H - M.bottom + 14}" text-anchor="middle">${Number(x.toFixed(2))}</text>`);
  out.push(`<text x="${x0 + W / 2}" y="${H - 6}" text-anchor="middle">epoch</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p[1]));
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    pts.forEach(([x, y], k) => {
      const hollow = s.lastPartial === true && k === pts.length - 1;
      out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="${hollow ? 3.5 : 2.5}" ${hollow ? `fill="white" stroke="${s.color}" stroke-width="1.5"` : `fill="${s.color}"`}/>`);
    });
    out.push(`<text x="${x0 + W - M.right - 4}" y="${M.top + 14 + 14 * i}" text-anchor="end" fill="${s.color}">${escapeXml(s.label)}</text>`);
  });
  return out.join('\n');
}

/**
 * Loss and accuracy curves per epoch as a standalone SVG (two panels: train/test loss, train/test
 * top-1 accuracy, plus EMA accuracy when present). No dependencies; opens in any browser. A
 * `partial` epoch in progress extends the train curves to its fractional epoch with a hollow
 * point, and the title says how far it is.
 */
export function plotSvg(history: readonly EpochMetrics[], title: string, partial?: PartialEpochMetrics): string {
  const pts = (f: (m: EpochMetrics) => number | undefined): [number, number][] =>
    history.flatMap((m) => {
      const v = f(m);
      return v === undefined ? [] : [[m.epoch, v] as [number, number]];
    });
  const extra = (v: number): [number, number][] => (partial === undefined ? [] : [[partial.epoch, v]]);
  const inProgress = partial !== undefined;
  const loss: Series[] = [
    { label: 'train', color: '#1f77b4', points: [...pts((m) => m.trainLoss), ...extra(partial?.trainLoss ?? 0)], lastPartial: inProgress },
    { label: 'test', color: '#d62728', points: pts((m) => m.testLoss) },
  ];
  const acc: Series[] = [
    { label: 'train', color: '#1f77b4', points: [...pts((m) => 100 * m.trainAccuracy), ...extra(100 * (partial?.trainAccuracy ?? 0))], lastPartial: inProgress },
    { label: 'test', color: '#d62728', points: pts((m) => 100 * m.testAccuracy) },
  ];
  const ema = pts((m) => (m.emaTestAccuracy === undefined ? undefined : 100 * m.emaTestAccuracy));
  if (ema.length > 0) acc.push({ label: 'test (EMA)', color: '#2ca02c', points: ema });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 20}" viewBox="0 0 ${2 * W} ${H + 20}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<g transform="translate(0,20)">`,
    panel('loss', loss, 0, (v) => v.toFixed(2)),
    panel('top-1 accuracy (%)', acc, W, (v) => v.toFixed(1)),
    '</g>',
    `<text x="${W}" y="14" text-anchor="middle" font-size="13">${escapeXml(title)}${partial === undefined ? '' : escapeXml(` (epoch ${Math.floor(partial.epoch) + 1} in progress, ${Math.round(100 * (partial.epoch - Math.floor(partial.epoch)))}%)`)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
