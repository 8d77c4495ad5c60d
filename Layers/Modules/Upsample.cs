using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>
/// Upsampling as torch.nn.Upsample(size=None, scale_factor=None, mode='nearest', align_corners=None,
/// recompute_scale_factor=None): calls <see cref="F.Interpolate"/> (nearest, nearest-exact, linear on (N, C, L),
/// bilinear and bicubic on (N, C, H, W), trilinear on (N, C, D, H, W); like PyTorch's module, no antialias). One entry in <paramref name="size"/> or <paramref name="scaleFactor"/> stands for every
/// spatial dim, as Python's scalar. Like PyTorch's module, the arguments are checked when it runs.
/// </summary>
public partial class Upsample(int[]? size = null, double[]? scaleFactor = null, string mode = "nearest",
    bool? alignCorners = null, bool? recomputeScaleFactor = null) : Module
{
    public int[]? Size { get; } = (int[]?)size?.Clone();
    public double[]? ScaleFactor { get; } = (double[]?)scaleFactor?.Clone();
    public string Mode { get; } = mode;
    public bool? AlignCorners { get; } = alignCorners;
    public bool? RecomputeScaleFactor { get; } = recomputeScaleFactor;

    public override Tensor Forward(Tensor input) =>
        F.Interpolate(input, Size, ScaleFactor, Mode, AlignCorners, RecomputeScaleFactor);

    /// <summary>"scale_factor=2.0, mode='nearest'" or "size=(8, 8), mode='bilinear'", as PyTorch prints it.</summary>
    public override string ExtraRepr()
    {
        string info = ScaleFactor != null
            ? "scale_factor=" + (ScaleFactor.Length == 1 ? PyRepr.Float(ScaleFactor[0]) : $"({string.Join(", ", ScaleFactor.Select(PyRepr.Float))})")
            : "size=" + (Size == null ? "None" : Size.Length == 1 ? $"{Size[0]}" : $"({string.Join(", ", Size)})");
        return $"{info}, mode='{Mode}'";
    }
}
