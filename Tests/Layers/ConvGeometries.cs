using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using ConvPath = Pade.Engine.CpuBackend.ConvPath;

namespace Pade.Tests.Layers;

/// <summary>A convolution's arguments: x and w shapes, stride, padding, dilation, groups.</summary>
internal sealed record ConvCase(int[] Xs, int[] Ws, Size2 Stride, Size2 Padding, Size2 Dilation, int Groups)
{
    public Conv2dGeometry Geometry
    {
        get
        {
            int kh = Ws[2], kw = Ws[3];
            int oh = (Xs[2] + 2 * Padding.H - Dilation.H * (kh - 1) - 1) / Stride.H + 1;
            int ow = (Xs[3] + 2 * Padding.W - Dilation.W * (kw - 1) - 1) / Stride.W + 1;
            return new(Xs[0], Xs[1], Xs[2], Xs[3], Ws[0], kh, kw, Stride.H, Stride.W, Padding.H, Padding.W,
                Dilation.H, Dilation.W, Groups, oh, ow);
        }
    }

    public override string ToString() =>
        $"x={Shapes.Format(Xs)} w={Shapes.Format(Ws)} s={Stride} p={Padding} d={Dilation} g={Groups}";
}

/// <summary>The geometries where convolution loops go wrong, one flag each (see <see cref="ConvGeometries.Edges"/>).</summary>
[Flags]
internal enum ConvEdge
{
    None = 0,
    /// <summary>A kernel column reads only padding: its valid output range is empty.</summary>
    EmptyTapW = 1,
    /// <summary>A kernel row reads only padding.</summary>
    EmptyTapH = 2,
    /// <summary>One output column.</summary>
    OutputWidth1 = 4,
    /// <summary>Padding wider than the rest of the kernel's reach (P &gt; (K − 1)·D): some outputs read only padding.</summary>
    PaddingBeyondReach = 8,
}

/// <summary>
/// Random convolutions aimed at one CPU path (CpuBackend.ConvPaths, with the switches of <see cref="Switches"/>),
/// half of the time per axis an "edge" axis: a tiny image (1–2 wide) with padding up to one past the dilated
/// kernel, so that kernel taps reading only padding, one-wide outputs and padding wider than the kernel's reach
/// all occur. <see cref="ConvGeometriesTests"/> checks that every path meets every edge it can take.
/// </summary>
internal static class ConvGeometries
{
    public static readonly ConvPath[] Paths = Enum.GetValues<ConvPath>();

    /// <summary>The switches (DirectConvolution, Im2ColTable, WinogradConvolution) under which a geometry may take
    /// <paramref name="path"/>. The Winograd path is aimed at with its floor lowered to 1 channel and 1 tile (see
    /// <see cref="ConvSwitches"/>), the others with it off.</summary>
    public static ConvSwitchSet Switches(ConvPath path) => path switch
    {
        ConvPath.Table => new(false, true, false),
        ConvPath.Slices => new(false, false, false),
        ConvPath.Winograd => new(false, true, true),
        _ => new(true, true, false),
    };

    public static (ConvPath Forward, ConvPath Input, ConvPath Weight) PathsOf(ConvCase c, ConvPath target)
    {
        var s = Switches(target);
        return CpuBackend.ConvPaths(c.Geometry, s.Direct, s.Table, s.Winograd ? ConvSwitches.AnyWinograd : null);
    }

    /// <summary>A case one of whose passes takes <paramref name="path"/> (rejection sampling, deterministic in r).</summary>
    public static ConvCase Pick(Naive.Picker r, ConvPath path, int maxImage = 7, int maxBatch = 2)
    {
        for (int attempt = 0; attempt < 10_000; attempt++)
        {
            var c = Raw(r, path, maxImage, maxBatch);
            var (f, i, w) = PathsOf(c, path);
            if (f == path || i == path || w == path) return c;
        }
        throw new InvalidOperationException($"no geometry found for the {path} path");
    }

