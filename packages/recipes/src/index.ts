export { DatasetError } from './datasets/dataset_error.js';
export { DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_LABELS, fashionMnistDir, loadFashionMnist, type IdxImageSplit } from './datasets/fashion_mnist.js';
export { parseIdx, type IdxArray } from './datasets/idx.js';
export { CIFAR_FILES, readCifar, type CifarRecord } from './datasets/cifar.js';
