using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using static Pade.Tests.Activations.ActivationGen;

namespace Pade.Tests.Activations;

/// <summary>A PAU case: version, degrees, input [N, C, L] and coefficients (shared or per channel), chosen so that no
/// element sits at a kink (x = 0 and b_k = 0 for A; A(x) = 0 for B, C, D).</summary>
public sealed record PauCase(PauVersion Version, int M, int N, ActCase X, int Channels, double[] A, double[] B)
{
    public int Nb => Version == PauVersion.C ? N + 1 : N;
    public Tensor Numerator() => Channels == 1 ? Param(A, M + 1) : Param(A, Channels, M + 1);
    public Tensor Denominator() => Channels == 1 ? Param(B, Nb) : Param(B, Channels, Nb);
    public override string ToString() =>
        $"version {Version}, m {M}, n {N}, channels {Channels}, a [{string.Join(", ", A.Select(v => v.ToString("G4")))}], b [{string.Join(", ", B.Select(v => v.ToString("G4")))}], x {X}";
}

/// <summary>
/// The PAU: fused kernel against the scalar reference <see cref="PauMath"/> and against the autograd composition,
/// gradient checks for every version and degree pair, RPAU noise, initialisation, determinism and argument errors.
/// </summary>
public class PauProperties
{
    /// <summary>Distance from every kink in the case.</summary>
    private static bool Smooth(PauVersion v, double x, ReadOnlySpan<double> b)
    {
        if (v == PauVersion.A) return Math.Abs(x) > Margin;
        double s = 0, pw = v == PauVersion.C ? 1 : x;
        foreach (var bk in b) { s += bk * pw; pw *= x; }
        return Math.Abs(s) > Margin;
    }

    private static Gen<PauCase> Case(Gen<PauVersion> versions, Gen<(int, int)> degrees, bool perChannel) =>
        from v in versions
        from d in degrees
        from shape in Shape
        from pc in perChannel ? Gen.Elements(1, shape[1]) : Gen.Constant(1)
        let nb = v == PauVersion.C ? d.Item2 + 1 : d.Item2
        from a in Gen.ArrayOf(Uniform(-1, 1), pc * (d.Item1 + 1))
        from b in Gen.ArrayOf(Away(Uniform(-1, 1), 0), pc * nb)
        from x in Gen.ArrayOf(Uniform(-2, 2), shape.Aggregate(1, (p, q) => p * q))
        from seed in Seed
        let xs = x.Select((value, i) =>
        {
            int c = pc == 1 ? 0 : i / (x.Length / shape[0] / shape[1]) % shape[1];
            // Nudge a value off a kink by moving it until it is smooth (a kink is an isolated point).
            for (double step = 0; step < 1; step += 0.013)
                if (Smooth(v, value + step, b.AsSpan(c * nb, nb))) return value + step;
            return value;
        }).ToArray()
        select new PauCase(v, d.Item1, d.Item2, new ActCase(shape, xs, seed), pc, a, b);

    private static readonly Gen<PauVersion> AnyVersion = Gen.Elements(PauVersion.A, PauVersion.B, PauVersion.C, PauVersion.D);
    private static readonly Gen<(int, int)> AnyDegrees = from m in Gen.Choose(1, 6) from n in Gen.Choose(1, 5) select (m, n);

    /// <summary>Reference values and gradients per element from PauMath (float64), channel by channel.</summary>
    private static (double[] Y, double[] Dx, double[] DA, double[] DB) Reference(PauCase c, double[] dy)
    {
        int na = c.M + 1, nb = c.Nb, numel = c.X.X.Length;
        var y = new double[numel]; var dx = new double[numel];
        var dA = new double[c.Channels * na]; var dB = new double[c.Channels * nb];
        var ga = new double[na]; var gb = new double[nb];
        int inner = numel / c.X.Shape[0] / c.X.Shape[1];
        for (int i = 0; i < numel; i++)
        {
            int ch = c.Channels == 1 ? 0 : i / inner % c.X.Shape[1];
            var a = c.A.AsSpan(ch * na, na); var b = c.B.AsSpan(ch * nb, nb);
            var version = c.Version == PauVersion.D ? PauVersion.B : c.Version;   // D without noise is B's formula
            dx[i] = dy[i] * PauMath.Gradients(c.X.X[i], a, b, version, ga, gb, out y[i]);
            for (int j = 0; j < na; j++) dA[ch * na + j] += dy[i] * ga[j];
            for (int k = 0; k < nb; k++) dB[ch * nb + k] += dy[i] * gb[k];
        }
        return (y, dx, dA, dB);
    }

