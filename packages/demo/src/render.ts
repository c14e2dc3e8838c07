/** Writes load progress, the chosen backend, predictions and errors into the page. */
import type { Prediction, WorkerBackendReport } from '@resnext/pretrained/worker';
import { describeError } from './errors.js';
import type { PageElements } from './elements.js';

/** The model's state, as `#load-status[data-state]` exposes it (for styles and the end-to-end test). */
export type LoadState = 'idle' | 'loading' | 'ready' | 'error';

const MB = 1024 * 1024;

/** The status line and progress bar while loading: bytes when the download reports them. */
export function showLoading(el: PageElements, message: string, progress?: { loaded: number; total?: number | undefined }): void {
  el.loadStatus.dataset['state'] = 'loading';
  el.loadProgress.hidden = false;
  if (progress?.total !== undefined && progress.total > 0) {
    el.loadProgress.max = progress.total;
    el.loadProgress.value = progress.loaded;
    el.loadStatus.textContent = `${message} ${(progress.loaded / MB).toFixed(1)} of ${(progress.total / MB).toFixed(1)} MB`;
  } else {
    // An indeterminate bar: no value attribute.
    el.loadProgress.removeAttribute('value');
    el.loadStatus.textContent = progress === undefined ? message : `${message} ${(progress.loaded / MB).toFixed(1)} MB`;
  }
}

/** The status line once loading has ended. */
export function showLoadState(el: PageElements, state: Exclude<LoadState, 'loading'>, message: string): void {
  el.loadStatus.dataset['state'] = state;
  el.loadStatus.textContent = message;
  el.loadProgress.hidden = true;
}

/** What `useBackend` chose inside the worker, and why. */
export function showBackend(el: PageElements, backend: WorkerBackendReport | undefined): void {
  el.backendInfo.hidden = backend === undefined;
  if (backend === undefined) return;
  const details = [
    backend.threads === undefined ? undefined : `${backend.threads} thread${backend.threads === 1 ? '' : 's'}`,
    backend.simd === true ? 'SIMD' : undefined,
  ].filter((d) => d !== undefined);
  el.backendName.textContent = details.length === 0 ? backend.name : `${backend.name} (${details.join(', ')})`;
  el.backendName.dataset['backend'] = backend.name;
  const why = [backend.reason, ...backend.warnings.map((w) => `warning: ${w}`)];
  el.backendReason.textContent = why.join('\n');
}

/** Shows an error in the alert region, or clears it. */
export function showError(el: PageElements, error: unknown): void {
  el.error.hidden = error === undefined;
  el.error.textContent = error === undefined ? '' : describeError(error);
}

/** The result list's state, as `#results[data-state]` exposes it. */
export type ResultsState = 'idle' | 'running' | 'done' | 'error';

/** Marks the results as belonging to an image in progress (or failed), clearing the old bars. */
export function showResultsState(el: PageElements, state: Exclude<ResultsState, 'done'>, imageName: string): void {
  el.results.dataset['state'] = state;
  el.results.dataset['image'] = imageName;
  el.results.setAttribute('aria-busy', String(state === 'running'));
  el.results.replaceChildren();
  if (state === 'running') el.latency.textContent = 'Classifying…';
}

/**
 * The top classes as labelled bars. Each item carries the exact probability in
 * `data-probability`; the text shows it in percent.
 */
export function showPredictions(el: PageElements, predictions: readonly Prediction[], imageName: string, milliseconds: number, backend: string): void {
  const items = predictions.map((p) => {
    const item = document.createElement('li');
    item.dataset['label'] = p.label;
    item.dataset['index'] = String(p.index);
    item.dataset['probability'] = String(p.probability);
    const percent = `${(100 * p.probability).toFixed(1)}%`;
    const label = Object.assign(document.createElement('span'), { className: 'label', textContent: p.label });
    const bar = Object.assign(document.createElement('span'), { className: 'bar' });
    bar.setAttribute('role', 'img');
    bar.setAttribute('aria-label', `${p.label}: ${percent}`);
    const fill = document.createElement('span');
    fill.style.width = `${Math.max(0, Math.min(100, 100 * p.probability))}%`;
    bar.append(fill);
    const value = Object.assign(document.createElement('span'), { className: 'percent', textContent: percent });
    item.append(label, bar, value);
    return item;
  });
  el.results.replaceChildren(...items);
  el.results.dataset['state'] = 'done';
  el.results.dataset['image'] = imageName;
  el.results.setAttribute('aria-busy', 'false');
  el.latency.textContent = `${imageName}: ${milliseconds.toFixed(0)} ms on ${backend} (decode, preprocessing and inference in the worker, plus messaging)`;
  el.latency.dataset['ms'] = String(milliseconds);
}
