#!/usr/bin/env python3
"""PyTorch baseline for `pade bench gpu`: the same safe PAU, composed of PyTorch ops, on a CUDA GPU.

    F(x) = P(x) / Q(x),  P(x) = a0 + a1 x + ... + a5 x^5,  Q(x) = 1 + |b1||x| + |b2||x|^2 + |b3||x|^3 + |b4||x|^4

(safe PAU, "version A" of the paper, m = 5, n = 4), initialised with Table 6's LReLU(0.01) column. Forward, and
forward + backward through autograd (gradients for x and the 10 coefficients), on 16M and 64M float32 elements,
plus PyTorch's ReLU and a device-to-device copy as references. Times are CUDA events around repeated runs after
warm-up; GB/s counts bytes as `pade bench gpu` does (copy, ReLU, PAU forward: 8 per element; PAU forward +
backward: 20), so the two tables compare directly.

Usage: python bench/pau_torch.py [--sizes 16M,64M] [--repetitions 20] [--compile] [--out results.md]
Needs PyTorch with CUDA. Prints a markdown table (and writes it with --out).
"""
import argparse
import datetime
import sys

import torch

# Table 6, LReLU(0.01): the paper's initialisation for every PAU.
NUMERATOR = [0.02979246, 0.61837738, 2.32335207, 3.05202660, 1.48548002, 0.25103717]
DENOMINATOR = [1.14201226, 4.39322834, 0.87154450, 0.34720652]


def pau(x, a, b):
    """Safe PAU from elementwise ops: Horner in x for P, Horner in |x| for Q - 1."""
    p = a[5]
    for j in range(4, -1, -1):
        p = p * x + a[j]
    ax = x.abs()
    q = b[3].abs()
    for k in range(2, -1, -1):
        q = q * ax + b[k].abs()
    return p / (1 + q * ax)


def elapsed_ms(fn, repetitions, warmup=3):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(repetitions):
        fn()
    stop.record()
    stop.synchronize()
    return start.elapsed_time(stop) / repetitions


def parse_size(s):
    """'16M' -> 16 * 2**20, '64K' -> 64 * 2**10 (binary, as pade bench gpu --sizes)."""
    s = s.strip().upper()
    if s.endswith("M"):
        return int(s[:-1]) << 20
    if s.endswith("K"):
        return int(s[:-1]) << 10
    return int(s)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="16M,64M", help="element counts, e.g. 16M,64M")
    parser.add_argument("--repetitions", type=int, default=20)
    parser.add_argument("--compile", action="store_true", help="also time torch.compile(pau)")
    parser.add_argument("--out", help="also write the markdown table to this file")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("pau_torch.py: no CUDA device visible to PyTorch", file=sys.stderr)
        return 4

    device = torch.device("cuda")
    a = torch.tensor(NUMERATOR, device=device, requires_grad=True)
    b = torch.tensor(DENOMINATOR, device=device, requires_grad=True)
    variants = [("PAU (PyTorch ops)", pau)]
    if args.compile:
        variants.append(("PAU (torch.compile)", torch.compile(pau)))

    rows = []
    for n in (parse_size(s) for s in args.sizes.split(",")):
        gen = torch.Generator(device=device).manual_seed(1)
        x = (torch.rand(n, device=device, generator=gen) * 6 - 3).requires_grad_(True)
        dy = torch.rand(n, device=device, generator=gen) * 2 - 1
        out = torch.empty_like(dy)

        copy = elapsed_ms(lambda: out.copy_(dy), args.repetitions)
        copy_gbs = 8 * n / (copy * 1e-3) / 1e9
        rows.append(("device-to-device copy", n, copy, copy_gbs, 1.0))
        with torch.no_grad():
            relu = elapsed_ms(lambda: torch.relu(x), args.repetitions)
        rows.append(("ReLU forward (torch.relu)", n, relu, 8 * n / (relu * 1e-3) / 1e9, None))

        for name, fn in variants:
            with torch.no_grad():
                fwd = elapsed_ms(lambda: fn(x, a, b), args.repetitions)
            rows.append((f"{name} forward", n, fwd, 8 * n / (fwd * 1e-3) / 1e9, None))

            def step():
                x.grad = a.grad = b.grad = None
                fn(x, a, b).backward(dy)

            both = elapsed_ms(step, args.repetitions)
            rows.append((f"{name} forward + backward", n, both, 20 * n / (both * 1e-3) / 1e9, None))
        del x, dy, out
        torch.cuda.empty_cache()

    lines = [
        "# PAU in PyTorch ops (bench/pau_torch.py)",
        "",
        f"- **GPU**: {torch.cuda.get_device_name(device)}",
        f"- **PyTorch**: {torch.__version__}, CUDA {torch.version.cuda}",
        f"- **Date**: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- **Method**: CUDA events around {args.repetitions} runs after 3 warm-up runs; mean per run.",
        "",
        "| kernel | elements | time (ms) | GB/s | of copy |",
        "|---|---|---|---|---|",
    ]
    copy_by_size = {r[1]: r[3] for r in rows if r[0] == "device-to-device copy"}
    for name, n, ms, gbs, _ in rows:
        frac = gbs / copy_by_size[n]
        size = f"{n >> 20}M" if n % (1 << 20) == 0 else str(n)
        lines.append(f"| {name} | {size} | {ms:.3f} | {gbs:.0f} | {frac:.2f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
