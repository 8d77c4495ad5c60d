using FsCheck;
using FsCheck.Fluent;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Testing;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>grid_sample(X (N, C, H, W), Grid (N, OH, OW, 2), Mode, Padding, Align).</summary>
public sealed record GridCase(Spec X, Spec Grid, string Mode, string Padding, bool Align, ulong Seed)
{
    public Tensor Call(Tensor x, Tensor g) => F.GridSample(x, g, Mode, Padding, Align);
    public override string ToString() => $"X {X}, grid {Grid}, mode {Mode}, padding {Padding}, align_corners {Align}, seed {Seed}";
}

/// <summary>affine_grid(Theta, Size, Align), 4-D or 5-D.</summary>
public sealed record AffineCase(Spec Theta, int[] Size, bool Align, ulong Seed)
{
    public override string ToString() => $"theta {Theta}, size {Shapes.Format(Size)}, align_corners {Align}, seed {Seed}";
}

public static class GridGen
{
    /// <summary>N 1..2, C 1..2, H and W 1..5 (size-1 axes included), OH and OW 1..3; grid coordinates in
    /// [−1.6, 1.6], so a part of them falls outside the image and reaches the padding rules (reflections included).</summary>
    public static readonly Gen<GridCase> Case =
        from n in Gen.Choose(1, 2)
        from c in Gen.Choose(1, 2)
        from h in Gen.Choose(1, 5)
        from w in Gen.Choose(1, 5)
        from oh in Gen.Choose(1, 3)
        from ow in Gen.Choose(1, 3)
        from mode in Gen.Elements("bilinear", "nearest", "bicubic")
        from padding in Gen.Elements("zeros", "border", "reflection")
        from align in Gen.Elements(false, true)
        from x in EngineGen.Values([n, c, h, w], EngineGen.Uniform(-2, 2))
        from grid in EngineGen.Values([n, oh, ow, 2], EngineGen.Uniform(-1.6, 1.6))
        from seed in EngineGen.Seed
        select new GridCase(x, grid, mode, padding, align, seed);

    public static readonly Gen<AffineCase> Affine =
        from dims in Gen.Elements(2, 2, 3)
        from n in Gen.Choose(1, 2)
        from spatial in Gen.ArrayOf(Gen.Choose(1, 4), dims)
        from align in Gen.Elements(false, true)
        from theta in EngineGen.Values([n, dims, dims + 1], EngineGen.Uniform(-1.5, 1.5))
        from seed in EngineGen.Seed
        select new AffineCase(theta, [n, 3, .. spatial], align, seed);
}

public static class GridArbitraries
{
    public static Arbitrary<GridCase> Case() => GridGen.Case.ToArbitrary();
    public static Arbitrary<AffineCase> Affine() => GridGen.Affine.ToArbitrary();
}

/// <summary>
/// affine_grid and grid_sample against plain float64 loops of PyTorch's GridSampler.h (unnormalize, clip, reflect,
/// the bilinear/nearest/bicubic taps) and their gradients, for the input and for the grid, against central differences.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(GridArbitraries)], MaxTest = 150)]
public class GridSampleProperties
{
    private static double Unnormalize(double c, int size, bool align) => align ? (c + 1) / 2 * (size - 1) : ((c + 1) * size - 1) / 2;

    private static double Clip(double x, int size) => Math.Min(size - 1, Math.Max(x, 0));

    private static double Reflect(double x, int twiceLow, int twiceHigh)
    {
        if (twiceLow == twiceHigh) return 0;
        double min = twiceLow / 2.0, span = (twiceHigh - twiceLow) / 2.0;
        x = Math.Abs(x - min);
        double extra = x % span;
        int flips = (int)Math.Floor(x / span);
        return flips % 2 == 0 ? extra + min : span - extra + min;
    }

    private static double Pad(double x, int size, string padding, bool align)
    {
        if (padding == "border") return Clip(x, size);
        if (padding == "reflection")
            return Clip(align ? Reflect(x, 0, 2 * (size - 1)) : Reflect(x, -1, 2 * size - 1), size);
        return x;
    }

    private static double Cubic1(double x, double a) => ((a + 2) * x - (a + 3)) * x * x + 1;
    private static double Cubic2(double x, double a) => ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;

    private static double[] Coefficients(double t) => [Cubic2(t + 1, -0.75), Cubic1(t, -0.75), Cubic1(1 - t, -0.75), Cubic2(2 - t, -0.75)];

