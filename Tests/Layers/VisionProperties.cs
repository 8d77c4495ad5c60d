using FsCheck;
using FsCheck.Fluent;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Testing;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>pixel_shuffle / pixel_unshuffle / channel_shuffle: X (*, C, H, W) with any leading dims, factor R.</summary>
public sealed record ShuffleCase(Spec X, int R, ulong Seed)
{
    public override string ToString() => $"X {X}, factor {R}, seed {Seed}";
}

/// <summary>Tensor.unfold(Dim, Size, Step) on X.</summary>
public sealed record TensorUnfoldCase(Spec X, int Dim, int Size, int Step, ulong Seed)
{
    public override string ToString() => $"X {X}, dim {Dim}, size {Size}, step {Step}, seed {Seed}";
}

/// <summary>F.unfold on X (batched or unbatched) with its geometry, and a column tensor Cols of the matching
/// F.fold input shape (output size = X's spatial size).</summary>
public sealed record FoldCase(Spec X, Spec Cols, Size2 K, Size2 D, Size2 P, Size2 S, ulong Seed)
{
    public override string ToString() => $"X {X}, cols {Cols}, kernel {K}, dilation {D}, padding {P}, stride {S}, seed {Seed}";
}

/// <summary>max_unpool2d of X (N, C, H, W) or (C, H, W) with indices Idx into (OH, OW) planes (distinct per plane).</summary>
public sealed record UnpoolCase(Spec X, int[] Idx, int OH, int OW, Size2 K, Size2 S, ulong Seed)
{
    public override string ToString() => $"X {X}, indices [{string.Join(", ", Idx)}], out {OH}x{OW}, kernel {K}, stride {S}, seed {Seed}";
}

/// <summary>lp_pool2d of X with norm P (values positive for fractional p), kernel K, stride S (null: K), ceil mode.</summary>
public sealed record LpCase(Spec X, double P, Size2 K, Size2? S, bool Ceil, ulong Seed)
{
    public override string ToString() => $"X {X}, p {P}, kernel {K}, stride {S?.ToString() ?? "None"}, ceil {Ceil}, seed {Seed}";
}

public static class VisionGen
{
    private static readonly Gen<int> Small = Gen.Choose(1, 3);

    public static readonly Gen<ShuffleCase> Shuffle =
        from lead in Gen.Choose(0, 2).SelectMany(r => Gen.ArrayOf(Gen.Choose(0, 2), r))
        from r in Gen.Choose(1, 3)
        from c in Gen.Choose(1, 2)
        from h in Small
        from w in Small
        let shape = lead.Concat([c * r * r, h, w]).ToArray()
        from x in EngineGen.Values(shape, EngineGen.Uniform(-2, 2))
        from seed in EngineGen.Seed
        select new ShuffleCase(x, r, seed);

    public static readonly Gen<TensorUnfoldCase> TensorUnfold =
        from shape in EngineGen.Shape(0, 3)
        from dimSeed in Gen.Choose(0, 5)
        let rank = Math.Max(shape.Length, 1)
        let dim = dimSeed % rank - (dimSeed >= 3 ? rank : 0)
        let n = shape.Length == 0 ? 1 : shape[(dim + rank) % rank]
        from size in Gen.Choose(0, n)
        from step in Gen.Choose(1, 3)
        from x in EngineGen.Values(shape, EngineGen.Uniform(-2, 2))
        from seed in EngineGen.Seed
        select new TensorUnfoldCase(x, dim, size, step, seed);

    private static int Blocks(int size, int k, int d, int p, int s) => (size + 2 * p - d * (k - 1) - 1) / s + 1;