    private static ConvCase Raw(Naive.Picker r, ConvPath path, int maxImage, int maxBatch)
    {
        int n = r.Next(1, maxBatch);
        if (path == ConvPath.Dense)
        {
            // An image no larger than the kernel (H·W ≤ KH·KW), one group, any stride, padding and dilation.
            int c = r.Next(1, 3), k = r.Next(1, 4), kH = r.Next(1, 4), kW = r.Next(1, 4);
            int h = r.Next(1, kH + 1), w = r.Next(1, kW + 1), dH = r.Next(1, 2), dW = r.Next(1, 2);
            int pH = r.Next(0, dH * (kH - 1) + 1), pW = r.Next(0, dW * (kW - 1) + 1);
            h = Math.Max(h, dH * (kH - 1) + 1 - 2 * pH); w = Math.Max(w, dW * (kW - 1) + 1 - 2 * pW);
            return new([n, c, h, w], [k, c, kH, kW], (r.Next(1, 2), r.Next(1, 2)), (pH, pW), (dH, dW), 1);
        }
        if (path == ConvPath.Pointwise)
        {
            // 1x1, unit stride, no padding, any dilation and groups; images of 2 to 81 pixels put a batch's columns on
            // both sides of the GEMM's 32-column slivers.
            int groups1 = r.Next(1, 3), c1 = r.Next(1, 5), k1 = r.Next(1, 5), h1 = r.Next(1, maxImage + 2), w1 = r.Next(1, maxImage + 2);
            return new([r.Next(1, maxBatch + 1), c1 * groups1, h1, w1], [k1 * groups1, c1, 1, 1], (1, 1), (0, 0), (r.Next(1, 2), r.Next(1, 2)), groups1);
        }
        int maxStride = path is ConvPath.Direct or ConvPath.Winograd ? 1 : 2;
        // Winograd: images up to 12 wide, as the dense path takes any image no larger than the 3x3 kernel (one edge
        // axis 1–2 wide and the other one wider reaches the taps that read only padding).
        bool threeByThree = path == ConvPath.Winograd;
        int image = threeByThree ? Math.Max(maxImage, 12) : maxImage;
        var (ih, kh, sh, ph, dh) = Axis(r, image, maxStride, threeByThree);
        var (iw, kw, sw, pw, dw) = Axis(r, image, maxStride, threeByThree);
        int groups, cg, kg;
        if (path == ConvPath.Depthwise) (groups, cg, kg) = (r.Next(1, 3), 1, 1);
        // Up to 8 input channels: the direct input gradient needs C/G near its 8-row block (CpuConvDirect.cs).
        else if (path == ConvPath.Direct) (groups, cg, kg) = (r.Next(1, 2), r.Next(1, 8), r.Next(1, 3));
        // Winograd: 3x3, one group, any channel count once its floor is lowered; several channels exercise the GEMMs.
        else if (path == ConvPath.Winograd) (groups, cg, kg) = (1, r.Next(1, 5), r.Next(1, 5));
        else (groups, cg, kg) = (r.Next(1, 2), r.Next(1, 2), r.Next(1, 3));
        return new([n, cg * groups, ih, iw], [kg * groups, cg, kh, kw], (sh, sw), (ph, pw), (dh, dw), groups);
    }

    /// <summary>One axis: image size, kernel, stride, padding, dilation; the image at least what one output needs.
    /// <paramref name="threeByThree"/>: kernel 3, dilation 1 (the Winograd path's only kernel).</summary>
    private static (int In, int K, int S, int P, int D) Axis(Naive.Picker r, int maxImage, int maxStride, bool threeByThree)
    {
        bool edge = r.Next(0, 1) == 0;
        // An edge axis has at least two taps: a one-tap kernel cannot have a tap reading only padding while
        // another reads the image.
        int k = threeByThree ? 3 : r.Next(edge ? 2 : 1, 4), d = threeByThree ? 1 : r.Next(1, 3), s = r.Next(1, maxStride), eff = d * (k - 1) + 1;
        int p = edge ? r.Next(0, eff + 1) : r.Next(0, (k - 1) / 2 + 1);
        int size = edge ? r.Next(1, 2) : r.Next(1, maxImage);
        return (Math.Max(size, eff - 2 * p), k, s, p, d);
    }

