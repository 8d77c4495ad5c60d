using Pade.Engine;
using Pade.Kernels.Catalog;
using Pade.Kernels.Interop;

namespace Pade.Kernels;

/// <summary>Batched GEMM (cuda/gemm.cu).</summary>
public sealed partial class CudaBackend
{
    public override void MatMul(Tensor a, Tensor b, Tensor c, bool transA, bool transB, double beta = 0)
    {
        RequireFloating("MatMul", c);
        foreach (var t in (Tensor[])[a, b, c])
        {
            RequireContiguous("MatMul", t);
            if (t.Rank != 3) throw new ArgumentException($"MatMul: the kernel takes [batch, rows, cols] operands, got shape {Shapes.Format(t.Shape)}");
            if (t.DType != c.DType) throw new ArgumentException($"MatMul: operands are {a.DType.TorchName()}, {b.DType.TorchName()} and {c.DType.TorchName()}");
        }
        int batch = c.Shape[0], m = c.Shape[1], n = c.Shape[2];
        int k = transA ? a.Shape[1] : a.Shape[2];
        int ma = transA ? a.Shape[2] : a.Shape[1];
        int kb = transB ? b.Shape[2] : b.Shape[1], nb = transB ? b.Shape[1] : b.Shape[2];
        if (a.Shape[0] != batch || b.Shape[0] != batch || ma != m || kb != k || nb != n)
            throw new ArgumentException(
                $"MatMul: shapes {Shapes.Format(a.Shape)}{(transA ? "ᵀ" : "")} @ {Shapes.Format(b.Shape)}{(transB ? "ᵀ" : "")} -> {Shapes.Format(c.Shape)} do not match");
        if ((long)batch * m * n == 0) return;

        Gemm(c.DType, PointerOf(a, "MatMul"), PointerOf(b, "MatMul"), PointerOf(c, "MatMul"), batch, m, n, k, transA, transB, beta);
    }

    /// <summary>The GEMM on raw device matrices (packed batches, row-major), for kernels built on it (convolution).
    /// <paramref name="forceTile"/> (64 or 128) overrides the tile the shape would pick: the kernel-level parity cases
    /// run each tile on shapes of their choosing, whatever the GPU's size.</summary>
    internal void Gemm(DType dtype, CuDevicePtr a, CuDevicePtr b, CuDevicePtr c, int batch, int m, int n, int k,
        bool transA, bool transB, double beta, int forceTile = 0)
    {
        if ((long)batch * m * n == 0) return;
        var (kernel, tile) = forceTile == 0 ? GemmKernel(dtype, batch, m, n, transA, transB) : (GemmKernels.For(dtype, forceTile, transA, transB), forceTile);
        // All tiles of a product in x (gemm.cu numbers them row after row): y would stop at 65535 row tiles.
        long tiles = (long)((m + tile - 1) / tile) * ((n + tile - 1) / tile);
        if (tiles > CudaDevice.MaxGrid.X)
            throw new NotSupportedException($"MatMul: a [{m}, {n}] product has {tiles} tiles of {tile}x{tile}, more than the {CudaDevice.MaxGrid.X} blocks of a grid");
        var grid = new Dim3((uint)tiles, 1, (uint)Math.Min(batch, 65535));
        kernel.Launch(CudaDevice, grid, a, b, c, m, n, k, Scalar(dtype, beta), (long)batch);
    }

    /// <summary>
    /// The entry point and its tile size: float32 uses 128×128 tiles when there are enough of them to occupy
    /// every multiprocessor twice, else 64×64 (more blocks for small products); float64 always 64×64.
    /// </summary>
    public (Kernel Kernel, int Tile) GemmKernel(DType dtype, int batch, int m, int n, bool transA, bool transB)
    {
        if (dtype == DType.Float64) return (GemmKernels.For(dtype, 64, transA, transB), 64);
        long bigTiles = (long)batch * ((m + 127) / 128) * ((n + 127) / 128);
        int tile = bigTiles >= 2L * CudaDevice.MultiprocessorCount ? 128 : 64;
        return (GemmKernels.For(dtype, tile, transA, transB), tile);
    }
}
