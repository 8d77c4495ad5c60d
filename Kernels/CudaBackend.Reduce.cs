using Pade.Engine;
using Pade.Kernels.Interop;
using Pade.Kernels.Catalog;

namespace Pade.Kernels;

/// <summary>Reductions (cuda/reduce.cu). As on the CPU, each run of adjacent reduced axes is a view
/// [outer, len, inner] reduced to [outer, inner], the last run first.</summary>
public sealed partial class CudaBackend
{
    /// <summary>Elements one warp reduces in a contiguous row segment before partials are combined again.</summary>
    internal const long RowChunk = 8192;

    /// <summary>Outputs a strided reduction wants at least, before it also splits the reduced axis.</summary>
    internal const long StridedOutputs = 1 << 16;

    public override void Reduce(ReduceOp op, Tensor x, int[] axes, Tensor y)
    {
        if (op == ReduceOp.LogSumExp) throw new ArgumentException("Reduce: LogSumExp is a scan op only", nameof(op));
        RequireFloating($"Reduce({op})", x);
        RequireContiguous($"Reduce({op})", x);
        RequireContiguous($"Reduce({op})", y);
        if (x.Numel == 0) return;
        var passes = ReductionPlan.Passes(x.Shape, axes);
        if (passes.Length == 0)
        {
            Copy(x, y);
            return;
        }

        var dtype = x.DType;
        var current = PointerOf(x, "Reduce");
        ScratchBuffer? held = null;
        try
        {
            for (int p = 0; p < passes.Length; p++)
            {
                var (outer, len, inner) = passes[p];
                bool last = p == passes.Length - 1;
                var target = last ? PointerOf(y, "Reduce") : default;
                ScratchBuffer? next = last ? null : Scratch(outer * inner, dtype);
                ReduceRun(op, dtype, current, next?.Pointer ?? target, outer, len, inner);
                held?.Dispose();
                held = next;
                current = next?.Pointer ?? target;
            }
        }
        finally
        {
            held?.Dispose();
        }
    }

    /// <summary>y[o, i] = ⊕_r x[o, r, i], in as many passes over partials as needed (each pass shrinks len by its chunk).</summary>
    private void ReduceRun(ReduceOp op, DType dtype, CuDevicePtr x, CuDevicePtr y, long outer, long len, long inner)
    {
        var source = x;
        ScratchBuffer? held = null;
        try
        {
            while (true)
            {
                long chunk = ChunkFor(outer, len, inner);
                long chunks = (len + chunk - 1) / chunk;
                bool final = chunks == 1;
                ScratchBuffer? partial = final ? null : Scratch(outer * chunks * inner, dtype);
                var target = partial?.Pointer ?? y;
                if (inner == 1)
                    ReduceKernels.Rows[dtype].Launch(CudaDevice, GridForWarps(outer * chunks), (int)op, source, target, outer, len, chunk);
                else
                    ReduceKernels.Strided[dtype].LaunchOver(CudaDevice, outer * chunks * inner, (int)op, source, target, outer, len, inner, chunk);
                held?.Dispose();
                held = partial;
                if (final) return;
                source = partial!.Value.Pointer;
                len = chunks;
            }
        }
        finally
        {
            held?.Dispose();
        }
    }

    /// <summary>
    /// How many elements of the reduced axis one partial covers. It depends only on the shape, never on the GPU,
    /// so a reduction gives the same bits on every device. Contiguous rows: <see cref="RowChunk"/> per warp.
    /// Strided: the whole axis when there are enough outputs to keep the GPU busy, else the axis is split so that
    /// about <see cref="StridedOutputs"/> threads work (each still summing at least 32 elements).
    /// </summary>
    internal static long ChunkFor(long outer, long len, long inner)
    {
        if (inner == 1) return RowChunk;
        long outputs = outer * inner;
        if (outputs >= StridedOutputs || len <= 64) return len;
        long pieces = (StridedOutputs + outputs - 1) / outputs;
        return Math.Max(32, (len + pieces - 1) / pieces);
    }

    public override void Scan(ReduceOp op, Tensor x, int axis, Tensor y, bool reverse, bool exclusive)
    {
        RequireFloating("Scan", x);
        RequireContiguous("Scan", x);
        RequireContiguous("Scan", y);
        var shape = x.Shape;
        long len = shape[axis], outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        if (outer * inner == 0 || len == 0) return;
        ReduceKernels.Scan[x.DType].LaunchOver(CudaDevice, outer * inner, (int)op, PointerOf(x, "Scan"), PointerOf(y, "Scan"),
            outer, len, inner, reverse ? 1 : 0, exclusive ? 1 : 0);
    }

    public override void ArgMax(Tensor x, int axis, Tensor y)
    {
        RequireFloating("ArgMax", x);
        RequireContiguous("ArgMax", x);
        RequireContiguous("ArgMax", y);
        if (y.DType != DType.Int32) throw new ArgumentException($"ArgMax: output must be int32, got {y.DType.TorchName()}");
        var shape = x.Shape;
        long len = shape[axis], outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        if (outer * inner == 0 || len == 0) return;
        ReduceKernels.ArgMax[x.DType].LaunchOver(CudaDevice, outer * inner, PointerOf(x, "ArgMax"), PointerOf(y, "ArgMax"), outer, len, inner);
    }
}