    /// <summary>The edges a case has, computed from the definition (not from the engine's ValidRange).</summary>
    public static ConvEdge Edges(ConvCase c)
    {
        var g = c.Geometry;
        var e = ConvEdge.None;
        if (HasEmptyTap(g.W, g.KW, g.SW, g.PW, g.DW, g.OW)) e |= ConvEdge.EmptyTapW;
        if (HasEmptyTap(g.H, g.KH, g.SH, g.PH, g.DH, g.OH)) e |= ConvEdge.EmptyTapH;
        if (g.OW == 1) e |= ConvEdge.OutputWidth1;
        if (g.PW > (g.KW - 1) * g.DW || g.PH > (g.KH - 1) * g.DH) e |= ConvEdge.PaddingBeyondReach;
        return e;
    }

    private static bool HasEmptyTap(int size, int k, int s, int p, int d, int outSize)
    {
        for (int t = 0; t < k; t++)
        {
            bool reads = false;
            for (int o = 0; o < outSize && !reads; o++) reads = (uint)(o * s - p + t * d) < (uint)size;
            if (!reads) return true;
        }
        return false;
    }
}

public class ConvGeometriesTests
{
    /// <summary>
    /// Every pass of every path meets every edge it can take. Impossible ones, left out: the direct forward and
    /// weight gradient (stride 1, W + 2·PW ≤ 2·OW) cannot have a column that reads only padding, which needs
    /// W + PW &lt; (KW − 1)·DW + 1 — together these give PW ≤ eff − 2 and PW ≥ eff − 1; its input gradient needs
    /// P ≤ (K − 1)·D (no padding beyond the reach); the pointwise path (1x1, no padding) can only have one output
    /// column. The second assertion keeps this
    /// list honest: an edge it leaves out must never occur.
    /// </summary>
    [Test]
    public void GeneratorsReachEveryPathWithEveryEdge()
    {
        const ConvEdge all = ConvEdge.EmptyTapW | ConvEdge.EmptyTapH | ConvEdge.OutputWidth1 | ConvEdge.PaddingBeyondReach;
        var expected = new Dictionary<(ConvPath Path, string Pass), ConvEdge>
        {
            [(ConvPath.Depthwise, "forward")] = all, [(ConvPath.Depthwise, "input")] = all, [(ConvPath.Depthwise, "weight")] = all,
            [(ConvPath.Table, "forward")] = all, [(ConvPath.Table, "input")] = all, [(ConvPath.Table, "weight")] = all,
            [(ConvPath.Slices, "forward")] = all, [(ConvPath.Slices, "input")] = all, [(ConvPath.Slices, "weight")] = all,
            [(ConvPath.Direct, "forward")] = all & ~ConvEdge.EmptyTapW,
            [(ConvPath.Direct, "weight")] = all & ~ConvEdge.EmptyTapW,
            [(ConvPath.Direct, "input")] = all & ~ConvEdge.PaddingBeyondReach,
            [(ConvPath.Winograd, "forward")] = all, [(ConvPath.Winograd, "input")] = all, [(ConvPath.Winograd, "weight")] = all,
            [(ConvPath.Dense, "forward")] = all, [(ConvPath.Dense, "input")] = all, [(ConvPath.Dense, "weight")] = all,
            // A 1x1 kernel without padding has no tap on padding.
            [(ConvPath.Pointwise, "forward")] = ConvEdge.OutputWidth1, [(ConvPath.Pointwise, "input")] = ConvEdge.OutputWidth1,
            [(ConvPath.Pointwise, "weight")] = ConvEdge.OutputWidth1,
        };
        var seen = expected.Keys.ToDictionary(k => k, _ => ConvEdge.None);
        foreach (var path in ConvGeometries.Paths)
            for (int i = 0; i < 300; i++)
            {
                var c = ConvGeometries.Pick(new Naive.Picker(i, (int)path), path);
                var (f, inp, w) = ConvGeometries.PathsOf(c, path);
                var edges = ConvGeometries.Edges(c);
                foreach (var (p, pass) in new[] { (f, "forward"), (inp, "input"), (w, "weight") })
                    if (p == path) seen[(path, pass)] |= edges;
            }
        foreach (var (key, want) in expected)
            Assert.That(seen[key] & want, Is.EqualTo(want), $"{key.Path} {key.Pass}: edges reached {seen[key]}, expected {want}");
        // The impossible ones are indeed never met (else the list above is too modest).
        foreach (var (key, want) in expected)
            Assert.That(seen[key] & ~want, Is.EqualTo(ConvEdge.None), $"{key.Path} {key.Pass} also reaches {seen[key] & ~want}: add it");
    }
}
