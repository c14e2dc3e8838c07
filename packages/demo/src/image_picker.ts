/** The three ways to give the page an image: the file input, drag and drop, and the sample buttons. */
import type { PageElements } from './elements.js';

/** An image the user gave, as the encoded file (decoded in the worker). */
export interface PickedImage {
  blob: Blob;
  name: string;
}

/** A sample image in `public/samples/`. */
interface Sample {
  file: string;
  /** Button text. */
  title: string;
}

/** The images shipped with the demo (see public/samples/README.md for their origin and licences). */
const SAMPLES: readonly Sample[] = [
  { file: 'chelsea.png', title: 'Cat (photo)' },
  { file: 'coffee.png', title: 'Coffee (photo)' },
  { file: 'fmnist-ankle-boot.png', title: 'Ankle boot (Fashion-MNIST)' },
  { file: 'fmnist-trouser.png', title: 'Trouser (Fashion-MNIST)' },
  { file: 'fmnist-bag.png', title: 'Bag (Fashion-MNIST)' },
];

async function fetchSample(sample: Sample): Promise<PickedImage> {
  const url = `${import.meta.env.BASE_URL}samples/${sample.file}`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`sample image ${url}: HTTP ${response.status}`);
  return { blob: await response.blob(), name: sample.file };
}

/**
 * Calls `onPick` with each image the user gives, and `onError` when a sample cannot be fetched or
 * a drop holds no file.
 */
export function watchImagePicker(el: PageElements, onPick: (image: PickedImage) => void, onError: (error: unknown) => void): void {
  el.imageFile.addEventListener('change', () => {
    const file = el.imageFile.files?.[0];
    if (file !== undefined) onPick({ blob: file, name: file.name });
  });

  // The whole window accepts the drag, so a near miss does not make the browser open the file in
  // place of the page; the zone shows where it lands.
  window.addEventListener('dragover', (event) => {
    event.preventDefault();
    el.dropZone.classList.add('dragging');
  });
  window.addEventListener('dragleave', (event) => {
    if (event.relatedTarget === null) el.dropZone.classList.remove('dragging');
  });
  window.addEventListener('drop', (event) => {
    event.preventDefault();
    el.dropZone.classList.remove('dragging');
    const file = event.dataTransfer?.files[0];
    if (file === undefined) onError(new Error('the drop held no file: drop an image file (PNG, JPEG or WebP)'));
    else onPick({ blob: file, name: file.name });
  });

  for (const sample of SAMPLES) {
    const button = Object.assign(document.createElement('button'), { type: 'button', textContent: sample.title });
    button.dataset['sample'] = sample.file;
    button.addEventListener('click', () => {
      fetchSample(sample).then(onPick, onError);
    });
    el.samples.append(button);
  }
}