    public static readonly Gen<FoldCase> Fold =
        (from batch in Gen.Elements(-1, 0, 1, 2)   // −1: unbatched
         from c in Gen.Choose(1, 2)
         from h in Gen.Choose(1, 5)
         from w in Gen.Choose(1, 5)
         from kh in Small from kw in Small
         from dh in Gen.Choose(1, 2) from dw in Gen.Choose(1, 2)
         from ph in Gen.Choose(0, 2) from pw in Gen.Choose(0, 2)   // padding may exceed the kernel's reach
         from sh in Small from sw in Small
         let oh = Blocks(h, kh, dh, ph, sh)
         let ow = Blocks(w, kw, dw, pw, sw)
         where h + 2 * ph - dh * (kh - 1) - 1 >= 0 && w + 2 * pw - dw * (kw - 1) - 1 >= 0
         let xShape = batch < 0 ? new[] { c, h, w } : new[] { batch, c, h, w }
         let colShape = batch < 0 ? new[] { c * kh * kw, oh * ow } : new[] { batch, c * kh * kw, oh * ow }
         from x in EngineGen.Values(xShape, EngineGen.Uniform(-2, 2))
         from cols in EngineGen.Values(colShape, EngineGen.Uniform(-2, 2))
         from seed in EngineGen.Seed
         select new FoldCase(x, cols, new Size2(kh, kw), new Size2(dh, dw), new Size2(ph, pw), new Size2(sh, sw), seed));

    public static readonly Gen<UnpoolCase> Unpool =
        from batch in Gen.Elements(-1, 1, 2)
        from c in Gen.Choose(1, 2)
        from h in Gen.Choose(1, 3)
        from w in Gen.Choose(1, 3)
        from kh in Gen.Choose(1, 3) from kw in Gen.Choose(1, 3)
        from sh in Gen.Choose(1, 3) from sw in Gen.Choose(1, 3)
        let oh = (h - 1) * sh + kh
        let ow = (w - 1) * sw + kw
        let planes = (batch < 0 ? 1 : batch) * c
        from perms in Gen.ArrayOf(Gen.Shuffle(Enumerable.Range(0, oh * ow)), planes)
        let idx = perms.SelectMany(p => p.Take(h * w)).ToArray()
        from x in EngineGen.Values(batch < 0 ? [c, h, w] : [batch, c, h, w], EngineGen.Uniform(-2, 2))
        from seed in EngineGen.Seed
        select new UnpoolCase(x, idx, oh, ow, new Size2(kh, kw), new Size2(sh, sw), seed);

    public static readonly Gen<LpCase> Lp =
        from batch in Gen.Elements(-1, 1, 2)
        from c in Gen.Choose(1, 2)
        from h in Gen.Choose(1, 5)
        from w in Gen.Choose(1, 5)
        from kh in Gen.Choose(1, 3) from kw in Gen.Choose(1, 3)
        from strided in Gen.Elements(false, true)
        from sh in Small from sw in Small
        from ceil in Gen.Elements(false, true)
        from p in Gen.Elements(1.0, 2.0, 3.0, 1.5)
        where kh <= h && kw <= w
        from x in EngineGen.Values(batch < 0 ? [c, h, w] : [batch, c, h, w], p == 2 ? EngineGen.NonZeroValue : EngineGen.Uniform(0.2, 2))
        from seed in EngineGen.Seed
        select new LpCase(x, p, new Size2(kh, kw), strided ? new Size2(sh, sw) : null, ceil, seed);
}

public static class VisionArbitraries
{
    public static Arbitrary<ShuffleCase> Shuffle() => VisionGen.Shuffle.ToArbitrary();
    public static Arbitrary<TensorUnfoldCase> TensorUnfold() => VisionGen.TensorUnfold.ToArbitrary();
    public static Arbitrary<FoldCase> Fold() => VisionGen.Fold.ToArbitrary();
    public static Arbitrary<UnpoolCase> Unpool() => VisionGen.Unpool.ToArbitrary();
    public static Arbitrary<LpCase> Lp() => VisionGen.Lp.ToArbitrary();
}

/// <summary>
/// The rearrangement, im2col/col2im, unpooling and power-average pooling ops against plain float64 loops of their
/// definitions, and their gradients against central differences, on random shapes (empty leading dims, size-1 dims,
/// padding wider than the kernel's reach, overlapping and gapped windows).
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(VisionArbitraries)], MaxTest = 100)]
public class VisionProperties
{
    // ---- pixel shuffle / unshuffle / channel shuffle -------------------------------------------------------------

