#!/usr/bin/python3
"""Load a Pade checkpoint into a plain PyTorch LeNet-PAU and measure it on the MNIST test images.

This shows that `model.safetensors` holds PyTorch's parameter names: the state dict read from the file goes
straight into `LeNetPau.load_state_dict(..., strict=True)`, with no renaming. The accuracy it prints is
`pade eval`'s for the same checkpoint (see load_pade_checkpoint.out.md).

Needs only numpy and torch. On Debian: `apt-get install python3-torch python3-numpy`, and run it with the system
interpreter, /usr/bin/python3 (a `python3` earlier on PATH, e.g. pyenv's, may not see those packages):

    /usr/bin/python3 docs/examples/load_pade_checkpoint.py RUN_OR_CHECKPOINT [--data-dir DIR] [--limit N]

RUN_OR_CHECKPOINT is what `pade eval` takes: a run folder (uses checkpoints/last), a checkpoint folder or its
model.safetensors. The test images are read from --data-dir (default: the copy in Datasets/data/mnist).
Not part of the test suite.
"""
import argparse
import gzip
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


# --- safetensors, read with numpy ----------------------------------------------------------------------------
# Layout: u64 little-endian N, then N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, ...,
# "__metadata__": {...}}, then the raw little-endian tensor bytes (offsets relative to the end of the header).
DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1",
          "U8": "u1", "BOOL": "?"}


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    n = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8:8 + n])
    metadata = header.pop("__metadata__", {})
    data = memoryview(blob)[8 + n:]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors, metadata


# --- PAU, version A ("safe PAU", the paper's eq. 2) ------------------------------------------------------------
class Pau(nn.Module):
    """F(x) = (a_0 + a_1 x + ... + a_m x^m) / (1 + |b_1||x| + ... + |b_n||x|^n).

    numerator = a_0..a_m and denominator = b_1..b_n: shape [m+1] / [n] shared by the layer, or [C, m+1] / [C, n]
    with one set per channel (axis 1).
    """

    def __init__(self, m=5, n=4):
        super().__init__()
        self.numerator = nn.Parameter(torch.zeros(m + 1))
        self.denominator = nn.Parameter(torch.zeros(n))

    def forward(self, x):
        a, b = self.numerator, self.denominator
        if a.dim() == 2:  # per channel: coefficients [C, k] -> [k, 1, C, 1, 1...] against x [N, C, ...]
            shape = (1, -1) + (1,) * (x.dim() - 2)
            a = [a[:, j].reshape(shape) for j in range(a.shape[1])]
            b = [b[:, k].reshape(shape) for k in range(b.shape[1])]
        p = torch.zeros_like(x)
        for coef in reversed(list(a)):              # Horner: P(x)
            p = p * x + coef
        ax, q = x.abs(), torch.zeros_like(x)
        for coef in reversed(list(b)):              # Σ |b_k| |x|^k = |x|·(|b_1| + |x|·(|b_2| + ...))
            q = (q + torch.as_tensor(coef).abs()) * ax
        return p / (1 + q)


# --- LeNet-5 with PAUs, as Layers/Models/LeNet.cs ----------------------------------------------------------
class LeNetPau(nn.Module):
    """conv 5x5x6 → PAU → max-pool 2 → conv 5x5x16 → PAU → max-pool 2 → conv 5x5x120 → PAU → fc 84 → PAU → fc 10,
    on 1x32x32 images. Attribute names are the checkpoint's (conv1.weight, act1.numerator, ...)."""

    def __init__(self):
        super().__init__()
        self.conv1, self.act1, self.pool1 = nn.Conv2d(1, 6, 5), Pau(), nn.MaxPool2d(2)
        self.conv2, self.act2, self.pool2 = nn.Conv2d(6, 16, 5), Pau(), nn.MaxPool2d(2)
        self.conv3, self.act3 = nn.Conv2d(16, 120, 5), Pau()
        self.fc1, self.act4, self.fc2 = nn.Linear(120, 84), Pau(), nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool1(self.act1(self.conv1(x)))
        x = self.pool2(self.act2(self.conv2(x)))
        x = self.act3(self.conv3(x)).flatten(1)     # [N, 120, 1, 1] → [N, 120]
        return self.fc2(self.act4(self.fc1(x)))


