#!/usr/bin/env bash
# status_nomem.sh — generated code returns a kernel's status as the run's,
# from either backend.
#
#   status_nomem.sh VGGC MODEL.onnx WORKDIR RUNTIME_INCLUDE LIBVGGRT
#
# MODEL has a Winograd or chained layer, whose kernels need their
# per-thread scratch.  status_nomem.c (see it) is built in place of the
# generated driver of the C backend, and linked with the LLVM backend's
# object file (`--emit obj`), and run on each.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
vggc=$1 model=$2 work=$3 rtinc=$4 rtlib=$5
name=$(basename "$model" .onnx)
rm -rf "$work"
mkdir -p "$work"

"$vggc" compile "$model" -o "$work/c" --name "$name"
cp "$here/status_nomem.c" "$work/c/main.c"
cp "$here/../address_space.h" "$work/c/"
printf '#include "%s.h"\n#define M(x) %s_##x\n' "$name" "$name" > "$work/c/model_name.h"
make -s -C "$work/c" WARNINGS="-Wall -Wextra -Werror" >/dev/null
echo "C backend:"
VGGRT_NUM_THREADS=2 "$work/c/$name" "$work/c/$name.weights"

"$vggc" compile "$model" -o "$work/obj" --name "$name" --emit obj
cp "$work/c/model_name.h" "$work/obj/"
cc -O1 -Wall -Wextra -Werror -I"$work/obj" -I"$here/.." -I"$rtinc" "$here/status_nomem.c" \
   "$work/obj/$name.o" "$rtlib" -lopenblas -lm -lpthread -o "$work/obj_app"
echo "LLVM backend (object file):"
VGGRT_NUM_THREADS=2 "$work/obj_app" "$work/obj/$name.weights"