    private static Nd PixelShuffleRef(Spec x, int r)
    {
        var s = x.Shape;
        int b = s.Length - 3, c = s[^3] / (r * r);
        var outShape = s[..b].Concat([c, s[^2] * r, s[^1] * r]).ToArray();
        var xn = Nd.Of(x);
        return Nd.Build(outShape, i =>
        {
            int ch = i[b], h = i[b + 1], w = i[b + 2];
            var src = i[..b].Concat([ch * r * r + (h % r) * r + (w % r), h / r, w / r]).ToArray();
            return xn[src];
        });
    }

    [FsCheck.NUnit.Property]
    public void PixelShuffleMatchesTheDefinition(ShuffleCase c)
    {
        Expect.Exact(F.PixelShuffle(c.X.Tensor(), c.R), PixelShuffleRef(c.X, c.R), "pixel_shuffle");
        // Unshuffle inverts it exactly.
        Expect.Exact(F.PixelUnshuffle(F.PixelShuffle(c.X.Tensor(), c.R), c.R), Nd.Of(c.X), "pixel_unshuffle ∘ pixel_shuffle");
    }

    [FsCheck.NUnit.Property(MaxTest = 50)]
    public void PixelShuffleGradients(ShuffleCase c)
    {
        if (c.X.Numel == 0) return;
        Expect.Grad("pixel_shuffle", t => F.PixelShuffle(t[0], c.R), c.Seed, c.X.Tensor());
        Expect.Grad("pixel_unshuffle", t => F.PixelUnshuffle(F.PixelShuffle(t[0], c.R), c.R) * 1.5, c.Seed, c.X.Tensor());
    }

    [FsCheck.NUnit.Property]
    public void ChannelShuffleMatchesTheDefinition(ShuffleCase c)
    {
        // Channel count C·R² split into R groups: output channel i·g + j = input channel j·k + i.
        var x = c.X;
        var t = new Spec([x.Shape[..^3].Aggregate(1, (a, b) => a * b), .. x.Shape[^3..]], x.Values);
        int g = c.R, ch = t.Shape[1], k = ch / g;
        var xn = Nd.Of(t);
        var expected = Nd.Build(t.Shape, i => xn[[i[0], (i[1] % g) * k + i[1] / g, .. i[2..]]]);
        Expect.Exact(F.ChannelShuffle(t.Tensor(), g), expected, "channel_shuffle");
        if (t.Numel > 0) Expect.Grad("channel_shuffle", a => F.ChannelShuffle(a[0], g), c.Seed, t.Tensor());
    }

    // ---- Tensor.unfold -------------------------------------------------------------------------------------------

    [FsCheck.NUnit.Property]
    public void TensorUnfoldMatchesTheDefinition(TensorUnfoldCase c)
    {
        var x = c.X;
        int rank = Math.Max(x.Rank, 1), a = (c.Dim + rank) % rank;
        var shape = x.Rank == 0 ? [1] : x.Shape;
        int count = (shape[a] - c.Size) / c.Step + 1;
        var outShape = shape.Append(c.Size).ToArray();
        outShape[a] = count;
        var xn = new Nd(shape, x.Values);
        var expected = Nd.Build(outShape, i =>
        {
            var src = i[..^1];
            src[a] = i[a] * c.Step + i[^1];
            return xn[src];
        });
        if (x.Rank == 0) expected = new Nd([c.Size], expected.Data);
        var y = c.X.Tensor().Unfold(c.Dim, c.Size, c.Step);
        Expect.Exact(y, expected, "unfold");
        if (x.Numel > 0 && y.Numel > 0)
            Expect.Grad("unfold", t => t[0].Unfold(c.Dim, c.Size, c.Step), c.Seed, c.X.Tensor());
    }

    // ---- F.unfold / F.fold ---------------------------------------------------------------------------------------