    private static (double[] Y, double[] Dx, double[] DA, double[] DB) Run(PauCase c, double[] dy, bool composed, PauNoise noise = default, DType? dtype = null)
    {
        var t = dtype ?? DType.Float64;
        var x = c.X.Tensor().To(t); x.RequiresGrad = true;
        var a = c.Numerator().To(t); a.RequiresGrad = true;
        var b = c.Denominator().To(t); b.RequiresGrad = true;
        int K = a.Size(-1) + b.Size(-1);
        var y = composed
            ? F.PauComposed(x, a, b, c.Version, noise.IsActive ? noise.Factors(x.ShapeCopy(), t, K) : null)
            : F.Pau(x, a, b, c.Version, noise);
        y.Backward(Tensor.FromSpan<double>(dy, c.X.Shape).To(t));
        return (y.ToArray<double>(), x.Grad!.ToArray<double>(), a.Grad!.ToArray<double>(), b.Grad!.ToArray<double>());
    }

    private static double[] Upstream(PauCase c) => Tensor.Rand(c.X.Shape, -1, 1, DType.Float64, generator: new Generator(c.X.Seed)).ToArray<double>();

    private static void Same((double[] Y, double[] Dx, double[] DA, double[] DB) got, (double[] Y, double[] Dx, double[] DA, double[] DB) want,
        string what, double tol = 1e-11)
    {
        Close(got.Y, want.Y, tol, tol, what + ": F");
        Close(got.Dx, want.Dx, tol, tol, what + ": dF/dx");
        Close(got.DA, want.DA, tol, tol, what + ": dF/da");
        Close(got.DB, want.DB, tol, tol, what + ": dF/db");
    }

    [FsCheck.NUnit.Property(MaxTest = 40)]
    public Property FusedMatchesPauMathReference() => Prop.ForAll(Case(AnyVersion, AnyDegrees, perChannel: true).ToArbitrary(), c =>
    {
        var dy = Upstream(c);
        Same(Run(c, dy, composed: false), Reference(c, dy), "fused vs PauMath");
    });

    [FsCheck.NUnit.Property(MaxTest = 40)]
    public Property FusedMatchesComposed() => Prop.ForAll(Case(AnyVersion, AnyDegrees, perChannel: true).ToArbitrary(), c =>
    {
        var dy = Upstream(c);
        Same(Run(c, dy, composed: false), Run(c, dy, composed: true), "fused vs composed");
    });

    [FsCheck.NUnit.Property(MaxTest = 25)]
    public Property FusedMatchesComposedWithNoise() => Prop.ForAll(Case(AnyVersion, AnyDegrees, perChannel: true).ToArbitrary(), c =>
    {
        var dy = Upstream(c);
        var noise = new PauNoise(0.1, c.X.Seed, 4 * c.X.Seed);
        Same(Run(c, dy, composed: false, noise), Run(c, dy, composed: true, noise), "noisy fused vs composed");
    });

    [FsCheck.NUnit.Property(MaxTest = 30)]
    public Property GradCheck() => Prop.ForAll(Case(AnyVersion, AnyDegrees, perChannel: true).ToArbitrary(), c =>
        Grad($"pau {c.Version} ({c.M}, {c.N})", xs => F.Pau(xs[0], xs[1], xs[2], c.Version), c.X.Seed, c.X.Tensor(), c.Numerator(), c.Denominator()));

