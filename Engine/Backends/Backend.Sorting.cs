namespace Pade.Engine;

/// <summary>The sort kernel behind sort, argsort, topk, kthvalue and median (Engine/Ops/Sorting.cs).</summary>
public abstract partial class Backend
{
    /// <summary>
    /// Sorts contiguous x along <paramref name="axis"/> into contiguous <paramref name="values"/> (x's dtype) and
    /// <paramref name="indices"/> (int32, positions along the axis), both of x's shape. The order is PyTorch's with NaN
    /// the largest value (last ascending, first when <paramref name="descending"/>) and stable: equal values (−0 and +0
    /// among them, and NaNs among themselves) keep their input order in either direction, so every device gives the
    /// same indices.
    /// </summary>
    public virtual void Sort(Tensor x, int axis, Tensor values, Tensor indices, bool descending) => throw new NotSupportedException($"{Device} backend has no kernel sort");
}
