#!/usr/bin/env bash
# quickstart.sh — README command 1: from a fresh Debian 12 machine to a prediction.
#
# Installs what is missing, builds vggc, generates the default model
# (VGG-16 + a cats-vs-dogs head, seeded weights), compiles it to C with
# vggc, builds that C with make, and runs it on a sample input.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"

out=build/quickstart
mkdir -p "$out"
./build/cli/vggc inspect build/models/vgg16_head.onnx | tail -5
./build/cli/vggc compile build/models/vgg16_head.onnx -o "$out/vgg16_head"
make -s -C "$out/vgg16_head"
# A sample "image": seeded pixels scaled as x/127.5 - 1, NCHW [1,3,160,160].
/usr/bin/python3 models/make_input.py --shape 1,3,160,160 --seed 7 "$out/sample.npy"
echo "prediction (class 0 = cat, class 1 = dog):"
"$out/vgg16_head/vgg16_head" --input "$out/sample.npy" --top 2
