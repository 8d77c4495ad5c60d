namespace Pade.Engine.Functional;

/// <summary>
/// How a contiguous activation input is split into channels for per-channel parameters, as PyTorch's PReLU: the
/// channel axis is 1, so x of shape [N, C, d2, d3, ...] is viewed as [Outer = N, Channels = C, Inner = d2·d3·...],
/// and element (o, c, s) sits at flat index (o·C + c)·Inner + s. One shared parameter set is Channels = 1 over the
/// whole tensor (Outer = 1, Inner = numel). Kernels receive the layout explicitly, so a CUDA kernel needs no shapes.
/// </summary>
public readonly record struct ChannelLayout(long Outer, int Channels, long Inner)
{
    public long Numel => Outer * Channels * Inner;

    /// <summary>Channel of flat element index i.</summary>
    public int ChannelOf(long i) => (int)(i / Inner % Channels);

    /// <summary>The layout of x for a parameter set of <paramref name="channels"/> entries: 1 means shared (any x);
    /// otherwise x needs rank ≥ 2 and x.shape[1] = channels. The message names the op and both counts.</summary>
    public static ChannelLayout For(string op, Tensor x, int channels)
    {
        if (channels < 1) throw new ArgumentException($"{op}: the number of parameter channels must be at least 1, got {channels}");
        if (channels == 1) return new ChannelLayout(1, 1, x.Numel);
        if (x.Rank < 2)
            throw new ArgumentException(
                $"{op}: {channels} per-channel parameters need an input of rank ≥ 2 with channels on axis 1, got shape {Shapes.Format(x.Shape)}");
        if (x.Size(1) != channels)
            throw new ArgumentException(
                $"{op}: input of shape {Shapes.Format(x.Shape)} has {x.Size(1)} channels on axis 1, the parameters have {channels}");
        long inner = 1;
        for (int i = 2; i < x.Rank; i++) inner *= x.Size(i);
        return new ChannelLayout(x.Size(0), channels, inner);
    }

    /// <summary>Shape [C, 1, 1, ...] (rank of x minus one axis) that broadcasts a per-channel vector against x.</summary>
    public static int[] BroadcastShape(Tensor x, int channels)
    {
        if (channels == 1) return [];
        var s = new int[x.Rank - 1];
        Array.Fill(s, 1);
        s[0] = channels;
        return s;
    }
}