# --- MNIST test images, preprocessed as Pade's DataLoader does ------------------------------------------------
def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        blob = f.read()
    ndim = blob[3]                                  # magic 0x00 0x00 0x08 (u8) ndim
    shape = [int.from_bytes(blob[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(blob, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def find(data_dir, name):
    for candidate in (name, name + ".gz"):
        if os.path.exists(os.path.join(data_dir, candidate)):
            return os.path.join(data_dir, candidate)
    raise FileNotFoundError(f"{name}(.gz) not in {data_dir}")


def mnist_test(data_dir):
    images = read_idx(find(data_dir, "t10k-images-idx3-ubyte"))   # [10000, 28, 28] bytes
    labels = read_idx(find(data_dir, "t10k-labels-idx1-ubyte"))   # [10000]
    images = np.pad(images, ((0, 0), (2, 2), (2, 2)))              # zero-pad the bytes to 32x32 (no resizing)
    # (pixel/255 - 0.1307)/0.3081, folded into one float32 multiply-add as Preprocess.Normalize does
    mean, std = np.float32(0.1307), np.float32(0.3081)
    scale, shift = np.float32(1) / (np.float32(255) * std), -mean / std
    x = images.astype(np.float32) * scale + shift
    return torch.from_numpy(x[:, None]), torch.from_numpy(labels.astype(np.int64))


def checkpoint_file(path):
    if os.path.isfile(path):
        return path
    for sub in ("model.safetensors", "checkpoints/last/model.safetensors"):
        if os.path.isfile(os.path.join(path, sub)):
            return os.path.join(path, sub)
    raise FileNotFoundError(f"no model.safetensors in {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", help="run folder, checkpoint folder or model.safetensors")
    parser.add_argument("--data-dir", default=os.path.join(REPO, "Datasets", "data", "mnist"))
    parser.add_argument("--limit", type=int, help="only the first N test images")
    args = parser.parse_args()

    path = checkpoint_file(args.checkpoint)
    state, metadata = read_safetensors(path)
    print(f"{path}: {len(state)} tensors")
    for name, t in state.items():
        print(f"  {name:22s} {str(t.dtype):14s} {list(t.shape)}")

    model = LeNetPau()
    model.load_state_dict(state, strict=True)      # every name and shape must match, nothing left over
    model.eval()

    x, y = mnist_test(args.data_dir)
    if args.limit:
        x, y = x[:args.limit], y[:args.limit]
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    correct1 = correct5 = 0
    loss = 0.0
    with torch.no_grad():
        for i in range(0, len(y), 1000):
            logits, target = model(x[i:i + 1000]), y[i:i + 1000]
            loss += F.cross_entropy(logits, target, reduction="sum").item()
            t = logits.gather(1, target[:, None])
            higher = ((logits >= t).sum(1) - 1)     # other classes scoring at least the target (ties count against)
            correct1 += (higher == 0).sum().item()
            correct5 += (higher < 5).sum().item()
    n = len(y)
    print(f"images {n:,}  loss {loss / n:.4f}  top-1 {100 * correct1 / n:.2f}% ({correct1:,}/{n:,})  "
          f"top-5 {100 * correct5 / n:.2f}%")

    # How close float32 rounding comes to changing a prediction. Pade's kernels and PyTorch's sum in different
    # orders, so their float32 logits agree to rounding, not bit for bit. The same forward in float64 shows the
    # size of that rounding; a smallest gap between the two highest logits far above it means that no prediction
    # (and so no accuracy digit) can depend on which engine computed it.
    with torch.no_grad():
        p32 = torch.cat([model(x[i:i + 1000]) for i in range(0, n, 1000)])
        p64 = torch.cat([model.double()(x[i:i + 1000].double()) for i in range(0, n, 1000)])
    top2 = p32.topk(2, dim=1).values
    print(f"float64 forward: {(p64.argmax(1) != p32.argmax(1)).sum().item()} top-1 predictions differ, "
          f"max |logit difference| {(p64 - p32.double()).abs().max().item():.1e}, "
          f"smallest top-1/top-2 logit gap {(top2[:, 0] - top2[:, 1]).min().item():.1e}")


if __name__ == "__main__":
    main()
