namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// The PAU of <see cref="Pau"/> written with primitive engine ops (multiply, add, abs, divide), so autograd derives
    /// its gradient: the readable reference the fused kernel is tested against, and what a PAU costs without a kernel
    /// of its own (about 2(m + n) temporaries of the input's size).
    /// <para>
    /// Differences from the fused op: the engine's |v| has derivative sgn(v) with sgn(0) = 0 (PyTorch's convention),
    /// the fused kernel uses sgn(0) = +1 — they agree everywhere except exactly at x = 0 (version A), A(x) = 0 (B, C, D)
    /// or b_k = 0 (version A). Noise comes as a tensor of factors [K, ...x.shape] (<see cref="PauNoise.Factors"/>).
    /// </para>
    /// </summary>
    public static Tensor PauComposed(this Tensor x, Tensor numerator, Tensor denominator, PauVersion version = PauVersion.A,
        Tensor? noiseFactors = null)
    {
        var (aFlat, _, _) = PauArguments("pau_composed", x, numerator, denominator, version, PauNoise.None);
        int channels = aFlat.Size(0), na = numerator.Size(-1), nb = denominator.Size(-1);
        if (noiseFactors != null && (noiseFactors.Rank != x.Rank + 1 || noiseFactors.Size(0) != na + nb))
            throw new ArgumentException(
                $"pau_composed: noise factors must be [{na + nb}, ...x.shape], got {Shapes.Format(noiseFactors.Shape)} for x {Shapes.Format(x.Shape)}");
        var shape = ChannelLayout.BroadcastShape(x, channels);

        // Coefficient k (a_0..a_m, then the denominator's) as a tensor broadcasting against x, times its noise.
        Tensor Coefficient(Tensor coefficients, int index, int k)
        {
            var c = coefficients.Select(-1, index).Reshape(shape);
            return noiseFactors == null ? c : c * noiseFactors.Select(0, k);
        }

        // P(x) by Horner: p = a_m; p = p·x + a_j.
        var p = Coefficient(numerator, na - 1, na - 1);
        for (int j = na - 2; j >= 0; j--) p = p * x + Coefficient(numerator, j, j);

        Tensor q;
        switch (version)
        {
            case PauVersion.A:
            {
                // Q = 1 + Σ_{k=1..n} |b_k| |x|^k = 1 + t·(|b_1| + t·(|b_2| + ...)), t = |x|.
                if (nb == 0) { q = x.OnesLike(); break; }
                var t = x.Abs();
                var r = Coefficient(denominator, nb - 1, na + nb - 1).Abs();
                for (int k = nb - 2; k >= 0; k--) r = r * t + Coefficient(denominator, k, na + k).Abs();
                q = r * t + 1.0;
                break;
            }
            case PauVersion.C:
            {
                // Q = 0.1 + |b_0 + b_1 x + ... + b_n x^n|.
                var r = Coefficient(denominator, nb - 1, na + nb - 1);
                for (int k = nb - 2; k >= 0; k--) r = r * x + Coefficient(denominator, k, na + k);
                q = r.Abs() + PauMath.VersionCEpsilon;
                break;
            }
            default:
            {
                // B, D: Q = 1 + |x·(b_1 + x·(b_2 + ...))|.
                if (nb == 0) { q = x.OnesLike(); break; }
                var r = Coefficient(denominator, nb - 1, na + nb - 1);
                for (int k = nb - 2; k >= 0; k--) r = r * x + Coefficient(denominator, k, na + k);
                q = (r * x).Abs() + 1.0;
                break;
            }
        }
        return p / q;
    }
}
