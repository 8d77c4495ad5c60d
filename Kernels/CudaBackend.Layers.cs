using Pade.Engine.Functional;
using Pade.Engine;
using Pade.Kernels.Interop;
using Pade.Kernels.Catalog;

namespace Pade.Kernels;

/// <summary>
/// Layer kernels (cuda/conv.cu, pool.cu, batchnorm.cu): convolution as im2col + GEMM (direct kernels for depthwise
/// convolutions), max / average / adaptive pooling, batch normalisation. All tensors contiguous NCHW, as the CPU's.
/// </summary>
public sealed partial class CudaBackend
{
    /// <summary>Cap on one chunk's im2col matrix (elements): 32M, 128 MiB of float32.</summary>
    internal const long ConvMaxColElements = 1L << 25;

    /// <summary>Samples per im2col chunk: as many as fit <see cref="ConvMaxColElements"/> (a function of the shape
    /// only, so the order in which weight gradients accumulate is the same on every GPU).</summary>
    internal static int ConvSamplesPerChunk(in Conv2dGeometry g)
    {
        long perSample = Math.Max(1L, (long)g.ColRows * g.OH * g.OW);
        return (int)Math.Clamp(ConvMaxColElements / perSample, 1, Math.Max(1, g.N));
    }

    public override void Conv2d(Tensor x, Tensor w, Tensor? b, Tensor y, Conv2dGeometry g)
    {
        CheckLayer("Conv2d", x, w, y, b);
        if ((long)g.N * g.K * g.OH * g.OW == 0) return;
        var bias = b == null ? default : PointerOf(b, "Conv2d");
        if (g.IsDepthwise)
        {
            ConvKernels.DepthwiseForward[x.DType].LaunchOver(CudaDevice, y.Numel, PointerOf(x, "Conv2d"), PointerOf(w, "Conv2d"), bias, PointerOf(y, "Conv2d"), KernelArg.Of(g));
            return;
        }
        int ns = ConvSamplesPerChunk(g), ohw = g.OH * g.OW, rows = g.ColRows, kg = g.KPerGroup;
        int size = x.DType.SizeInBytes();
        using var col = Scratch((long)rows * ns * ohw, x.DType);
        using var tmp = Scratch((long)kg * ns * ohw, x.DType);
        for (int s0 = 0; s0 < g.N; s0 += ns)
        {
            int count = Math.Min(ns, g.N - s0), cols = count * ohw;
            for (int gi = 0; gi < g.Groups; gi++)
            {
                ConvKernels.Im2Col[x.DType].LaunchOver(CudaDevice, (long)rows * cols, PointerOf(x, "Conv2d"), col.Pointer, KernelArg.Of(g), s0, count, gi);
                Gemm(x.DType, PointerOf(w, "Conv2d").Offset((long)gi * kg * rows * size), col.Pointer, tmp.Pointer, 1, kg, cols, rows, false, false, 0);
                ConvKernels.Output[x.DType].LaunchOver(CudaDevice, (long)kg * cols, tmp.Pointer, bias, PointerOf(y, "Conv2d"), KernelArg.Of(g), s0, count, gi);
            }
        }
    }

    public override void Conv2dBackward(Tensor x, Tensor w, Tensor dy, Tensor? dx, Tensor? dw, Tensor? db, Conv2dGeometry g)
    {
        CheckLayer("Conv2dBackward", x, w, dy, null);
        if (db != null)
        {
            // db[k] = Σ_{n, p} dy[n, k, p]: the reduction kernels on [N, K, OH·OW] over axes 0 and 2.
            Reduce(ReduceOp.Sum, dy.Reshape(g.N, g.K, g.OH * g.OW), [0, 2], db.Reshape(1, g.K, 1));
        }
        if (dx == null && dw == null) return;
        if (g.IsDepthwise)
        {
            if (dx != null) ConvKernels.DepthwiseBackwardInput[x.DType].LaunchOver(CudaDevice, dx.Numel, PointerOf(w, "Conv2dBackward"), PointerOf(dy, "Conv2dBackward"), PointerOf(dx, "Conv2dBackward"), KernelArg.Of(g));
            if (dw != null) ConvKernels.DepthwiseBackwardWeight[x.DType].Launch(CudaDevice, Blocks((long)g.C * g.KH * g.KW), PointerOf(x, "Conv2dBackward"), PointerOf(dy, "Conv2dBackward"), PointerOf(dw, "Conv2dBackward"), KernelArg.Of(g));
            return;
        }
        int ns = ConvSamplesPerChunk(g), ohw = g.OH * g.OW, rows = g.ColRows, kg = g.KPerGroup;
        int size = x.DType.SizeInBytes();
        using var col = Scratch((long)rows * ns * ohw, x.DType);
        using var tmp = Scratch((long)kg * ns * ohw, x.DType);
        for (int s0 = 0; s0 < g.N; s0 += ns)
        {
            int count = Math.Min(ns, g.N - s0), cols = count * ohw;
            for (int gi = 0; gi < g.Groups; gi++)
            {
                var wg = PointerOf(w, "Conv2dBackward").Offset((long)gi * kg * rows * size);
                ConvKernels.GatherDy[x.DType].LaunchOver(CudaDevice, (long)kg * cols, PointerOf(dy, "Conv2dBackward"), tmp.Pointer, KernelArg.Of(g), s0, count, gi);
                if (dw != null)
                {
                    // dW_g (+)= dY_g · colᵀ, chunk after chunk in order (beta = 0 on the first).
                    ConvKernels.Im2Col[x.DType].LaunchOver(CudaDevice, (long)rows * cols, PointerOf(x, "Conv2dBackward"), col.Pointer, KernelArg.Of(g), s0, count, gi);
                    Gemm(x.DType, tmp.Pointer, col.Pointer, PointerOf(dw, "Conv2dBackward").Offset((long)gi * kg * rows * size), 1, kg, rows, cols,
                        false, true, s0 == 0 ? 0 : 1);
                }
                if (dx != null)
                {
                    // dcol = W_gᵀ · dY_g, then gathered into dx (col is free again once the weight GEMM is queued).
                    Gemm(x.DType, wg, tmp.Pointer, col.Pointer, 1, rows, cols, kg, true, false, 0);
                    ConvKernels.Col2Im[x.DType].LaunchOver(CudaDevice, (long)count * g.CPerGroup * g.H * g.W, col.Pointer, PointerOf(dx, "Conv2dBackward"), KernelArg.Of(g), s0, count, gi);
                }
            }
        }
    }

