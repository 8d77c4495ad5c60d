using Pade.Engine;
using Pade.Kernels.Catalog;

namespace Pade.Kernels;

/// <summary>Gather and scatter-add along an axis (cuda/gather.cu); the ops have checked the indices. Resampling along
/// an axis with host-built taps (cuda/resample.cu).</summary>
public sealed partial class CudaBackend
{
    public override void Gather(Tensor x, Tensor index, Tensor y)
    {
        RequireFloating("Gather", x);
        RequireContiguous("Gather", x);
        RequireContiguous("Gather", y);
        if (y.Numel == 0) return;
        GatherKernels.Gather[x.DType].LaunchOver(CudaDevice, y.Numel, PointerOf(x, "Gather"), PointerOf(index, "Gather"), PointerOf(y, "Gather"),
            (long)y.Shape[0], x.Shape[1], (long)y.Shape[1], (long)y.Shape[2], (long)index.Strides[0], (long)index.Strides[1], (long)index.Strides[2]);
    }

    public override void ScatterAdd(Tensor src, Tensor index, Tensor y)
    {
        RequireFloating("ScatterAdd", y);
        RequireContiguous("ScatterAdd", src);
        RequireContiguous("ScatterAdd", y);
        long columns = (long)src.Shape[0] * src.Shape[2];
        if (src.Numel == 0) return;
        GatherKernels.ScatterAdd[y.DType].LaunchOver(CudaDevice, columns, PointerOf(src, "ScatterAdd"), PointerOf(index, "ScatterAdd"), PointerOf(y, "ScatterAdd"),
            (long)src.Shape[0], y.Shape[1], (long)src.Shape[1], (long)src.Shape[2], (long)index.Strides[0], (long)index.Strides[1], (long)index.Strides[2]);
    }

    public override void ScatterReduce(Tensor src, Tensor index, Tensor y, ScatterReduceOp op)
    {
        RequireFloating("ScatterReduce", y);
        RequireContiguous("ScatterReduce", src);
        RequireContiguous("ScatterReduce", y);
        long columns = (long)src.Shape[0] * src.Shape[2];
        if (src.Numel == 0) return;
        GatherKernels.ScatterReduce[y.DType].LaunchOver(CudaDevice, columns, PointerOf(src, "ScatterReduce"), PointerOf(index, "ScatterReduce"), PointerOf(y, "ScatterReduce"),
            (long)src.Shape[0], y.Shape[1], (long)src.Shape[1], (long)src.Shape[2], (long)index.Strides[0], (long)index.Strides[1], (long)index.Strides[2], (int)op);
    }

    public override void Resample(Tensor x, Tensor offsets, Tensor taps, Tensor weights, Tensor y)
    {
        RequireFloating("Resample", x);
        RequireContiguous("Resample", x);
        RequireContiguous("Resample", y);
        if (y.Numel == 0) return;
        ResampleKernels.Resample[x.DType].LaunchOver(CudaDevice, y.Numel, PointerOf(x, "Resample"), PointerOf(offsets, "Resample"), PointerOf(taps, "Resample"),
            PointerOf(weights, "Resample"), PointerOf(y, "Resample"), (long)y.Shape[0], x.Shape[1], (long)y.Shape[1], (long)y.Shape[2]);
    }
}
