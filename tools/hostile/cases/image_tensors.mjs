// Hostile Tensor3D inputs for preprocessing: shapes beyond the limits must be refused before the
// tensor's values are read (reading copies them all). The cpu backend is loaded with the file, so
// its start-up is part of the baseline rather than of each case.
import '@resnext/backends/cpu';
import { useBackend } from '@resnext/backends';
import * as tf from '@tensorflow/tfjs-core';
import { preprocess } from '@resnext/pretrained';

await useBackend('cpu');

/** What torchvision's ResNeXt-50 weights use: Resize(232), CenterCrop(224). */
const V2 = { resizeSize: 232, cropSize: 224, interpolation: 'bilinear', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

export const cases = [
  {
    id: 'tensor-5000x1',
    about: 'a [5000, 1, 3] Tensor3D (refused before its values are read)',
    run: () => preprocess(tf.zeros([5000, 1, 3], 'int32'), V2),
    expect: { name: 'ImageDecodeError', message: /^Tensor3D \[5000, 1, 3\]: a 1x5000 image .*aspect ratio 5,000:1/ },
  },
  {
    id: 'tensor-1x40000',
    about: 'a [1, 40000, 3] Tensor3D',
    run: () => preprocess(tf.zeros([1, 40_000, 3], 'int32'), V2),
    expect: { name: 'ImageDecodeError', message: /^Tensor3D \[1, 40000, 3\]: a 40000x1 image .*width 40,000 is above 32,768/ },
  },
  {
    id: 'tensor-rank-2',
    about: 'a [4, 4] tensor where an image is expected',
    run: () => preprocess(tf.zeros([4, 4]), V2),
    expect: { name: 'ImageDecodeError', message: /^Tensor3D: shape \[4, 4\] is not \[height, width, channels\]/ },
  },
];