    public override void MaxPool2d(Tensor x, Tensor y, Tensor indices, Pool2dGeometry g)
    {
        CheckLayer("MaxPool2d", x, y, y, null);
        if (y.Numel == 0) return;
        PoolKernels.MaxPool2d[x.DType].LaunchOver(CudaDevice, y.Numel, PointerOf(x, "MaxPool2d"), PointerOf(y, "MaxPool2d"), PointerOf(indices, "MaxPool2d"), KernelArg.Of(g));
    }

    public override void MaxPool2dBackward(Tensor dy, Tensor indices, Tensor dx, Pool2dGeometry g)
    {
        CheckLayer("MaxPool2dBackward", dy, dx, dx, null);
        if (dx.Numel == 0) return;
        PoolKernels.MaxPool2dBackward[dy.DType].LaunchOver(CudaDevice, dx.Numel, PointerOf(dy, "MaxPool2dBackward"), PointerOf(indices, "MaxPool2dBackward"), PointerOf(dx, "MaxPool2dBackward"), KernelArg.Of(g));
    }

    public override void AvgPool2d(Tensor x, Tensor y, Pool2dGeometry g, bool countIncludePad, int divisorOverride)
    {
        CheckLayer("AvgPool2d", x, y, y, null);
        if (y.Numel == 0) return;
        PoolKernels.AvgPool2d[x.DType].LaunchOver(CudaDevice, y.Numel, PointerOf(x, "AvgPool2d"), PointerOf(y, "AvgPool2d"), KernelArg.Of(g),
            countIncludePad ? 1 : 0, divisorOverride);
    }

    public override void AvgPool2dBackward(Tensor dy, Tensor dx, Pool2dGeometry g, bool countIncludePad, int divisorOverride)
    {
        CheckLayer("AvgPool2dBackward", dy, dx, dx, null);
        if (dx.Numel == 0) return;
        PoolKernels.AvgPool2dBackward[dy.DType].LaunchOver(CudaDevice, dx.Numel, PointerOf(dy, "AvgPool2dBackward"), PointerOf(dx, "AvgPool2dBackward"),
            KernelArg.Of(g), countIncludePad ? 1 : 0, divisorOverride);
    }

    public override void AdaptiveAvgPool2d(Tensor x, Tensor y)
    {
        CheckLayer("AdaptiveAvgPool2d", x, y, y, null);
        if (y.Numel == 0) return;
        PoolKernels.AdaptiveAvgPool2d[x.DType].LaunchOver(CudaDevice, y.Numel, PointerOf(x, "AdaptiveAvgPool2d"), PointerOf(y, "AdaptiveAvgPool2d"),
            (long)x.Size(0) * x.Size(1), x.Size(2), x.Size(3), y.Size(2), y.Size(3));
    }

    public override void AdaptiveAvgPool2dBackward(Tensor dy, Tensor dx)
    {
        CheckLayer("AdaptiveAvgPool2dBackward", dy, dx, dx, null);
        if (dx.Numel == 0) return;
        PoolKernels.AdaptiveAvgPool2dBackward[dy.DType].LaunchOver(CudaDevice, dx.Numel, PointerOf(dy, "AdaptiveAvgPool2dBackward"), PointerOf(dx, "AdaptiveAvgPool2dBackward"),
            (long)dx.Size(0) * dx.Size(1), dx.Size(2), dx.Size(3), dy.Size(2), dy.Size(3));
    }

