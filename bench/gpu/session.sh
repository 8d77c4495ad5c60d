#!/usr/bin/env bash
# bench/gpu/session.sh: a whole GPU session in one call, for a machine lent for minutes that has CUDA, a driver and
# PyTorch but no .NET. Run from the repository root with the self-contained `pade` in publish/
# (`dotnet cake --target=Publish`); writes everything to $OUT and a log of every step with its time and exit code.
#
#   OUT=/path/to/out bench/gpu/session.sh [--quick]
#
# Steps, each with its own time limit, within a budget of SESSION_BUDGET_S seconds (default 420, about 7 minutes;
# a step that would start with less than 10 s left is skipped and says so):
#   1. probe: nvidia-smi, the NVRTC libraries present, PyTorch's view of the GPU, `pade info`,
#      `pade gpu check --compile-only`
#   2. `pade gpu check`: every op case and kernel-level case against the CPU (gpu-check.md). If a kernel fault kills
#      the CUDA context (exit code 3), every family of cases is rerun in its own process with synchronous launches,
#      so the faulting kernel is named (sync-<family>.md/.txt).
#   3. `pade bench gpu` (gpu-bench.md) and bench/pau_torch.py (pau-torch.md; with --compile where PyTorch has it).
#   4. summary.md: the exit code and time of every step.
# --quick shrinks the benchmarks (and nothing else) so that the whole script runs on the emulated CUDA driver
# (PADE_CUDA_DRIVER=.../libpade_cuda_emulator.so) as a dry run.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:-$PWD/session-out}"
mkdir -p "$OUT"
BUDGET="${SESSION_BUDGET_S:-420}"
PADE="${PADE:-$PWD/publish/pade}"
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
START=$(date +%s)
SUMMARY=()

log() { echo "[$(date -u +%H:%M:%S) +$(( $(date +%s) - START ))s] $*" | tee -a "$OUT/session.log"; }

# step NAME LIMIT CMD...: runs CMD with at most LIMIT seconds (less if the budget is nearly spent), its output in
# $OUT/NAME.txt and echoed to the log's tail; returns CMD's exit code (124: timed out, 125: skipped).
step() {
  local name=$1 limit=$2; shift 2
  local left=$(( BUDGET - ($(date +%s) - START) ))
  (( left < limit )) && limit=$left
  if (( limit < 10 )); then
    log "SKIP  $name: the session's budget of ${BUDGET}s is spent"
    SUMMARY+=("| $name | skipped | 0 |")
    return 125
  fi
  log "START $name (limit ${limit}s): $*"
  local t0=$(date +%s)
  timeout --kill-after=10 "$limit" "$@" > "$OUT/$name.txt" 2>&1
  local rc=$?
  local took=$(( $(date +%s) - t0 ))
  tail -n 5 "$OUT/$name.txt" | sed 's/^/      /' | tee -a "$OUT/session.log"
  log "END   $name: exit $rc after ${took}s"
  SUMMARY+=("| $name | $rc | $took |")
  return $rc
}

log "session: $(hostname), out $OUT, budget ${BUDGET}s, pade $PADE, quick $QUICK"
if [ ! -x "$PADE" ]; then
  log "no pade at $PADE: build it with 'dotnet cake --target=Publish' and carry publish/"
  exit 2
fi

# 1. probe
step probe-nvidia-smi 20 nvidia-smi
step probe-gpu 20 nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total,clocks.max.sm --format=csv
step probe-nvrtc 20 bash -c 'ldconfig -p | grep -i nvrtc; ls -d /usr/local/cuda*/lib64/libnvrtc* 2>/dev/null; python3 - <<PY
import glob, site, sys
roots = site.getsitepackages() + [site.getusersitepackages()]
print("site-packages:", roots)
for r in roots: print("\n".join(glob.glob(r + "/nvidia/*/lib/libnvrtc*")))
PY'
step probe-torch 60 python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available()); print(torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU for torch"); print("compile", hasattr(torch, "compile"))'
step probe-pade-info 30 "$PADE" info
step compile-only 60 "$PADE" gpu check --compile-only

# 2. correctness
step gpu-check 240 "$PADE" gpu check --out "$OUT/gpu-check.md"
check=$?
if [ $check -eq 3 ]; then
  log "a kernel fault killed the context: each family again in its own process, launches synchronous"
  for family in $("$PADE" gpu check --list | awk '{print $1}' | sort -u); do
    step "sync-$family" 60 "$PADE" gpu check --sync --filter "$family" --out "$OUT/sync-$family.md"
  done
fi

# 3. speed
if [ $QUICK -eq 1 ]; then
  bench=(--sizes 64K --gemm 256 --batch 4 --reps 2); torch=(--sizes 64K --repetitions 2)
else
  bench=(); torch=()
fi
step bench-gpu 150 "$PADE" bench gpu --out "$OUT/gpu-bench.md" "${bench[@]}"
compile=()
python3 -c 'import sys, torch; sys.exit(0 if hasattr(torch, "compile") and torch.cuda.is_available() else 1)' 2>/dev/null && compile=(--compile)
step pau-torch 120 python3 bench/pau_torch.py --out "$OUT/pau-torch.md" "${compile[@]}" "${torch[@]}"

# 4. summary
{
  echo "# GPU session $(date -u +%Y-%m-%d\ %H:%M) UTC on $(hostname)"
  echo
  echo "| step | exit code | seconds |"
  echo "|---|---|---|"
  printf '%s\n' "${SUMMARY[@]}"
  echo
  echo "Total: $(( $(date +%s) - START )) s of a ${BUDGET} s budget. gpu check exit code: $check (0 all passed, 1 mismatches, 3 context lost, 4 no GPU)."
} > "$OUT/summary.md"
log "done: $OUT/summary.md"
exit 0
