#!/usr/bin/env bash
# Long fuzz run of @resnext/pretrained's safetensors and .pth readers (default 100,000 mutants
# per reader). Usage: tools/fuzz-readers.sh [cases] [seed]
set -euo pipefail
cd "$(dirname "$0")/../packages/pretrained"
FUZZ_CASES="${1:-100000}" FUZZ_SEED="${2:-7}" npx vitest run src/fuzz --testTimeout=3600000