    /// <summary>im2col by its definition: row ch·kh·kw + i·kw + j, column l = oh·OW + ow.</summary>
    private static Nd UnfoldRef(Nd x, Size2 k, Size2 d, Size2 p, Size2 s)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int oh = (h + 2 * p.H - d.H * (k.H - 1) - 1) / s.H + 1, ow = (w + 2 * p.W - d.W * (k.W - 1) - 1) / s.W + 1;
        return Nd.Build([n, c * k.H * k.W, oh * ow], idx =>
        {
            int ch = idx[1] / (k.H * k.W), i = idx[1] % (k.H * k.W) / k.W, j = idx[1] % k.W;
            int y = idx[2] / ow * s.H - p.H + i * d.H, xx = idx[2] % ow * s.W - p.W + j * d.W;
            return y >= 0 && y < h && xx >= 0 && xx < w ? x[[idx[0], ch, y, xx]] : 0;
        });
    }

    /// <summary>col2im by its definition: each column entry added at the position unfold reads it from.</summary>
    private static Nd FoldRef(Nd cols, int h, int w, Size2 k, Size2 d, Size2 p, Size2 s)
    {
        int n = cols.Shape[0], c = cols.Shape[1] / (k.H * k.W), l = cols.Shape[2];
        int ow = (w + 2 * p.W - d.W * (k.W - 1) - 1) / s.W + 1;
        var o = new double[n * c * h * w];
        for (int b = 0; b < n; b++)
            for (int r = 0; r < cols.Shape[1]; r++)
                for (int q = 0; q < l; q++)
                {
                    int ch = r / (k.H * k.W), i = r % (k.H * k.W) / k.W, j = r % k.W;
                    int y = q / ow * s.H - p.H + i * d.H, x = q % ow * s.W - p.W + j * d.W;
                    if (y >= 0 && y < h && x >= 0 && x < w) o[((b * c + ch) * h + y) * w + x] += cols[[b, r, q]];
                }
        return new Nd([n, c, h, w], o);
    }

    private static Nd Batched(Spec s, int rank) => s.Rank == rank ? Nd.Of(s) : new Nd([1, .. s.Shape], s.Values);
    private static Nd Unbatched(Nd x, bool unbatched) => unbatched ? new Nd(x.Shape[1..], x.Data) : x;

    [FsCheck.NUnit.Property]
    public void UnfoldAndFoldMatchTheDefinitions(FoldCase c)
    {
        bool unbatched = c.X.Rank == 3;
        int h = c.X.Shape[^2], w = c.X.Shape[^1];
        Expect.Close(F.Unfold(c.X.Tensor(), c.K, c.D, c.P, c.S), Unbatched(UnfoldRef(Batched(c.X, 4), c.K, c.D, c.P, c.S), unbatched), 0, 0, "unfold");
        Expect.Close(F.Fold(c.Cols.Tensor(), new Size2(h, w), c.K, c.D, c.P, c.S),
            Unbatched(FoldRef(Batched(c.Cols, 3), h, w, c.K, c.D, c.P, c.S), unbatched), 1e-12, 1e-12, "fold");
    }

    /// <summary>Fold is unfold's adjoint: ⟨unfold(x), cols⟩ = ⟨x, fold(cols)⟩.</summary>
    [FsCheck.NUnit.Property]
    public void FoldIsTheAdjointOfUnfold(FoldCase c)
    {
        var x = c.X.Tensor();
        var cols = c.Cols.Tensor();
        double lhs = (F.Unfold(x, c.K, c.D, c.P, c.S) * cols).Sum().Item();
        double rhs = (x * F.Fold(cols, new Size2(c.X.Shape[^2], c.X.Shape[^1]), c.K, c.D, c.P, c.S)).Sum().Item();
        NUnit.Framework.Assert.That(lhs, NUnit.Framework.Is.EqualTo(rhs).Within(1e-10));
    }

    [FsCheck.NUnit.Property(MaxTest = 50)]
    public void UnfoldAndFoldGradients(FoldCase c)
    {
        if (c.X.Numel == 0) return;
        var size = new Size2(c.X.Shape[^2], c.X.Shape[^1]);
        Expect.Grad("unfold", t => F.Unfold(t[0], c.K, c.D, c.P, c.S), c.Seed, c.X.Tensor());
        Expect.Grad("fold", t => F.Fold(t[0], size, c.K, c.D, c.P, c.S), c.Seed, c.Cols.Tensor());
        // Second order: the gradient of unfold (a fold) is itself differentiable.
        Expect.Grad("fold of unfold", t => F.Fold(F.Unfold(t[0], c.K, c.D, c.P, c.S).Square(), size, c.K, c.D, c.P, c.S), c.Seed, c.X.Tensor());
    }

    // ---- max_unpool2d --------------------------------------------------------------------------------------------

    [FsCheck.NUnit.Property]
    public void MaxUnpoolMatchesTheDefinition(UnpoolCase c)
    {
        bool unbatched = c.X.Rank == 3;
        var xb = Batched(c.X, 4);
        int n = xb.Shape[0], ch = xb.Shape[1], hw = xb.Shape[2] * xb.Shape[3];
        var o = new double[n * ch * c.OH * c.OW];
        for (int pl = 0; pl < n * ch; pl++)
            for (int e = 0; e < hw; e++) o[pl * c.OH * c.OW + c.Idx[pl * hw + e]] = xb.Data[pl * hw + e];
        var expected = Unbatched(new Nd([n, ch, c.OH, c.OW], o), unbatched);
        var idx = Tensor.FromArray(c.Idx, c.X.Shape);
        Expect.Exact(F.MaxUnpool2d(c.X.Tensor(), idx, c.K, c.S), expected, "max_unpool2d");
        Expect.Grad("max_unpool2d", t => F.MaxUnpool2d(t[0], idx, c.K, c.S), c.Seed, c.X.Tensor());
        // 1-D: the rows of one plane row as a length.
        if (!unbatched && xb.Shape[2] == 1 && c.OH == 1)
        {
            var x1 = c.X.Tensor().Squeeze(2);
            Expect.Exact(F.MaxUnpool1d(x1, idx.Squeeze(2), c.K.W, c.S.W), new Nd([n, ch, c.OW], o), "max_unpool1d");
        }
    }

    // ---- lp_pool2d -----------------------------------------------------------------------------------------------

    [FsCheck.NUnit.Property]
    public void LPPoolMatchesTheDefinition(LpCase c)
    {
        bool unbatched = c.X.Rank == 3;
        var xb = Batched(c.X, 4);
        var s = c.S ?? c.K;
        int n = xb.Shape[0], ch = xb.Shape[1], h = xb.Shape[2], w = xb.Shape[3];
        int oh = F.PoolOutputSize(h, c.K.H, s.H, 0, 1, c.Ceil), ow = F.PoolOutputSize(w, c.K.W, s.W, 0, 1, c.Ceil);
        // avg_pool2d (count_include_pad, no padding: the divisor is the window clipped to the image... and in ceil
        // mode clipped to it as well), then sign·relu(|a|)·kh·kw and the p-th root.
        var expected = Nd.Build([n, ch, oh, ow], i =>
        {
            int h0 = i[2] * s.H, w0 = i[3] * s.W, h1 = Math.Min(h0 + c.K.H, h), w1 = Math.Min(w0 + c.K.W, w);
            double sum = 0;
            for (int y = h0; y < h1; y++)
                for (int x = w0; x < w1; x++) sum += Math.Pow(xb[[i[0], i[1], y, x]], c.P);
            double a = sum / ((h1 - h0) * (w1 - w0));
            return Math.Pow(Math.Sign(a) * Math.Max(Math.Abs(a), 0) * c.K.H * c.K.W, 1 / c.P);
        });
        Expect.Close(F.LPPool2d(c.X.Tensor(), c.P, c.K, c.S, c.Ceil), Unbatched(expected, unbatched), 1e-12, 1e-12, "lp_pool2d");
        Expect.Grad("lp_pool2d", t => F.LPPool2d(t[0], c.P, c.K, c.S, c.Ceil), c.Seed, c.X.Tensor());
        if (!unbatched && h == 1 && c.K.H == 1 && (c.S?.H ?? 1) == 1)
            Expect.Close(F.LPPool1d(c.X.Tensor().Squeeze(2), c.P, c.K.W, c.S?.W, c.Ceil), new Nd([n, ch, ow], expected.Data), 1e-12, 1e-12, "lp_pool1d");
    }
}