    [FsCheck.NUnit.Property(MaxTest = 20)]
    public Property RpauGradCheckWithFixedNoise() => Prop.ForAll(Case(AnyVersion, AnyDegrees, perChannel: true).ToArbitrary(), c =>
    {
        // The same (seed, offset) on every call: the check differentiates one fixed draw of the noise.
        var noise = new PauNoise(0.1, c.X.Seed, 100);
        Grad($"rpau {c.Version} ({c.M}, {c.N})", xs => F.Pau(xs[0], xs[1], xs[2], c.Version, noise), c.X.Seed, c.X.Tensor(), c.Numerator(), c.Denominator());
    });

    [Test]
    public void GradCheckEveryVersionAndDegreePair()
    {
        // All 4 versions × m ∈ 1..6 × n ∈ 1..5 on a small input (a property samples them; this covers each one).
        var gen = new Generator(11);
        foreach (var version in Enum.GetValues<PauVersion>())
            for (int m = 1; m <= 6; m++)
                for (int n = 1; n <= 5; n++)
                {
                    int nb = version == PauVersion.C ? n + 1 : n;
                    var a = Tensor.Rand([m + 1], -1, 1, DType.Float64, generator: gen);
                    var bv = Tensor.Rand([nb], 0.1, 1, DType.Float64, generator: gen).ToArray<double>();
                    for (int k = 0; k < nb; k += 2) bv[k] = -bv[k];                        // both signs, none near 0
                    var xs = Tensor.Rand([40], -2, 2, DType.Float64, generator: gen).ToArray<double>()
                        .Where(v => Smooth(version, v, bv)).Take(8).ToArray();
                    Grad($"pau {version} ({m}, {n})", t => F.Pau(t[0], t[1], t[2], version), (ulong)(m * 10 + n),
                        Tensor.FromArray(xs, xs.Length), a, Tensor.FromArray(bv, nb));
                }
    }

    [Test]
    public void Float32KernelMatchesFloat64OnLargeTensors([Values] PauVersion version, [Values(1, 3)] int channels)
    {
        // 4·3·1237 elements: rows of 1237 = 77 float vectors + a 5-element tail; several channels.
        var gen = new Generator(5);
        int nb = version == PauVersion.C ? 5 : 4;
        var x = Tensor.Rand([4, channels, 1237], -3, 3, DType.Float64, generator: gen);
        var a = Tensor.Rand(channels == 1 ? [6] : [channels, 6], -1, 1, DType.Float64, generator: gen);
        var b = Tensor.Rand(channels == 1 ? [nb] : [channels, nb], 0.2, 1, DType.Float64, generator: gen);
        var dy = Tensor.Rand([4, channels, 1237], -1, 1, DType.Float64, generator: gen);
        double[][] Grads(DType t)
        {
            var (xt, at, bt) = (x.To(t).Detach(), a.To(t).Detach(), b.To(t).Detach());
            xt.RequiresGrad = at.RequiresGrad = bt.RequiresGrad = true;
            var y = F.Pau(xt, at, bt, version);
            y.Backward(dy.To(t));
            return [y.ToArray<double>(), xt.Grad!.ToArray<double>(), at.Grad!.ToArray<double>(), bt.Grad!.ToArray<double>()];
        }
        var g64 = Grads(DType.Float64);
        var g32 = Grads(DType.Float32);
        string[] names = ["F", "dx", "da", "db"];
        for (int i = 0; i < 4; i++)
        {
            double scale = g64[i].Max(Math.Abs);
            // Coefficient gradients are sums of ~5000 terms accumulated in float: relative to their scale.
            Close(g32[i], g64[i], atol: (i < 2 ? 2e-5 : 2e-4) * Math.Max(1, scale), rtol: 1e-4, what: $"{version} {names[i]} float32 vs float64");
        }
    }