    internal static Nd Reference(GridCase c)
    {
        var x = Nd.Of(c.X);
        var g = Nd.Of(c.Grid);
        int n = c.X.Shape[0], ch = c.X.Shape[1], h = c.X.Shape[2], w = c.X.Shape[3], oh = c.Grid.Shape[1], ow = c.Grid.Shape[2];
        double V(int b, int k, double yy, double xx) =>
            xx >= 0 && xx <= w - 1 && yy >= 0 && yy <= h - 1 ? x[[b, k, (int)yy, (int)xx]] : 0;
        return Nd.Build([n, ch, oh, ow], i =>
        {
            int b = i[0], k = i[1];
            double ix = Unnormalize(g[[b, i[2], i[3], 0]], w, c.Align), iy = Unnormalize(g[[b, i[2], i[3], 1]], h, c.Align);
            if (c.Mode == "bicubic")
            {
                double x0 = Math.Floor(ix), y0 = Math.Floor(iy);
                var wx = Coefficients(ix - x0);
                var wy = Coefficients(iy - y0);
                double sum = 0;
                for (int r = 0; r < 4; r++)
                {
                    double row = 0;
                    for (int q = 0; q < 4; q++)
                        row += wx[q] * V(b, k, Pad(y0 - 1 + r, h, c.Padding, c.Align), Pad(x0 - 1 + q, w, c.Padding, c.Align));
                    sum += wy[r] * row;
                }
                return sum;
            }
            ix = Pad(ix, w, c.Padding, c.Align);
            iy = Pad(iy, h, c.Padding, c.Align);
            if (c.Mode == "nearest")
                return V(b, k, Math.Round(iy, MidpointRounding.ToEven), Math.Round(ix, MidpointRounding.ToEven));
            double xw = Math.Floor(ix), yn = Math.Floor(iy);
            double fx = ix - xw, fy = iy - yn;
            return V(b, k, yn, xw) * (1 - fx) * (1 - fy) + V(b, k, yn, xw + 1) * fx * (1 - fy)
                 + V(b, k, yn + 1, xw) * (1 - fx) * fy + V(b, k, yn + 1, xw + 1) * fx * fy;
        });
    }

    [FsCheck.NUnit.Property]
    public void GridSampleMatchesTheDefinition(GridCase c) =>
        Expect.Close(c.Call(c.X.Tensor(), c.Grid.Tensor()), Reference(c), 1e-12, 1e-12, $"grid_sample {c.Mode} {c.Padding}");

    /// <summary>Both gradients; nearest's grid gradient is 0 (the numeric one too, away from a rounding jump).</summary>
    [FsCheck.NUnit.Property(MaxTest = 100)]
    public void GridSampleGradients(GridCase c) =>
        Expect.Grad($"grid_sample {c.Mode} {c.Padding} align {c.Align}", t => c.Call(t[0], t[1]), c.Seed, c.X.Tensor(), c.Grid.Tensor());

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public void Float32IsCloseToFloat64(GridCase c) =>
        Expect.Close(c.Call(c.X.Tensor(DType.Float32), c.Grid.Tensor(DType.Float32)).To(DType.Float64), Reference(c), 2e-5, 2e-5,
            $"grid_sample {c.Mode} {c.Padding} float32");

    private static double[] Centres(int size, bool align) =>
        Enumerable.Range(0, size).Select(i => size == 1 ? 0 : align ? -1 + 2.0 * i / (size - 1) : (-1 + 2.0 * i / (size - 1)) * (size - 1) / size).ToArray();

    [FsCheck.NUnit.Property]
    public void AffineGridMatchesTheDefinition(AffineCase c)
    {
        int dims = c.Size.Length - 2;
        var theta = Nd.Of(c.Theta);
        var spatial = c.Size[2..];
        var axes = spatial.Select(s => Centres(s, c.Align)).ToArray();
        var expected = Nd.Build([c.Size[0], .. spatial, dims], i =>
        {
            // Base point (x, y[, z], 1): x from the last spatial axis.
            var pt = new double[dims + 1];
            for (int a = 0; a < dims; a++) pt[dims - 1 - a] = axes[a][i[1 + a]];
            pt[dims] = 1;
            double s = 0;
            for (int j = 0; j <= dims; j++) s += theta[[i[0], i[^1], j]] * pt[j];
            return s;
        });
        Expect.Close(F.AffineGrid(c.Theta.Tensor(), c.Size, c.Align), expected, 1e-12, 1e-12, "affine_grid");
        Expect.Grad("affine_grid", t => F.AffineGrid(t[0], c.Size, c.Align), c.Seed, c.Theta.Tensor());
    }

    /// <summary>The spatial transformer chain: affine_grid's gradient for theta through grid_sample (a theta whose
    /// points miss the integer coordinates and the clip bounds, where the derivative is one-sided).</summary>
    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void ThetaGradientThroughGridSample(GridCase c)
    {
        if (c.Mode == "nearest") return;
        var theta = Tensor.FromArray([0.93, 0.21, 0.113, -0.17, 1.07, -0.043], 1, 2, 3).Expand(c.X.Shape[0], 2, 3).Contiguous();
        int[] size = [.. c.X.Shape[..2], c.Grid.Shape[1], c.Grid.Shape[2]];
        Expect.Grad("affine_grid + grid_sample", t => F.GridSample(t[0], F.AffineGrid(t[1], size, c.Align), c.Mode, c.Padding, c.Align),
            c.Seed, c.X.Tensor(), theta);
    }
}
