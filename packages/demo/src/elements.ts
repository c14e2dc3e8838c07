/** The page's elements (index.html), looked up once, each checked against the type the code expects. */

function byId<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const element = document.getElementById(id);
  // A renamed id in index.html should fail loudly at start-up, not as a null deep inside a handler.
  if (!(element instanceof type)) throw new Error(`index.html has no ${type.name} with id "${id}"`);
  return element;
}

/** Every element the demo reads or writes. */
export function pageElements() {
  return {
    modelForm: byId('model-form', HTMLFormElement),
    resnext50Source: byId('resnext50-source', HTMLDivElement),
    weightsUrl: byId('weights-url', HTMLInputElement),
    weightsFile: byId('weights-file', HTMLInputElement),
    backend: byId('backend', HTMLSelectElement),
    threads: byId('threads', HTMLSelectElement),
    threadsNote: byId('threads-note', HTMLParagraphElement),
    loadButton: byId('load-button', HTMLButtonElement),
    loadProgress: byId('load-progress', HTMLProgressElement),
    loadStatus: byId('load-status', HTMLParagraphElement),
    backendInfo: byId('backend-info', HTMLDListElement),
    backendName: byId('backend-name', HTMLElement),
    backendReason: byId('backend-reason', HTMLElement),
    dropZone: byId('drop-zone', HTMLDivElement),
    imageFile: byId('image-file', HTMLInputElement),
    samples: byId('samples', HTMLDivElement),
    previewFigure: byId('preview-figure', HTMLElement),
    preview: byId('preview', HTMLImageElement),
    previewCaption: byId('preview-caption', HTMLElement),
    results: byId('results', HTMLOListElement),
    latency: byId('latency', HTMLParagraphElement),
    error: byId('error', HTMLParagraphElement),
  };
}

/** The elements of {@link pageElements}. */
export type PageElements = ReturnType<typeof pageElements>;