    /// <summary>The written-out (5, 4) kernel with RPAU noise against the general noisy kernel (itself checked element
    /// by element against the noiseless kernel at the noised coefficients, PauNoiseLanesTests): same stream, same
    /// factors, the formulas' rounding apart. Rows of 37 (vectors and a tail) from an element offset whose words start
    /// mid-block, and rows shorter than a vector.</summary>
    [Test]
    public void WrittenOutDegree54NoisyKernelMatchesTheGeneralKernel([Values(PauVersion.A, PauVersion.B, PauVersion.D)] PauVersion version,
        [Values(1, 3)] int channels, [Values(DType.Float32, DType.Float64)] DType dtype, [Values(150, 37, 5)] int row)
    {
        var gen = new Generator(22);
        var x = Tensor.Rand([3, channels, row], -3, 3, dtype, generator: gen);
        var dy = Tensor.Rand([3, channels, row], -1, 1, dtype, generator: gen);
        var a = Tensor.Rand(channels == 1 ? [6] : [channels, 6], -1, 1, dtype, generator: gen);
        var b = Tensor.Rand(channels == 1 ? [4] : [channels, 4], -1, 1, dtype, generator: gen);
        var noise = new PauNoise(0.3, 0x5EED, 7);
        double[][] Run(bool fixedPath)
        {
            Pade.Engine.Cpu.PauKernel54<float>.Enabled = Pade.Engine.Cpu.PauKernel54<double>.Enabled = fixedPath;
            try
            {
                var (xt, at, bt) = (x.Detach(), a.Detach(), b.Detach());
                xt.RequiresGrad = at.RequiresGrad = bt.RequiresGrad = true;
                var y = F.Pau(xt, at, bt, version, noise);
                y.Backward(dy);
                return [y.ToArray<double>(), xt.Grad!.ToArray<double>(), at.Grad!.ToArray<double>(), bt.Grad!.ToArray<double>()];
            }
            finally { Pade.Engine.Cpu.PauKernel54<float>.Enabled = Pade.Engine.Cpu.PauKernel54<double>.Enabled = true; }
        }
        var fast = Run(true);
        var general = Run(false);
        var quiet = F.Pau(x, a, b, version).ToArray<double>();
        Assert.That(fast[0], Is.Not.EqualTo(quiet), "the noise must change the output");
        double tol = dtype == DType.Float32 ? 2e-5 : 1e-12;
        string[] names = ["F", "dx", "da", "db"];
        for (int i = 0; i < 4; i++) Close(fast[i], general[i], tol, tol, $"{version} {dtype} {names[i]}: noisy (5, 4) kernel vs general");
    }

    [Test]
    public void WrittenOutDegree54KernelMatchesTheGeneralKernel([Values(PauVersion.A, PauVersion.B, PauVersion.D)] PauVersion version,
        [Values(1, 2)] int channels, [Values(DType.Float32, DType.Float64)] DType dtype)
    {
        // Rows of 37 elements: two float vectors (four double vectors) and a tail, in both paths.
        var gen = new Generator(21);
        var x = Tensor.Rand([3, channels, 37], -3, 3, dtype, generator: gen);
        var dy = Tensor.Rand([3, channels, 37], -1, 1, dtype, generator: gen);
        var a = Tensor.Rand(channels == 1 ? [6] : [channels, 6], -1, 1, dtype, generator: gen);
        var b = Tensor.Rand(channels == 1 ? [4] : [channels, 4], -1, 1, dtype, generator: gen);
        double[][] Run(bool fixedPath)
        {
            Pade.Engine.Cpu.PauKernel54<float>.Enabled = Pade.Engine.Cpu.PauKernel54<double>.Enabled = fixedPath;
            try
            {
                var (xt, at, bt) = (x.Detach(), a.Detach(), b.Detach());
                xt.RequiresGrad = at.RequiresGrad = bt.RequiresGrad = true;
                var y = F.Pau(xt, at, bt, version);
                y.Backward(dy);
                return [y.ToArray<double>(), xt.Grad!.ToArray<double>(), at.Grad!.ToArray<double>(), bt.Grad!.ToArray<double>()];
            }
            finally { Pade.Engine.Cpu.PauKernel54<float>.Enabled = Pade.Engine.Cpu.PauKernel54<double>.Enabled = true; }
        }
        var fast = Run(true);
        var general = Run(false);
        double tol = dtype == DType.Float32 ? 2e-5 : 1e-12;
        string[] names = ["F", "dx", "da", "db"];
        for (int i = 0; i < 4; i++) Close(fast[i], general[i], tol, tol, $"{version} {dtype} {names[i]}: (5, 4) kernel vs general");
    }