    public override void AdaptiveMaxPool2d(Tensor x, Tensor y, Tensor indices)
    {
        CheckLayer("AdaptiveMaxPool2d", x, y, y, null);
        if (y.Numel == 0) return;
        PoolKernels.AdaptiveMaxPool2d[x.DType].LaunchOver(CudaDevice, y.Numel, PointerOf(x, "AdaptiveMaxPool2d"), PointerOf(y, "AdaptiveMaxPool2d"),
            PointerOf(indices, "AdaptiveMaxPool2d"), (long)x.Size(0) * x.Size(1), x.Size(2), x.Size(3), y.Size(2), y.Size(3));
    }

    public override void AdaptiveMaxPool2dBackward(Tensor dy, Tensor indices, Tensor dx)
    {
        CheckLayer("AdaptiveMaxPool2dBackward", dy, dx, dx, null);
        if (dx.Numel == 0) return;
        PoolKernels.AdaptiveMaxPool2dBackward[dy.DType].LaunchOver(CudaDevice, dx.Numel, PointerOf(dy, "AdaptiveMaxPool2dBackward"),
            PointerOf(indices, "AdaptiveMaxPool2dBackward"), PointerOf(dx, "AdaptiveMaxPool2dBackward"),
            (long)dx.Size(0) * dx.Size(1), dx.Size(2), dx.Size(3), dy.Size(2), dy.Size(3));
    }

    public override void BatchNormStats(Tensor x, Tensor mean, Tensor var)
    {
        CheckLayer("BatchNormStats", x, mean, var, null);
        int n = x.Size(0), c = x.Size(1);
        if (c == 0) return;
        BatchNormKernels.Stats[x.DType].Launch(CudaDevice, Blocks(c), PointerOf(x, "BatchNormStats"), PointerOf(mean, "BatchNormStats"), PointerOf(var, "BatchNormStats"),
            n, c, (long)x.Size(2));
    }

    public override void BatchNormForward(Tensor x, Tensor mean, Tensor invStd, Tensor? weight, Tensor? bias, Tensor y)
    {
        CheckLayer("BatchNormForward", x, mean, invStd, y);
        if (x.Numel == 0) return;
        BatchNormKernels.Forward[x.DType].LaunchOver(CudaDevice, x.Numel, PointerOf(x, "BatchNormForward"), PointerOf(mean, "BatchNormForward"),
            PointerOf(invStd, "BatchNormForward"), Optional(weight, "BatchNormForward"), Optional(bias, "BatchNormForward"), PointerOf(y, "BatchNormForward"),
            x.Size(0), x.Size(1), (long)x.Size(2));
    }

    public override void BatchNormBackward(Tensor x, Tensor dy, Tensor mean, Tensor invStd, Tensor? weight, bool training,
        Tensor? dx, Tensor? dweight, Tensor? dbias)
    {
        CheckLayer("BatchNormBackward", x, dy, mean, invStd);
        int n = x.Size(0), c = x.Size(1);
        long spatial = x.Size(2);
        if (c == 0) return;
        using var sums = Scratch(2L * c, DType.Float64);
        bool needSums = dweight != null || dbias != null || (dx != null && training);
        if (needSums)
            BatchNormKernels.BackwardSums[x.DType].Launch(CudaDevice, Blocks(c), PointerOf(x, "BatchNormBackward"), PointerOf(dy, "BatchNormBackward"),
                PointerOf(mean, "BatchNormBackward"), PointerOf(invStd, "BatchNormBackward"), sums.Pointer,
                Optional(dweight, "BatchNormBackward"), Optional(dbias, "BatchNormBackward"), n, c, spatial);
        if (dx == null || dx.Numel == 0) return;
        BatchNormKernels.BackwardDx[x.DType].LaunchOver(CudaDevice, dx.Numel, PointerOf(x, "BatchNormBackward"), PointerOf(dy, "BatchNormBackward"),
            PointerOf(mean, "BatchNormBackward"), PointerOf(invStd, "BatchNormBackward"), Optional(weight, "BatchNormBackward"), sums.Pointer,
            PointerOf(dx, "BatchNormBackward"), n, c, spatial, training ? 1 : 0);
    }

    /// <summary>A 1-D grid of <paramref name="blocks"/> blocks (at least one).</summary>
    private static Dim3 Blocks(long blocks) => new((uint)Math.Max(1, blocks));

    private CuDevicePtr Optional(Tensor? t, string op) => t == null ? default : PointerOf(t, op);

    private static void CheckLayer(string op, Tensor a, Tensor b, Tensor c, Tensor? d)
    {
        RequireFloating(op, a);
        foreach (var t in (Tensor?[])[a, b, c, d])
        {
            if (t == null) continue;
            RequireContiguous(op, t);
            if (t.DType != a.DType && t.DType != DType.Int32)
                throw new ArgumentException($"{op}: tensors of {a.DType.TorchName()} and {t.DType.TorchName()}");
        }
    }
}
