using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>
/// The padding layers of torch.nn (ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, CircularPad in 1d, 2d and
/// 3d): <see cref="F.Pad"/> with the layer's <see cref="Padding"/>, (before, after) pairs from the last dim, as
/// PyTorch's <c>(left, right, top, bottom, front, back)</c>. An int pads every side alike (PyTorch's _pair, _quadruple,
/// _ntuple(6)). Like PyTorch's modules, the input is checked when the layer runs (by <see cref="F.Pad"/>).
/// </summary>
public abstract partial class PadNd : Module
{
    private protected PadNd(int[] padding, string mode, double value)
    {
        Padding = padding;
        Mode = mode;
        Value = value;
    }

    /// <summary>(left, right[, top, bottom[, front, back]]), as PyTorch's <c>padding</c> tuple.</summary>
    public IReadOnlyList<int> Padding { get; }

    /// <summary>F.pad's mode: "constant", "reflect", "replicate" or "circular".</summary>
    public string Mode { get; }

    /// <summary>The fill of the constant modes (0 for the others).</summary>
    public double Value { get; }

    public override Tensor Forward(Tensor input) => F.Pad(input, [.. Padding], Mode, Value);

    /// <summary>"(1, 1, 2, 0)", or ConstantPad's "padding=(1, 1), value=3.5", as PyTorch prints them.</summary>
    public override string ExtraRepr()
    {
        string tuple = $"({string.Join(", ", Padding)})";
        return Mode == "constant" && this is not (ZeroPad1d or ZeroPad2d or ZeroPad3d) ? $"padding={tuple}, value={PyRepr.Float(Value)}" : tuple;
    }

    private protected static int[] Repeat(int padding, int dims) => Enumerable.Repeat(padding, 2 * dims).ToArray();
}

/// <summary>torch.nn.ZeroPad1d: zeros on both sides of the last dim.</summary>
public sealed class ZeroPad1d : PadNd
{
    public ZeroPad1d(int padding) : base(Repeat(padding, 1), "constant", 0) { }
    public ZeroPad1d((int Left, int Right) padding) : base([padding.Left, padding.Right], "constant", 0) { }
}

/// <summary>torch.nn.ZeroPad2d: zeros around the last two dims.</summary>
public sealed class ZeroPad2d : PadNd
{
    public ZeroPad2d(int padding) : base(Repeat(padding, 2), "constant", 0) { }
    public ZeroPad2d((int Left, int Right, int Top, int Bottom) padding) : base([padding.Left, padding.Right, padding.Top, padding.Bottom], "constant", 0) { }
}

/// <summary>torch.nn.ZeroPad3d: zeros around the last three dims.</summary>
public sealed class ZeroPad3d : PadNd
{
    public ZeroPad3d(int padding) : base(Repeat(padding, 3), "constant", 0) { }
    public ZeroPad3d((int Left, int Right, int Top, int Bottom, int Front, int Back) padding)
        : base([padding.Left, padding.Right, padding.Top, padding.Bottom, padding.Front, padding.Back], "constant", 0) { }
}

/// <summary>torch.nn.ConstantPad1d: <c>value</c> on both sides of the last dim.</summary>
public sealed class ConstantPad1d : PadNd
{
    public ConstantPad1d(int padding, double value) : base(Repeat(padding, 1), "constant", value) { }
    public ConstantPad1d((int Left, int Right) padding, double value) : base([padding.Left, padding.Right], "constant", value) { }
}

/// <summary>torch.nn.ConstantPad2d: <c>value</c> around the last two dims.</summary>
public sealed class ConstantPad2d : PadNd
{
    public ConstantPad2d(int padding, double value) : base(Repeat(padding, 2), "constant", value) { }
    public ConstantPad2d((int Left, int Right, int Top, int Bottom) padding, double value)
        : base([padding.Left, padding.Right, padding.Top, padding.Bottom], "constant", value) { }
}

/// <summary>torch.nn.ConstantPad3d: <c>value</c> around the last three dims.</summary>
public sealed class ConstantPad3d : PadNd
{
    public ConstantPad3d(int padding, double value) : base(Repeat(padding, 3), "constant", value) { }
    public ConstantPad3d((int Left, int Right, int Top, int Bottom, int Front, int Back) padding, double value)
        : base([padding.Left, padding.Right, padding.Top, padding.Bottom, padding.Front, padding.Back], "constant", value) { }
}