    [Test]
    public void CoefficientGradientsAreBitIdenticalForAnyThreadCount()
    {
        var gen = new Generator(9);
        var x = Tensor.Randn([3, 2, 70001], generator: gen);
        var dy = Tensor.Randn([3, 2, 70001], generator: gen);
        float[] Run(int threads, bool perChannel)
        {
            int saved = CpuBackend.Threads;
            CpuBackend.Threads = threads;
            try
            {
                var m = new Pade.Layers.Activations.Pau(channels: perChannel ? 2 : 1);
                F.Pau(x, m.Numerator, m.Denominator).Backward(dy);
                return [.. m.Numerator.Grad!.ToArray<float>(), .. m.Denominator.Grad!.ToArray<float>()];
            }
            finally { CpuBackend.Threads = saved; }
        }
        Assert.That(Run(2, false), Is.EqualTo(Run(1, false)));
        Assert.That(Run(2, true), Is.EqualTo(Run(1, true)));
    }

    [Test]
    public void SignOfZeroIsPlusOne()
    {
        // Version A at x = 0 and with b_1 = 0: the kernel takes sgn(0) = +1 (PauMath's convention).
        var x = Tensor.FromArray([0.0, 0.5], 2); x.RequiresGrad = true;
        var a = Tensor.FromArray([0.1, 1.0, 0.3], 3); a.RequiresGrad = true;
        var b = Tensor.FromArray([0.0, 2.0], 2); b.RequiresGrad = true;
        F.Pau(x, a, b).Backward(Tensor.Ones([2], DType.Float64));
        var ga = new double[3]; var gb = new double[2];
        double dx0 = PauMath.Gradients(0.0, [0.1, 1.0, 0.3], [0.0, 2.0], PauVersion.A, ga, gb);
        Assert.That(x.Grad!.ToArray<double>()[0], Is.EqualTo(dx0).Within(1e-15));
        double expectedB1 = 0;
        foreach (var v in new[] { 0.0, 0.5 })
        {
            PauMath.Gradients(v, [0.1, 1.0, 0.3], [0.0, 2.0], PauVersion.A, ga, gb);
            expectedB1 += gb[0];
        }
        Assert.That(b.Grad!.ToArray<double>()[0], Is.EqualTo(expectedB1).Within(1e-15));
        Assert.That(expectedB1, Is.Not.EqualTo(0.0), "with sgn(0) = +1, b_1 = 0 still gets a gradient");
    }

    [Test]
    public void RpauNoiseIsTheDocumentedStream()
    {
        // Element i, coefficient k uses number i·K + k: check one noisy value against PauMath at hand-noised coefficients.
        double[] a = [0.2, 0.7, -0.4], b = [0.5, -0.3];
        var noise = new PauNoise(0.1, 77, 12);
        var x = Tensor.FromArray([0.3, -1.1, 1.7], 3);
        var y = F.Pau(x, Tensor.FromArray(a, 3), Tensor.FromArray(b, 2), PauVersion.B, noise).ToArray<double>();
        for (int i = 0; i < 3; i++)
        {
            var an = a.Select((v, k) => v * noise.Factor(i, k, 5, single: false)).ToArray();
            var bn = b.Select((v, k) => v * noise.Factor(i, 3 + k, 5, single: false)).ToArray();
            Assert.That(y[i], Is.EqualTo(PauMath.Evaluate(x.ToArray<double>()[i], an, bn, PauVersion.B)).Within(1e-14));
        }
    }
}
