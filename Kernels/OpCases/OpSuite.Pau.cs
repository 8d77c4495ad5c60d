using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Kernels.OpCases;

/// <summary>The PAU through F.Pau (cuda/pau.cu): versions A, B, C, D, shared and per-channel coefficients, the
/// paper's (5, 4) specialisation and the generic kernel, packed and scalar element paths, and RPAU noise.</summary>
public static partial class OpSuite
{
    /// <summary>One PAU case: version, numerator length, input layout (channels = 1: shared coefficients), noise.</summary>
    private sealed record PauPlan(PauVersion Version, int Na, int Nb, int[] Shape, int Channels, bool Noise, string Geometry);

    private static void AddPauCases(List<OpCase> cases)
    {
        PauPlan[] plans =
        [
            new(PauVersion.A, 6, 4, [1001], 1, false, "odd count: scalar"),
            new(PauVersion.A, 6, 4, [4, 6, 16], 6, false, "rows of 16: packed"),
            new(PauVersion.B, 6, 4, [4, 64], 1, false, "packed"),
            new(PauVersion.B, 4, 2, [3, 5, 7], 5, false, "rows of 7: scalar"),
            new(PauVersion.C, 6, 5, [1001], 1, false, "scalar"),
            new(PauVersion.C, 4, 3, [4, 6, 16], 6, false, "packed"),
            new(PauVersion.D, 6, 4, [1001], 1, false, "evaluation"),
            new(PauVersion.A, 4, 2, [4, 64], 1, false, "packed"),
            new(PauVersion.D, 6, 4, [1001], 1, true, "RPAU"),
            new(PauVersion.A, 6, 4, [2, 3, 17], 3, true, "RPAU"),
            new(PauVersion.C, 4, 3, [4, 64], 1, true, "RPAU"),
        ];
        foreach (var p in plans)
        {
            // Version C's denominator can come down to 0.1: narrower ranges keep its condition number in bounds.
            bool c = p.Version == PauVersion.C;
            double r = c ? 1 : 1.5, coefficient = c ? 0.5 : 1, qmin = c ? 0.1 : 1;
            int[] na = p.Channels == 1 ? [p.Na] : [p.Channels, p.Na], nb = p.Channels == 1 ? [p.Nb] : [p.Channels, p.Nb];
            long perChannel = p.Shape.Aggregate(1L, (n, d) => n * d) / p.Channels;
            var (tolY, tolDx, tolCoefficient) = PauTolerances(p, r, coefficient, qmin, perChannel);
            var label = $"{p.Version} ({p.Na - 1}, {p.Nb}) {(p.Channels == 1 ? "shared" : "per-channel")} {Fmt(p.Shape)} {p.Geometry}";
            cases.Add(new("pau", label,
                [In("x", p.Shape, -r, r), In("a", na, -coefficient, coefficient), In("b", nb, -coefficient, coefficient)],
                (e, x) => One(p.Noise ? NoisyPau(e, x, p.Version) : x[0].Pau(x[1], x[2], p.Version)))
            {
                // With noise the reference is the composed PAU of primitive ops with the factors the device draws.
                Reference = p.Noise ? ReferenceKind.Custom : ReferenceKind.Float64,
                Tol = tolY, GradTols = [tolDx, tolCoefficient, tolCoefficient],
                Kernels = PauKernels(p),
            });
        }
    }

    private const ulong PauNoiseSeed = 0xC0FFEE, PauNoiseOffset = 5;

    /// <summary>RPAU on the device (the fused op with noise); in the reference, the composed PAU with the factors of
    /// the same Philox numbers (one word per number for float32, two for float64).</summary>
    private static Tensor NoisyPau(OpEnv e, Tensor[] x, PauVersion version)
    {
        var noise = new PauNoise(PauNoise.DefaultAlpha, PauNoiseSeed, PauNoiseOffset);
        if (!e.IsReference) return x[0].Pau(x[1], x[2], version, noise);
        int k = x[1].Size(-1) + x[2].Size(-1);
        var factors = noise.Factors(x[0].ShapeCopy(), e.DeviceDType, k).To(DType.Float64);
        return x[0].PauComposed(x[1], x[2], version, factors);
    }

    /// <summary>
    /// Bounds from the sizes of the terms at |x| ≤ r with coefficients up to c: Sa = Σ c·r^j (P's terms), Sb (Q's),
    /// Sa', Sb' (their derivatives'), Q ≥ qmin. Horner rounds once per term (8 for the chain and the division):
    /// y = P/Q errs by 8·(Sa + |y|·Sb)/Q with |y| ≤ Sa/qmin; dx = P'/Q − P·Q'/Q² by 8·(Sa' + |y|·Sb')·(1 + Sb/qmin)/qmin;
    /// a coefficient gradient sums one such term per element of its channel.
    /// </summary>
    private static (Tolerance Y, Tolerance Dx, Tolerance Coefficients) PauTolerances(PauPlan p, double r, double c, double qmin, long terms)
    {
        double Sum(int from, int count, bool derivative) =>
            Enumerable.Range(from, count).Sum(j => c * (derivative ? j * Math.Pow(r, Math.Max(0, j - 1)) : Math.Pow(r, j)));
        int first = p.Version == PauVersion.C ? 0 : 1;
        double sa = Sum(0, p.Na, false), sb = Sum(first, p.Nb, false), dsa = Sum(0, p.Na, true), dsb = Sum(first, p.Nb, true);
        double yMax = sa / qmin;
        double y = 8 * (sa + yMax * sb) / qmin, dx = 8 * (dsa + yMax * dsb) * (1 + sb / qmin) / qmin;
        return (new Tolerance(16, y), new Tolerance(16, dx), Tolerance.Sum(terms, dx / 8));
    }

    /// <summary>The entry points CudaBackend.PauKernel picks: the (5, 4) specialisation for A and B/D without noise.</summary>
    private static string[] PauKernels(PauPlan p)
    {
        var formula = p.Version switch { PauVersion.A => "a", PauVersion.C => "c", _ => "b" };
        bool fixed54 = p.Na == 6 && p.Nb == 4 && !p.Noise && p.Version != PauVersion.C;
        var prefix = $"pau.cu:pau{(fixed54 ? "54" : "")}_{formula}_";
        return [prefix + "forward_{t}", prefix + "backward_{t}", "pau.cu:pau_coeff_reduce_{t}"];
    }
}
