// Hostile checkpoint files for @resnext/pretrained's readers and state-dict mapping: absurd
// shapes and dims, offsets and storage references that point outside the file, storages viewed
// many times, NaN/Inf weights, tfjs manifests that reach outside their folder, malformed
// metadata. Every file is generated here (no corpus on disk); each case must end in the typed
// error `expect` names, within the runner's time and memory limits.
import '@tensorflow/tfjs-backend-cpu';
import { createModel } from '@resnext/models';
import { exportTfjs, load, loadWeights, toStateDict, writeSafetensors } from '@resnext/pretrained';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

// ---------------------------------------------------------------- builders

const utf8 = (s) => new TextEncoder().encode(s);

/** A safetensors file: 8-byte header length, JSON header (space-padded to 8 bytes), data. */
function safetensors(header, data = new Uint8Array()) {
  return rawSafetensors(JSON.stringify(header), data);
}

/** A zip of stored entries, as torch.save writes (CRCs 0: the reader does not check them). */
function storedZip(files) {
  const chunks = [];
  const central = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const n = utf8(name);
    const local = new Uint8Array(30 + n.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, n.length, true);
    local.set(n, 30);
    const c = new Uint8Array(46 + n.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, n.length, true);
    cv.setUint32(42, offset, true);
    c.set(n, 46);
    chunks.push(local, data);
    central.push(c);
    offset += local.length + data.length;
  }
  const dirSize = central.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, central.length, true);
  ev.setUint16(10, central.length, true);
  ev.setUint32(12, dirSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + dirSize + 22);
  let at = 0;
  for (const c of [...chunks, ...central, end]) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Pickle opcodes for a number: BININT (int32), LONG1 (other integers), BINFLOAT (anything else). */
function pickleNumber(v) {
  const b = new Uint8Array(8);
  const view = new DataView(b.buffer);
  if (!Number.isInteger(v)) {
    view.setFloat64(0, v, false);
    return [0x47, ...b];
  }
  if (v >= -(2 ** 31) && v < 2 ** 31) {
    view.setInt32(0, v, true);
    return [0x4a, ...b.subarray(0, 4)];
  }
  view.setBigInt64(0, BigInt(v), true);
  return [0x8a, 8, ...b];
}
const pickleString = (s) => {
  const b = utf8(s);
  return [0x58, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, b.length >>> 24, ...b];
};
const pickleGlobal = (module, name) => [0x63, ...utf8(`${module}\n${name}\n`)];
const pickleTuple = (xs) => [0x28, ...xs.flatMap(pickleNumber), 0x74];

/**
 * A torch.save-style .pth: `tensors` are { key, storage, type, numel, offset, size, stride }
 * (views of storages), `storages` maps a storage key to its bytes.
 */
function pth(tensors, storages) {
  const p = [0x80, 2, ...pickleGlobal('collections', 'OrderedDict'), 0x29, 0x52, 0x28];
  for (const t of tensors) {
    p.push(...pickleString(t.key), ...pickleGlobal('torch._utils', '_rebuild_tensor_v2'), 0x28);
    p.push(0x28, ...pickleString('storage'), ...pickleGlobal('torch', t.type ?? 'FloatStorage'), ...pickleString(t.storage ?? '0'), ...pickleString('cpu'), ...pickleNumber(t.numel), 0x74, 0x51);
    p.push(...pickleNumber(t.offset ?? 0), ...pickleTuple(t.size), ...pickleTuple(t.stride ?? contiguous(t.size)), 0x89, ...pickleGlobal('collections', 'OrderedDict'), 0x29, 0x52, 0x74, 0x52);
  }
  p.push(0x75, 0x2e);
  const files = { 'a/data.pkl': Uint8Array.from(p) };
  for (const [key, bytes] of Object.entries(storages)) files[`a/data/${key}`] = bytes;
  return storedZip(files);
}

function contiguous(size) {
  const stride = size.map(() => 1);
  for (let i = size.length - 2; i >= 0; i--) stride[i] = stride[i + 1] * Math.max(size[i + 1], 1);
  return stride;
}

/** `count` views, each the whole of one `numel`-element storage of `type`. */
const sharedViews = (count, numel, type) => Array.from({ length: count }, (_, i) => ({ key: `w${i}`, type, numel, size: [numel] }));

