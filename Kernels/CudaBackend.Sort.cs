using Pade.Engine;
using Pade.Kernels.Catalog;

namespace Pade.Kernels;

/// <summary>The stable sort along an axis (cuda/sort.cu).</summary>
public sealed partial class CudaBackend
{
    public override void Sort(Tensor x, int axis, Tensor values, Tensor indices, bool descending)
    {
        RequireFloating("Sort", x);
        RequireContiguous("Sort", x);
        RequireContiguous("Sort", values);
        RequireContiguous("Sort", indices);
        if (indices.DType != DType.Int32) throw new ArgumentException($"Sort: indices must be int32, got {indices.DType.TorchName()}");
        var shape = x.Shape;
        long len = shape[axis], outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        if (outer * inner == 0 || len == 0) return;
        SortKernels.Sort[x.DType].LaunchOver(CudaDevice, outer * inner, PointerOf(x, "Sort"), PointerOf(values, "Sort"), PointerOf(indices, "Sort"),
            outer, len, inner, descending ? 1 : 0);
    }
}
