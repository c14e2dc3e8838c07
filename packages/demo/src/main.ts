/** The demo page: wires the form, the image picker and the worker classifier together. */
import fmnistWeightsUrl from '@resnext/pretrained/weights/resnext_fmnist.full_fmnist.safetensors?url';
import { pageElements, type PageElements } from './elements.js';
import { watchImagePicker, type PickedImage } from './image_picker.js';
import { ModelSession } from './model_session.js';
import { showBackend, showError, showLoadState, showLoading, showPredictions, showResultsState } from './render.js';
import { parseBackend, usesThreads, workerLoadOptions, type DemoSettings, type ModelChoice } from './settings.js';
import { defaultThreads, threadChoices } from './threads.js';

const el = pageElements();
const session = new ModelSession();
let image: PickedImage | undefined;
let previewUrl: string | undefined;
// Each classification gets a number; only the latest one may write the results.
let latestRequest = 0;

function setUpThreads(elements: PageElements): void {
  const choices = threadChoices(navigator.hardwareConcurrency, crossOriginIsolated);
  const preselected = defaultThreads(choices);
  elements.threads.replaceChildren(
    ...choices.map((n) => Object.assign(document.createElement('option'), { value: String(n), textContent: String(n), selected: n === preselected })),
  );
  elements.threadsNote.hidden = crossOriginIsolated;
  elements.threadsNote.textContent = crossOriginIsolated
    ? ''
    : 'This page is not cross-origin isolated (no COOP/COEP headers), so wasm runs on one thread.';
}

function modelChoice(): ModelChoice {
  const checked = el.modelForm.querySelector<HTMLInputElement>('input[name="model"]:checked');
  return checked?.value === 'resnext50' ? 'resnext50' : 'fmnist';
}

function readSettings(): DemoSettings {
  return {
    model: modelChoice(),
    weightsUrl: el.weightsUrl.value,
    weightsFile: el.weightsFile.files?.[0],
    backend: parseBackend(el.backend.value),
    threads: Number(el.threads.value),
  };
}

function syncForm(): void {
  el.resnext50Source.hidden = modelChoice() !== 'resnext50';
  el.threads.disabled = !usesThreads(parseBackend(el.backend.value));
}

async function classifyCurrent(): Promise<void> {
  const picked = image;
  if (picked === undefined || session.current === undefined) return;
  const request = ++latestRequest;
  const backend = session.current.backend.name;
  showResultsState(el, 'running', picked.name);
  try {
    const { predictions, milliseconds } = await session.classify(picked.blob);
    if (request === latestRequest) showPredictions(el, predictions, picked.name, milliseconds, backend);
  } catch (error) {
    if (request !== latestRequest) return;
    showResultsState(el, 'error', picked.name);
    el.latency.textContent = '';
    showError(el, error);
  }
}

async function loadModel(): Promise<void> {
  showError(el, undefined);
  showBackend(el, undefined);
  el.loadButton.disabled = true;
  try {
    const options = workerLoadOptions(readSettings(), fmnistWeightsUrl);
    showLoading(el, 'Starting the worker and loading the model…');
    const started = performance.now();
    const classifier = await session.load({
      ...options,
      onProgress: (progress) => showLoading(el, 'Downloading weights:', progress),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    showLoadState(el, 'ready', `${classifier.meta.id} loaded in ${seconds} s (${classifier.labels.length} classes).`);
    showBackend(el, classifier.backend);
  } catch (error) {
    showLoadState(el, 'error', 'Loading failed.');
    showError(el, error);
    return;
  } finally {
    el.loadButton.disabled = false;
  }
  await classifyCurrent();
}

function pickImage(picked: PickedImage): void {
  showError(el, undefined);
  image = picked;
  if (previewUrl !== undefined) URL.revokeObjectURL(previewUrl);
  previewUrl = URL.createObjectURL(picked.blob);
  el.preview.src = previewUrl;
  el.preview.alt = `The image being classified: ${picked.name}`;
  el.previewCaption.textContent = picked.name;
  el.previewFigure.hidden = false;
  if (session.current === undefined) {
    showResultsState(el, 'idle', picked.name);
    el.latency.textContent = 'Load a model to classify this image.';
    return;
  }
  void classifyCurrent();
}

setUpThreads(el);
syncForm();
el.modelForm.addEventListener('change', syncForm);
el.modelForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void loadModel();
});
watchImagePicker(el, pickImage, (error) => showError(el, error));
