using System.Numerics;
using Pade.Engine.Cpu;
using Pade.Engine.Functional;

namespace Pade.Engine;

/// <summary>Pointwise activation kernels (dispatch of the activation <see cref="UnaryOp"/> entries) and RReLU.</summary>
public sealed partial class CpuBackend
{
    static partial void UnaryExtensionImpl<T>(UnaryOp op, ReadOnlySpan<T> x, Span<T> y, T a, T b, ref bool handled)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        handled = true;
        switch (op)
        {
            case UnaryOp.Relu6: Pointwise.Map(x, y, new Relu6K<T>()); break;
            case UnaryOp.LeakyRelu: Pointwise.Map(x, y, new LeakyReluK<T>(a)); break;
            case UnaryOp.Elu: Pointwise.Map(x, y, new EluK<T>(a)); break;
            case UnaryOp.Celu: Pointwise.Map(x, y, new CeluK<T>(a)); break;
            case UnaryOp.Softplus: Pointwise.Map(x, y, new SoftplusK<T>(a, b)); break;
            case UnaryOp.Silu: Pointwise.Map(x, y, new SiluK<T>(a)); break;
            case UnaryOp.Gelu: Pointwise.Map(x, y, new GeluK<T>()); break;
            case UnaryOp.GeluTanh: Pointwise.Map(x, y, new GeluTanhK<T>()); break;
            case UnaryOp.Mish: Pointwise.Map(x, y, new MishK<T>()); break;
            case UnaryOp.Hardtanh: Pointwise.Map(x, y, new HardtanhK<T>(a, b)); break;
            default: handled = false; break;
        }
    }

    static partial void UnaryBackwardExtensionImpl<T>(UnaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, T a, T b, ref bool handled)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        handled = true;
        switch (op)
        {
            case UnaryOp.Relu6: Pointwise.MapBackward(x, y, dy, dx, new Relu6K<T>()); break;
            case UnaryOp.LeakyRelu: Pointwise.MapBackward(x, y, dy, dx, new LeakyReluK<T>(a)); break;
            case UnaryOp.Elu: Pointwise.MapBackward(x, y, dy, dx, new EluK<T>(a)); break;
            case UnaryOp.Celu: Pointwise.MapBackward(x, y, dy, dx, new CeluK<T>(a)); break;
            case UnaryOp.Softplus: Pointwise.MapBackward(x, y, dy, dx, new SoftplusK<T>(a, b)); break;
            case UnaryOp.Silu: Pointwise.MapBackward(x, y, dy, dx, new SiluK<T>(a)); break;
            case UnaryOp.Gelu: Pointwise.MapBackward(x, y, dy, dx, new GeluK<T>()); break;
            case UnaryOp.GeluTanh: Pointwise.MapBackward(x, y, dy, dx, new GeluTanhK<T>()); break;
            case UnaryOp.Mish: Pointwise.MapBackward(x, y, dy, dx, new MishK<T>()); break;
            case UnaryOp.Hardtanh: Pointwise.MapBackward(x, y, dy, dx, new HardtanhK<T>(a, b)); break;
            default: handled = false; break;
        }
    }

    public override void RRelu(Tensor x, Tensor y, Tensor noise, double lower, double upper, ulong seed, ulong offset)
    {
        if (x.DType == DType.Float32) RRelu<float>(x, y, noise, lower, upper, seed, offset);
        else RRelu<double>(x, y, noise, lower, upper, seed, offset);
    }

    private static void RRelu<T>(Tensor x, Tensor y, Tensor noise, double lower, double upper, ulong seed, ulong offset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = Array<T>(x); var ya = Array<T>(y); var na = Array<T>(noise);
        long xo = x.Offset, yo = y.Offset, no = noise.Offset;
        bool single = typeof(T) == typeof(float);
        CpuParallel.ForRange(x.Numel, 1 << 14, (s, e) =>
        {
            var reader = new PhiloxReader(seed);
            for (long i = s; i < e; i++)
            {
                T v = xa[xo + i];
                T slope = T.CreateTruncating(lower + (upper - lower) * reader.Uniform(offset, (ulong)i, single));
                T factor = v > T.Zero ? T.One : slope;
                ya[yo + i] = v * factor;
                na[no + i] = factor;
            }
        });
    }
}

/// <summary>One fixed piece of a per-channel computation: rows [Row0, Row1) of channel Channel, elements [S0, S1)
/// of each row (flat index (row·C + Channel)·Inner + s).</summary>
public readonly record struct ChannelPiece(int Channel, long Row0, long Row1, long S0, long S1);

/// <summary>
/// Splits a <see cref="ChannelLayout"/> into pieces of about <see cref="Grain"/> elements, each inside one channel,
/// fixed by the shape alone. Per-channel parameter gradients are summed per piece (in parallel) and then over the
/// pieces of each channel in piece order: the result is bit-identical for any number of threads.
/// </summary>
public static class ChannelWork
{
    public const long Grain = 1 << 14;

    public static ChannelPiece[] Pieces(ChannelLayout l)
    {
        var list = new List<ChannelPiece>();
        for (int c = 0; c < l.Channels; c++)
        {
            if (l.Inner >= Grain)
            {
                for (long o = 0; o < l.Outer; o++)
                    for (long s = 0; s < l.Inner; s += Grain)
                        list.Add(new ChannelPiece(c, o, o + 1, s, Math.Min(s + Grain, l.Inner)));
            }
            else if (l.Inner > 0)
            {
                long rows = Math.Max(1, Grain / l.Inner);
                for (long o = 0; o < l.Outer; o += rows)
                    list.Add(new ChannelPiece(c, o, Math.Min(o + rows, l.Outer), 0, l.Inner));
            }
        }
        return list.ToArray();
    }

    /// <summary>Runs body(piece) over all pieces, in parallel.</summary>
    public static void ForEach(ChannelLayout l, Action<ChannelPiece> body)
    {
        var pieces = Pieces(l);
        CpuParallel.For(pieces.Length, i => body(pieces[i]), Grain);
    }

    /// <summary>
    /// Runs body(piece, partial) over all pieces in parallel, each with its own zeroed partial of
    /// <paramref name="width"/> doubles, and returns the per-channel totals [C, width] summed in piece order.
    /// </summary>
    public static double[] Reduce(ChannelLayout l, int width, Action<ChannelPiece, double[]> body)
    {
        var pieces = Pieces(l);
        var partials = new double[pieces.Length][];
        CpuParallel.For(pieces.Length, i =>
        {
            var p = new double[width];
            body(pieces[i], p);
            partials[i] = p;
        }, Grain);
        var total = new double[l.Channels * width];
        for (int i = 0; i < pieces.Length; i++)
        {
            int c = pieces[i].Channel;
            for (int k = 0; k < width; k++) total[c * width + k] += partials[i][k];
        }
        return total;
    }

    /// <summary>Writes per-channel totals [C, width] into a contiguous gradient tensor (or a slice of rows of it).</summary>
    public static void Store<T>(double[] totals, Tensor target) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var span = CpuBackend.Span<T>(target);
        for (int i = 0; i < totals.Length; i++) span[i] = T.CreateTruncating(totals[i]);
    }
}
