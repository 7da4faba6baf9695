#!/usr/bin/env bash
# Regenerates the model-file fixtures of this folder with a build of FcnLab as it was before format
# version 3 (commit be0ab45): model files of format 1 (the dense shorthand) and 2 (an --arch network),
# and what that build printed for them (eval, predict, summary, export), with this folder as {DIR}.
#   usage: make-fixtures.sh PATH/TO/OLD/fcnlab.dll
set -euo pipefail
old="$1"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
python3 "$here/mkdata.py"   # writes data/: 8x8 images, 4 classes, 120 train and 40 test
fcnlab() { dotnet "$old" "$@"; }
common=(--data data --dataset tiny --epochs 2 --batch-size 16 --lr 0.05 --seed 3 --threads 1 --store "$work/store.db" --quiet)
fcnlab train "${common[@]}" --hidden 12,8 --batch-norm --dropout 0.25 --activation leaky-relu --leaky-slope 0.2 --out run-dense
fcnlab train "${common[@]}" --hidden none --activation tanh --init kaiming-normal --out run-softmax
fcnlab train "${common[@]}" --arch "conv(3,3,pad=1) batchnorm relu maxpool(2) flatten dense(10) relu dropout(0.2) dense(classes)" --out run-arch
cp run-dense/model.fcnlab dense-v1.fcnlab
cp run-softmax/model.fcnlab softmax-v1.fcnlab
cp run-arch/model.fcnlab arch-v2.fcnlab
mkdir -p expected
for m in dense-v1 softmax-v1 arch-v2; do
  model="$work/$m.fcnlab"
  fcnlab eval --model "$model" --data "$work/data" --dataset tiny --threads 1 --json > "expected/$m.eval.json"
  fcnlab eval --model "$model" --data "$work/data" --dataset tiny --threads 1 > "expected/$m.eval.txt"
  fcnlab predict --model "$model" "$work/data/t10k-images-idx3-ubyte" --labels "$work/data/t10k-labels-idx1-ubyte" --top 2 --threads 1 --json > "expected/$m.predict.json" 2>/dev/null
  fcnlab predict --model "$model" "$work/data/t10k-images-idx3-ubyte" --labels "$work/data/t10k-labels-idx1-ubyte" --threads 1 > "expected/$m.predict.txt" 2>/dev/null
  fcnlab summary --model "$model" > "expected/$m.summary.txt"
  fcnlab export --model "$model" --format onnx --softmax --out "$work/$m.onnx" > /dev/null
  fcnlab export --model "$model" --format safetensors --out "$work/$m.safetensors" > /dev/null
  (cd "$work" && sha256sum "$m.onnx" "$m.safetensors" "$m.safetensors.json") > "expected/$m.exports.sha256"
done
sed -i "s#$work#{DIR}#g" expected/*
rm -rf "$here/data" "$here/expected"
cp -r data expected dense-v1.fcnlab softmax-v1.fcnlab arch-v2.fcnlab "$here/"
