// `resnext classify` end to end on a real ResNeXt-50 checkpoint file (random weights written in
// PyTorch's state-dict layout by @resnext/pretrained, since pretrained weights cannot be
// downloaded here) and a real photo.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import '@resnext/layers';
import { createModel } from '@resnext/models';
import { IMAGENET_LABELS, toStateDict, writeSafetensors } from '@resnext/pretrained';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../main.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-classify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const photo = fileURLToPath(new URL('../../../../fixtures/images/chelsea.png', import.meta.url));

describe('resnext classify', () => {
  it('classifies a photo with a given checkpoint and prints JSON top-k', async () => {
    await tf.setBackend('wasm');
    const model = createModel('resnext50_32x4d');
    const weights = path.join(dir, 'resnext50.safetensors');
    writeFileSync(weights, writeSafetensors(toStateDict(model)));
    model.dispose();
    const messages: string[] = [];
    const out = await run(['classify', photo, '--weights', weights, '--json', '--top', '3', '--backend', 'wasm'], { write: (s: string) => messages.push(s) });
    const [result] = JSON.parse(out) as { image: string; predictions: { index: number; label: string; probability: number }[] }[];
    expect(result!.image).toBe(photo);
    expect(result!.predictions).toHaveLength(3);
    for (const p of result!.predictions) expect(p.label).toBe(IMAGENET_LABELS[p.index]);
    const probs = result!.predictions.map((p) => p.probability);
    expect([...probs].sort((a, b) => b - a)).toEqual(probs);
    expect(messages.join('')).toMatch(/^backend: wasm/);
  });
});
