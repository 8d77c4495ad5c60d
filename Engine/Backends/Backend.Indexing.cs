namespace Pade.Engine;

/// <summary>
/// The index kernels behind gather, scatter_add, index_select and embedding (Engine/Ops/Indexing.cs), over the axis
/// split [O, D, I]: the dims before the indexed axis, the axis, the dims after it. Index tensors are int32 views of
/// shape [O, K, I] with any strides (0 where one index row serves every o or i, as index_select's); the op has
/// checked every entry lies in [0, D). The other tensors are contiguous.
/// </summary>
public abstract partial class Backend
{
    /// <summary>y[o, k, i] = x[o, index[o, k, i], i], for x [O, D, I] and y [O, K, I].</summary>
    public virtual void Gather(Tensor x, Tensor index, Tensor y) => throw new NotSupportedException($"{Device} backend has no kernel gather");

    /// <summary>y[o, index[o, k, i], i] += src[o, k, i] for k = 0, 1, ..., K − 1 in that order, for y [O, D, I] (it holds
    /// the values added to) and src [O, K, I]. The order is part of the contract: results are the same on every run
    /// and device.</summary>
    public virtual void ScatterAdd(Tensor src, Tensor index, Tensor y) => throw new NotSupportedException($"{Device} backend has no kernel scatter_add");

    /// <summary>y[o, index[o, k, i], i] = reduce(y[o, index[o, k, i], i], src[o, k, i]) for k = 0, 1, ..., K − 1 in that
    /// order, shapes and strides as <see cref="ScatterAdd"/>'s: the product, the maximum or minimum (a NaN on either
    /// side wins, as in PyTorch) or the value itself (the last write wins). Deterministic as scatter-add.</summary>
    public virtual void ScatterReduce(Tensor src, Tensor index, Tensor y, ScatterReduceOp op) => throw new NotSupportedException($"{Device} backend has no kernel scatter_reduce");

    /// <summary>y[o, k, i] = Σ_{t = offsets[k]}^{offsets[k+1] − 1} weights[t]·x[o, taps[t], i], summed in order of t
    /// from the first product (no taps: 0), for x [O, D, I] and y [O, K, I], all contiguous; offsets int32 [K + 1],
    /// taps int32 and weights (x's dtype) [offsets[K]], every tap in [0, D). interpolate's 1-D pass along one axis
    /// and, on the transposed taps, its adjoint: one writer per output, so deterministic.</summary>
    public virtual void Resample(Tensor x, Tensor offsets, Tensor taps, Tensor weights, Tensor y) => throw new NotSupportedException($"{Device} backend has no kernel resample");
}

/// <summary>The reductions of <see cref="Backend.ScatterReduce"/> (the values are the CUDA kernel's op codes).</summary>
public enum ScatterReduceOp { Prod = 0, Amax = 1, Amin = 2, Assign = 3 }
