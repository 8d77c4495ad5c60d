#!/bin/sh
# Runs the CUDA kernels of cuda/ on the CPU (emu.h: one thread per CUDA thread, blocks one after another,
# __syncthreads and warp shuffles through barriers) against naive references. A development check for machines
# without a GPU; it needs g++ 12 (C++20 <barrier>), not CUDA. Slow (one OS thread per CUDA thread): minutes.
set -e
cd "$(dirname "$0")"
mkdir -p /tmp/pade-emu
for t in test_gemm test_reduce test_misc test_copy test_pau2 test_pau_align test_layers test_act; do
    g++ -std=c++20 -O1 -Wno-unknown-pragmas -pthread "$t.cpp" -o "/tmp/pade-emu/$t"
    echo "== $t"
    "/tmp/pade-emu/$t"
done
