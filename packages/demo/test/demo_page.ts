/** Drives the demo page through its UI, as a user would, and reads what it shows. */
import type { Page } from 'playwright-core';

/** One row of the page's top-5 list. */
export interface ShownPrediction {
  label: string;
  index: number;
  probability: number;
}

/** What the page says about a loaded model. */
export interface ShownModel {
  status: string;
  backend: string;
  backendText: string;
  reason: string;
}

/** The model form's choices. */
export interface ModelChoice {
  model: 'fmnist' | 'resnext50';
  backend: 'auto' | 'wasm' | 'webgl' | 'webgpu' | 'cpu';
  threads?: number;
  weightsUrl?: string;
}

async function errorText(page: Page): Promise<string> {
  return (await page.locator('#error').textContent()) ?? '';
}

/** Fills the model form, clicks "Load model" and waits until the page says it is ready (or failed: then throws with the page's error). */
export async function loadModel(page: Page, choice: ModelChoice, timeout = 240_000): Promise<ShownModel> {
  await page.getByRole('radio', { name: choice.model === 'fmnist' ? /Fashion-MNIST/ : /ResNeXt-50/ }).check();
  if (choice.weightsUrl !== undefined) await page.getByLabel('Checkpoint URL').fill(choice.weightsUrl);
  await page.getByLabel('Backend').selectOption(choice.backend);
  if (choice.threads !== undefined) await page.getByLabel('wasm threads').selectOption(String(choice.threads));
  await page.getByRole('button', { name: 'Load model' }).click();
  const status = page.locator('#load-status');
  await page.locator('#load-status:is([data-state="ready"], [data-state="error"])').waitFor({ timeout });
  if ((await status.getAttribute('data-state')) !== 'ready') throw new Error(`the page failed to load the model: ${await errorText(page)}`);
  return {
    status: (await status.textContent()) ?? '',
    backend: (await page.locator('#backend-name').getAttribute('data-backend')) ?? '',
    backendText: (await page.locator('#backend-name').textContent()) ?? '',
    reason: (await page.locator('#backend-reason').textContent()) ?? '',
  };
}

async function shownResults(page: Page, name: string, timeout: number): Promise<ShownPrediction[]> {
  const results = page.locator(`#results[data-image="${name}"]:is([data-state="done"], [data-state="error"])`);
  await results.waitFor({ timeout });
  if ((await results.getAttribute('data-state')) !== 'done') throw new Error(`the page failed to classify ${name}: ${await errorText(page)}`);
  return page.locator('#results li').evaluateAll((items) =>
    items.map((item) => {
      const { label = '', index = '', probability = '' } = (item as HTMLElement).dataset;
      return { label, index: Number(index), probability: Number(probability) };
    }),
  );
}

/**
 * Gives the page an image through its file input and returns the top 5 it shows. `name` must be
 * new to the page: the result list is matched to the image by name.
 */
export async function classifyFile(page: Page, name: string, png: Buffer, timeout = 120_000): Promise<ShownPrediction[]> {
  await page.locator('#image-file').setInputFiles({ name, mimeType: 'image/png', buffer: png });
  return shownResults(page, name, timeout);
}

/** As {@link classifyFile}, but the image is dropped onto the drop zone (a drop event carrying the file). */
export async function classifyDropped(page: Page, name: string, png: Buffer, timeout = 120_000): Promise<ShownPrediction[]> {
  const dataTransfer = await page.evaluateHandle(
    ({ name, base64 }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], name, { type: 'image/png' }));
      return transfer;
    },
    { name, base64: png.toString('base64') },
  );
  await page.locator('#drop-zone').dispatchEvent('drop', { dataTransfer });
  return shownResults(page, name, timeout);
}