/// <summary>torch.nn.ReflectionPad1d: the last dim mirrored about its edges (each pad below its size), of a
/// (C, W) or (N, C, W) input.</summary>
public sealed class ReflectionPad1d : PadNd
{
    public ReflectionPad1d(int padding) : base(Repeat(padding, 1), "reflect", 0) { }
    public ReflectionPad1d((int Left, int Right) padding) : base([padding.Left, padding.Right], "reflect", 0) { }
}

/// <summary>torch.nn.ReflectionPad2d: the last two dims mirrored, of a (C, H, W) or (N, C, H, W) input.</summary>
public sealed class ReflectionPad2d : PadNd
{
    public ReflectionPad2d(int padding) : base(Repeat(padding, 2), "reflect", 0) { }
    public ReflectionPad2d((int Left, int Right, int Top, int Bottom) padding)
        : base([padding.Left, padding.Right, padding.Top, padding.Bottom], "reflect", 0) { }
}

/// <summary>torch.nn.ReflectionPad3d: the last three dims mirrored, of a (C, D, H, W) or (N, C, D, H, W) input.</summary>
public sealed class ReflectionPad3d : PadNd
{
    public ReflectionPad3d(int padding) : base(Repeat(padding, 3), "reflect", 0) { }
    public ReflectionPad3d((int Left, int Right, int Top, int Bottom, int Front, int Back) padding)
        : base([padding.Left, padding.Right, padding.Top, padding.Bottom, padding.Front, padding.Back], "reflect", 0) { }
}

/// <summary>torch.nn.ReplicationPad1d: the edge values of the last dim repeated, of a (C, W) or (N, C, W) input.</summary>
public sealed class ReplicationPad1d : PadNd
{
    public ReplicationPad1d(int padding) : base(Repeat(padding, 1), "replicate", 0) { }
    public ReplicationPad1d((int Left, int Right) padding) : base([padding.Left, padding.Right], "replicate", 0) { }
}

/// <summary>torch.nn.ReplicationPad2d: the edges of the last two dims repeated, of a (C, H, W) or (N, C, H, W) input.</summary>
public sealed class ReplicationPad2d : PadNd
{
    public ReplicationPad2d(int padding) : base(Repeat(padding, 2), "replicate", 0) { }
    public ReplicationPad2d((int Left, int Right, int Top, int Bottom) padding)
        : base([padding.Left, padding.Right, padding.Top, padding.Bottom], "replicate", 0) { }
}

/// <summary>torch.nn.ReplicationPad3d: the edges of the last three dims repeated, of a (C, D, H, W) or (N, C, D, H, W) input.</summary>
public sealed class ReplicationPad3d : PadNd
{
    public ReplicationPad3d(int padding) : base(Repeat(padding, 3), "replicate", 0) { }
    public ReplicationPad3d((int Left, int Right, int Top, int Bottom, int Front, int Back) padding)
        : base([padding.Left, padding.Right, padding.Top, padding.Bottom, padding.Front, padding.Back], "replicate", 0) { }
}

/// <summary>torch.nn.CircularPad1d: the last dim wrapped around (each pad at most its size), of a (C, W) or (N, C, W) input.</summary>
public sealed class CircularPad1d : PadNd
{
    public CircularPad1d(int padding) : base(Repeat(padding, 1), "circular", 0) { }
    public CircularPad1d((int Left, int Right) padding) : base([padding.Left, padding.Right], "circular", 0) { }
}

/// <summary>torch.nn.CircularPad2d: the last two dims wrapped around, of a (C, H, W) or (N, C, H, W) input.</summary>
public sealed class CircularPad2d : PadNd
{
    public CircularPad2d(int padding) : base(Repeat(padding, 2), "circular", 0) { }
    public CircularPad2d((int Left, int Right, int Top, int Bottom) padding)
        : base([padding.Left, padding.Right, padding.Top, padding.Bottom], "circular", 0) { }
}

/// <summary>torch.nn.CircularPad3d: the last three dims wrapped around, of a (C, D, H, W) or (N, C, D, H, W) input.</summary>
public sealed class CircularPad3d : PadNd
{
    public CircularPad3d(int padding) : base(Repeat(padding, 3), "circular", 0) { }
    public CircularPad3d((int Left, int Right, int Top, int Bottom, int Front, int Back) padding)
        : base([padding.Left, padding.Right, padding.Top, padding.Bottom, padding.Front, padding.Back], "circular", 0) { }
}
