using Pade.Engine;
using Pade.Kernels.Catalog;

namespace Pade.Kernels;

/// <summary>Row-wise softmax, cross-entropy and one-hot (cuda/softmax.cu), over the last axis.</summary>
public sealed partial class CudaBackend
{
    public override void Softmax(Tensor x, Tensor y, bool log)
    {
        RequireFloating("Softmax", x);
        RequireContiguous("Softmax", x);
        RequireContiguous("Softmax", y);
        int cols = x.Rank == 0 ? 1 : x.Shape[^1];
        if (cols == 0 || x.Numel == 0) return;
        long rows = x.Numel / cols;
        SoftmaxKernels.Softmax[x.DType].Launch(CudaDevice, GridForWarps(rows), PointerOf(x, "Softmax"), PointerOf(y, "Softmax"), rows, cols, log ? 1 : 0);
    }

    public override void CrossEntropy(Tensor logits, Tensor targets, double smoothing, Tensor loss, Tensor probs)
    {
        RequireFloating("CrossEntropy", logits);
        RequireContiguous("CrossEntropy", logits);
        RequireContiguous("CrossEntropy", loss);
        RequireContiguous("CrossEntropy", probs);
        int rows = logits.Shape[0], cols = logits.Shape[1];
        var t = ClassIndices("cross_entropy", "target", "targets", targets, cols);
        if (rows == 0 || cols == 0) return;
        SoftmaxKernels.CrossEntropy[logits.DType].Launch(CudaDevice, GridForWarps(rows), PointerOf(logits, "CrossEntropy"), PointerOf(t, "CrossEntropy"), PointerOf(loss, "CrossEntropy"),
            PointerOf(probs, "CrossEntropy"), (long)rows, cols, Scalar(logits.DType, smoothing));
        GC.KeepAlive(t); // a contiguous copy of the targets lives until its kernel is queued
    }

    public override void OneHot(Tensor indices, Tensor y, double on, double off)
    {
        RequireFloating("OneHot", y);
        RequireContiguous("OneHot", y);
        int rows = y.Shape[0], cols = y.Shape[1];
        var idx = ClassIndices("one_hot", "index", "indices", indices, cols);
        if ((long)rows * cols == 0) return;
        SoftmaxKernels.OneHot[y.DType].LaunchOver(CudaDevice, (long)rows * cols, PointerOf(idx, "OneHot"), PointerOf(y, "OneHot"), (long)rows, cols, Scalar(y.DType, on), Scalar(y.DType, off));
        GC.KeepAlive(idx);
    }

    /// <summary>
    /// The class indices as a contiguous int32 tensor, after checking on the host that each lies in [0, classes)
    /// with the CPU backend's message. (A kernel cannot throw; reading N ints back costs one small copy.)
    /// </summary>
    private Tensor ClassIndices(string op, string what, string parameter, Tensor indices, int classes)
    {
        if (indices.DType != DType.Int32) throw new ArgumentException($"{op}: {parameter} must be int32, got {indices.DType.TorchName()}");
        var host = indices.ToArray<int>();
        for (int r = 0; r < host.Length; r++)
            if ((uint)host[r] >= (uint)classes)
                throw new ArgumentOutOfRangeException(parameter, $"{op}: {what} {host[r]} at row {r} is outside [0, {classes})");
        return indices.IsContiguous ? indices : indices.Clone();
    }
}