/** The small Fashion-MNIST architecture, whose model builds in milliseconds. */
const ARCH = 'resnext_fmnist';

function tinyModel() {
  return createModel(ARCH, { numClasses: 10, inputShape: [28, 28, 1] });
}

/** loadWeights of `bytes` (or a path) into a fresh resnext_fmnist model. */
function loadInto(bytes) {
  return loadWeights(tinyModel(), bytes);
}

/** The honest resnext_fmnist state dict, with `change(map)` applied, as safetensors. */
function fmnistSafetensors(change) {
  const model = tinyModel();
  const dict = toStateDict(model);
  model.dispose();
  change(dict);
  return writeSafetensors(dict);
}

/** The honest resnext_fmnist state dict, with `change(map)` applied, as a .pth (one storage per tensor). */
function fmnistPth(change) {
  const model = tinyModel();
  const dict = toStateDict(model);
  model.dispose();
  change(dict);
  const tensors = [];
  const storages = {};
  for (const [key, t] of dict) {
    const storage = String(tensors.length);
    const int = t.dtype === 'int64';
    storages[storage] = new Uint8Array(int ? BigInt64Array.from(t.values, (v) => BigInt(v)).buffer : Float32Array.from(t.values).buffer);
    tensors.push({ key, storage, type: int ? 'LongStorage' : 'FloatStorage', numel: t.values.length, size: t.shape });
  }
  return pth(tensors, storages);
}

const setValue = (key, index, value) => (dict) => {
  dict.get(key).values[index] = value;
};

/** Exports the resnext_fmnist model as tfjs into `dir/model`, then rewrites model.json with `edit`. */
async function tfjsModel(dir, edit) {
  const model = tinyModel();
  const modelDir = path.join(dir, 'model');
  await exportTfjs(model, modelDir);
  model.dispose();
  const file = path.join(modelDir, 'model.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const edited = edit(json, modelDir);
  writeFileSync(file, typeof edited === 'string' ? edited : JSON.stringify(edited));
  return file;
}

/** Points the manifest at `target` and puts the real first shard there, so only a check stops the read. */
function manifestTo(target) {
  return (json, modelDir) => {
    const shard = json.weightsManifest[0].paths[0];
    const resolved = path.resolve(modelDir, target);
    mkdirSync(path.dirname(resolved), { recursive: true });
    writeFileSync(resolved, readFileSync(path.join(modelDir, shard)));
    json.weightsManifest[0].paths = [target.startsWith('/') ? resolved : target];
    return json;
  };
}

// ---------------------------------------------------------------- cases

export const cases = [
  // Zero-element tensors with huge dims: cheap to state, once a loop over o × i.
  {
    id: 'safetensors-zero-elements-huge-dims',
    about: 'a 97-byte safetensors whose conv1.weight is [1e9, 1e9, 0, 3], loaded into a model',
    async run() {
      await loadInto(safetensors({ 'conv1.weight': { dtype: 'F32', shape: [1e9, 1e9, 0, 3], data_offsets: [0, 0] } }));
    },
    expect: { name: 'WeightsFormatError', message: /conv1\.weight.*spans more than 2147483647 elements/ },
  },
  {
    id: 'pth-zero-elements-huge-dims',
    about: 'a .pth whose conv1.weight is [1e9, 1e9, 0, 3] over an empty storage, loaded into a model',
    async run() {
      await loadInto(pth([{ key: 'conv1.weight', numel: 0, size: [1e9, 1e9, 0, 3] }], { 0: new Uint8Array() }));
    },
    expect: { name: 'WeightsFormatError', message: /shape \[1000000000, 1000000000, 0, 3\] spans more than/ },
  },
  {
    id: 'safetensors-zero-elements-large-dims-mapping',
    about: 'conv1.weight [46340, 46340, 0, 1] (2^31 − 1 elements, zero dims as 1) passes the readers; the mapping must compare shapes before any layout loop',
    async run() {
      await loadInto(safetensors({ 'conv1.weight': { dtype: 'F32', shape: [46340, 46340, 0, 1], data_offsets: [0, 0] } }));
    },
    expect: { name: 'StateDictMismatchError', message: /conv1\.weight: checkpoint \[0, 1, 46340, 46340\] vs model/ },
  },
  {
    id: 'pth-zero-elements-large-dims-mapping',
    about: 'the .pth twin of a [46340, 46340, 0, 1] conv1.weight, loaded into a model',
    async run() {
      await loadInto(pth([{ key: 'conv1.weight', numel: 0, size: [46340, 46340, 0, 1] }], { 0: new Uint8Array() }));
    },
    expect: { name: 'StateDictMismatchError', message: /conv1\.weight: checkpoint \[0, 1, 46340, 46340\]/ },
  },
  {
    id: 'safetensors-huge-dims-tiny-file',
    about: 'a safetensors tensor of shape [1e9, 1e9] whose data_offsets span 8 bytes',
    async run() {
      await loadInto(safetensors({ 'fc.weight': { dtype: 'F32', shape: [1e9, 1e9], data_offsets: [0, 8] } }, new Uint8Array(8)));
    },
    expect: { name: 'WeightsFormatError', message: /fc\.weight.*spans more than/ },
  },
  {
    id: 'pth-huge-dims-tiny-storage',
    about: 'a .pth tensor of size [2^40, 2^40] over a 1-element storage',
    async run() {
      await loadInto(pth([{ key: 'fc.weight', numel: 1, size: [2 ** 40, 2 ** 40] }], { 0: new Uint8Array(4) }));
    },
    expect: { name: 'WeightsFormatError', message: /spans more than 2147483647 elements/ },
  },
  {
    id: 'safetensors-offset-past-end',
    about: 'data_offsets reaching a gigabyte past the end of a 100-byte file',
    async run() {
      await loadInto(safetensors({ 'fc.bias': { dtype: 'F32', shape: [2 ** 28], data_offsets: [0, 2 ** 30] } }, new Uint8Array(16)));
    },
    expect: { name: 'WeightsFormatError', message: /tensors need 1073741824 bytes of data but the file has 16: truncated/ },
  },
  {
    id: 'safetensors-negative-dim',
    about: 'a safetensors shape with a negative dimension',
    async run() {
      await loadInto(safetensors({ 'fc.bias': { dtype: 'F32', shape: [-4], data_offsets: [0, 16] } }, new Uint8Array(16)));
    },
    expect: { name: 'WeightsFormatError', message: /fc\.bias.*shape \[-4\] is not a list of non-negative integers/ },
  },
  {
    id: 'safetensors-infinite-dim',
    about: 'a safetensors dimension of 1e400 (JSON for Infinity)',
    async run() {
      // JSON.stringify cannot write 1e400; the header text is written as is.
      await loadInto(rawSafetensors('{"fc.bias":{"dtype":"F32","shape":[1e400],"data_offsets":[0,4]}}', new Uint8Array(4)));
    },
    expect: { name: 'WeightsFormatError', message: /fc\.bias.*shape \[null\] is not a list of non-negative integers/ },
  },
  {
    id: 'pth-storage-offset-past-end',
    about: 'a .pth tensor at storage offset 2^40 of a 4-element storage',
    async run() {
      await loadInto(pth([{ key: 'fc.bias', numel: 4, offset: 2 ** 40, size: [4] }], { 0: new Uint8Array(16) }));
    },
    expect: { name: 'WeightsFormatError', message: /at offset 1099511627776 reads element .* of a 4-element storage/ },
  },
  {
    id: 'pth-empty-tensor-offset-past-end',
    about: 'a zero-element .pth tensor whose storage offset is past the end of its storage',
    async run() {
      await loadInto(pth([{ key: 'fc.bias', numel: 4, offset: 1e6, size: [0] }], { 0: new Uint8Array(16) }));
    },
    expect: { name: 'WeightsFormatError', message: /offset 1000000 is past the end of a 4-element storage/ },
  },
  {
    id: 'pth-negative-dim',
    about: 'a .pth tensor of size [-1, 4]',
    async run() {
      await loadInto(pth([{ key: 'fc.bias', numel: 4, size: [-1, 4], stride: [4, 1] }], { 0: new Uint8Array(16) }));
    },
    expect: { name: 'WeightsFormatError', message: /tensor size is not a tuple of non-negative integers/ },
  },
  {
    id: 'pth-nan-dim',
    about: 'a .pth tensor whose size is (NaN,)',
    async run() {
      await loadInto(pth([{ key: 'fc.bias', numel: 4, size: [NaN], stride: [1] }], { 0: new Uint8Array(16) }));
    },
    expect: { name: 'WeightsFormatError', message: /tensor size is not a tuple of non-negative integers/ },
  },
  {
    id: 'pth-huge-stride',
    about: 'a .pth view whose stride 2^52 points far outside its 4-element storage',
    async run() {
      await loadInto(pth([{ key: 'fc.bias', numel: 4, size: [2, 2], stride: [2 ** 52, 1] }], { 0: new Uint8Array(16) }));
    },
    expect: { name: 'WeightsFormatError', message: /reads element .* of a 4-element storage/ },
  },
  {
    id: 'pth-declared-numel-beyond-entry',
    about: 'a .pth storage declared to hold 2^40 elements whose zip entry has 16 bytes',
    async run() {
      await loadInto(pth([{ key: 'fc.bias', numel: 2 ** 40, size: [4] }], { 0: new Uint8Array(16) }));
    },
    expect: { name: 'WeightsFormatError', message: /storage 0 should hold 1099511627776 float32/ },
  },
  {
    id: 'pth-missing-storage-reference',
    about: 'a .pth tensor referring to a storage that has no zip entry',
    async run() {
      await loadInto(pth([{ key: 'fc.bias', storage: '99', numel: 4, size: [4] }], { 0: new Uint8Array(16) }));
    },
    expect: { name: 'WeightsFormatError', message: /storage 99 has no a\/data\/99 entry/ },
  },
  {
    id: 'pth-rank-beyond-limit',
    about: 'a .pth tensor with 100 dimensions of size 1',
    async run() {
      await loadInto(pth([{ key: 'fc.bias', numel: 1, size: new Array(100).fill(1) }], { 0: new Uint8Array(4) }));
    },
    expect: { name: 'WeightsFormatError', message: /tensor size has 100 dimensions, more than the 64 allowed/ },
  },

  // One storage, many views: must cost one decode, not one per view.
  ...[
    ['HalfStorage', 'f16', 2],
    ['BFloat16Storage', 'bf16', 2],
    ['DoubleStorage', 'f64', 8],
    ['LongStorage', 'int64', 8],
  ].map(([type, label, bytes]) => ({
    id: `pth-shared-${label}-storage-400-views`,
    about: `a .pth whose one ${(2 ** 20 * bytes) / 2 ** 20} MiB ${label} storage backs 400 tensors (decoded once, shared)`,
    prepare() {
      const numel = 2 ** 20;
      // Each view decodes to 4 MiB: 1.6 GB if every view decoded the storage again.
      return pth(sharedViews(400, numel, type), { 0: new Uint8Array(numel * bytes) });
    },
    run: ({ input }) => loadInto(input),
    // The file reads (within memory and time): it then fails as what it is, a state dict of unknown keys.
    expect: { name: 'StateDictMismatchError', message: /400 unexpected/ },
  })),
  {
    id: 'pth-shared-storage-strided-views',
    about: 'a 4 MiB .pth storage gathered by 400 strided views: refused once the output budget is spent',
    prepare() {
      const numel = 2 ** 20;
      const views = Array.from({ length: 400 }, (_, i) => ({ key: `w${i}`, numel, size: [2, numel / 2], stride: [1, 2] }));
      return pth(views, { 0: new Uint8Array(numel * 4) });
    },
    run: ({ input }) => loadInto(input),
    expect: { name: 'WeightsFormatError', message: /gathering a strided tensor of size \[2, 524288\].*beyond the reader's budget/ },
  },

  // Values no working model has.
  {
    id: 'safetensors-nan-weight',
    about: 'an otherwise honest resnext_fmnist safetensors with one NaN in conv1.weight, through load()',
    prepare: () => fmnistSafetensors(setValue('conv1.weight', 7, NaN)),
    run: ({ input }) => load({ model: ARCH, weights: input, warmup: false }),
    expect: { name: 'WeightsValueError', message: /^checkpoint bytes: conv1\.weight: 1 of \d+ values are NaN or infinite/ },
  },
  {
    id: 'safetensors-infinite-weight',
    about: 'an honest resnext_fmnist safetensors with +Infinity in fc.weight',
    prepare: () => fmnistSafetensors(setValue('fc.weight', 0, Infinity)),
    run: ({ input }) => loadInto(input),
    expect: { name: 'WeightsValueError', message: /fc\.weight: .*index 0, is Infinity/ },
  },
  {
    id: 'safetensors-negative-running-var',
    about: 'an honest resnext_fmnist safetensors whose bn1.running_var has a negative entry',
    prepare: () => fmnistSafetensors(setValue('bn1.running_var', 1, -2)),
    run: ({ input }) => loadInto(input),
    expect: { name: 'WeightsValueError', message: /bn1\.running_var: running variance is negative/ },
  },
  {
    id: 'safetensors-negative-batch-counter',
    about: 'an honest resnext_fmnist safetensors whose bn1.num_batches_tracked is -3',
    prepare: () => fmnistSafetensors(setValue('bn1.num_batches_tracked', 0, -3)),
    run: ({ input }) => loadInto(input),
    expect: { name: 'WeightsValueError', message: /bn1\.num_batches_tracked: num_batches_tracked must be a non-negative integer, got -3/ },
  },
  {
    id: 'pth-nan-weight',
    about: 'an honest resnext_fmnist .pth with a NaN in layer1.0.conv2.weight, written to disk and loaded by path',
    prepare({ dir }) {
      const file = path.join(dir, 'nan.pth');
      writeFileSync(file, fmnistPth(setValue('layer1.0.conv2.weight', 3, NaN)));
      return file;
    },
    run: ({ input }) => loadWeights(tinyModel(), input),
    expect: { name: 'WeightsValueError', message: /nan\.pth: layer1\.0\.conv2\.weight: 1 of \d+ values are NaN/ },
  },
  {
    id: 'pth-negative-infinity-bias',
    about: 'an honest resnext_fmnist .pth with -Infinity in fc.bias',
    prepare: () => fmnistPth(setValue('fc.bias', 9, -Infinity)),
    run: ({ input }) => loadInto(input),
    expect: { name: 'WeightsValueError', message: /fc\.bias: .*index 9, is -Infinity/ },
  },

  // Metadata.
  {
    id: 'safetensors-string-metadata',
    about: 'a safetensors whose __metadata__ is a string',
    async run() {
      await loadInto(safetensors({ __metadata__: 'format=pt', 'fc.bias': { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)));
    },
    expect: { name: 'WeightsFormatError', message: /__metadata__ is a string, not an object of strings/ },
  },
  {
    id: 'safetensors-array-metadata',
    about: 'a safetensors whose __metadata__ is an array of strings',
    async run() {
      await loadInto(safetensors({ __metadata__: ['format', 'pt'], 'fc.bias': { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)));
    },
    expect: { name: 'WeightsFormatError', message: /__metadata__ is an array, not an object of strings/ },
  },
  {
    id: 'safetensors-metadata-number-value',
    about: 'a safetensors whose __metadata__ maps a key to a number',
    async run() {
      await loadInto(safetensors({ __metadata__: { format: 1 }, 'fc.bias': { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)));
    },
    expect: { name: 'WeightsFormatError', message: /__metadata__\.format is not a string/ },
  },

  // tfjs model.json as input.
  {
    id: 'tfjs-manifest-parent-path',
    about: 'a tfjs model.json whose manifest names ../../outside/shard.bin (the file exists there)',
    prepare: ({ dir }) => tfjsModel(dir, manifestTo('../../outside/shard.bin')),
    run: ({ input }) => loadInto(input),
    expect: { name: 'WeightsFormatError', message: /model\.json: weights path "\.\.\/\.\.\/outside\/shard\.bin" climbs out with "\.\."/ },
  },
  {
    id: 'tfjs-manifest-absolute-path',
    about: 'a tfjs model.json whose manifest names an absolute path (the file exists there)',
    prepare: ({ dir }) => tfjsModel(dir, manifestTo(path.join(dir, 'elsewhere', 'shard.bin'))),
    run: ({ input }) => loadInto(input),
    expect: { name: 'WeightsFormatError', message: /weights path ".*elsewhere\/shard\.bin" is absolute/ },
  },
  {
    id: 'tfjs-manifest-encoded-parent-path',
    about: 'a tfjs model.json whose manifest names %2e%2e/shard.bin',
    prepare: ({ dir }) => tfjsModel(dir, (json) => ({ ...json, weightsManifest: [{ ...json.weightsManifest[0], paths: ['%2e%2e/shard.bin'] }] })),
    run: ({ input }) => loadInto(input),
    expect: { name: 'WeightsFormatError', message: /weights path "%2e%2e\/shard\.bin" climbs out/ },
  },
  {
    id: 'tfjs-manifest-etc-hostname',
    about: 'a tfjs model.json whose manifest names ../../../../../../../../etc/hostname',
    prepare: ({ dir }) => tfjsModel(dir, (json) => ({ ...json, weightsManifest: [{ ...json.weightsManifest[0], paths: ['../../../../../../../../etc/hostname'] }] })),
    run: ({ input }) => loadInto(input),
    expect: { name: 'WeightsFormatError', message: /etc\/hostname" climbs out/ },
  },
  {
    id: 'tfjs-model-json-not-json',
    about: 'a model.json that is not JSON, given to load({ weights })',
    async run({ dir }) {
      const file = path.join(dir, 'model.json');
      writeFileSync(file, '<!doctype html><p>not a model</p>');
      await load({ model: ARCH, weights: file, warmup: false });
    },
    expect: { name: 'WeightsFormatError', message: /model\.json: model\.json is not JSON/ },
  },
  {
    id: 'tfjs-model-json-no-topology',
    about: 'a model.json with a weights manifest but no modelTopology, given to load({ weights })',
    async run({ dir }) {
      const file = path.join(dir, 'model.json');
      writeFileSync(file, JSON.stringify({ weightsManifest: [{ paths: ['a.bin'], weights: [] }] }));
      await load({ model: ARCH, weights: file, warmup: false });
    },
    expect: { name: 'WeightsFormatError', message: /no modelTopology object/ },
  },
  {
    id: 'tfjs-model-json-unknown-layer',
    about: 'an exported model.json with a layer class tfjs does not know, given to load({ weights })',
    prepare: ({ dir }) => tfjsModel(dir, (json) => JSON.stringify(json).replace('"class_name":"BatchNormalization"', '"class_name":"Backdoor"')),
    run: ({ input }) => load({ model: ARCH, weights: input, warmup: false }),
    expect: { name: 'WeightsFormatError', message: /not a loadable tfjs layers model: .*Backdoor/ },
  },
  {
    id: 'tfjs-topology-huge-dense-tiny-shard',
    about: 'a hand-written model.json: a 20000×20000 Dense (1.6 GB of weights) whose shard has 4 bytes',
    async run({ dir }) {
      const file = path.join(dir, 'model.json');
      const layer = { class_name: 'Dense', config: { name: 'fc', units: 20000, use_bias: true, batch_input_shape: [null, 20000] } };
      const weights = [{ name: 'fc/kernel', shape: [20000, 20000], dtype: 'float32' }, { name: 'fc/bias', shape: [20000], dtype: 'float32' }];
      writeFileSync(file, JSON.stringify({ modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [layer] } }, weightsManifest: [{ paths: ['w.bin'], weights }] }));
      writeFileSync(path.join(dir, 'w.bin'), new Uint8Array(4));
      await loadInto(file);
    },
    expect: { name: 'WeightsFormatError', message: /model\.json: not a loadable tfjs layers model: .*should have 400000000 values but has 1/ },
  },
  {
    id: 'tfjs-manifest-huge-weight-shape',
    about: 'a model.json whose manifest states a [1e9, 1e9, 0] weight',
    prepare: ({ dir }) => tfjsModel(dir, (json) => {
        json.weightsManifest[0].weights[0].shape = [1e9, 1e9, 0];
        return json;
      }),
    run: ({ input }) => loadInto(input),
    expect: { name: 'WeightsFormatError', message: /shape \[1000000000, 1000000000, 0\] spans more than/ },
  },
];

/** A safetensors file from a header text as is (not re-serialized). */
function rawSafetensors(headerText, data) {
  let text = utf8(headerText);
  if (text.length % 8) text = Uint8Array.from([...text, ...new Array(8 - (text.length % 8)).fill(0x20)]);
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}
