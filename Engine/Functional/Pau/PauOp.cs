using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

/// <summary>The Padé Activation Unit as fused ops (this file) and as a composition of primitive ops (PauComposed.cs).</summary>
public static partial class F
{
    /// <summary>
    /// Padé Activation Unit (Molina et al., ICLR 2020): F(x) = P(x)/Q(x), P(x) = a_0 + a_1 x + ... + a_m x^m, with the
    /// denominator Q of <paramref name="version"/> (<see cref="PauVersion"/>; D computes B's formula, its noise comes
    /// through <paramref name="noise"/>):
    /// A: 1 + Σ_{k=1..n} |b_k||x|^k;  B, D: 1 + |Σ_{k=1..n} b_k x^k|;  C: 0.1 + |Σ_{k=0..n} b_k x^k|.
    /// <para>
    /// numerator [m + 1] and denominator [nb] (nb = n, or n + 1 for C) are shared by all elements; [C, m + 1] and
    /// [C, nb] hold one set per channel (axis 1 of x). The degrees are read from the lengths.
    /// </para>
    /// <para>
    /// Gradients (paper §2.2, <see cref="PauMath"/>), from one fused pass over x:
    /// ∂F/∂x = P'/Q − P·Q'/Q²;  ∂F/∂a_j = x^j/Q;  A: ∂F/∂b_k = −P/Q²·sgn(b_k)|x|^k;  B, C, D: ∂F/∂b_k = −P/Q²·sgn(A(x))·x^k,
    /// with sgn(v) = −1 for v &lt; 0 and +1 otherwise (also at 0: the one-sided derivative on the non-negative side).
    /// </para>
    /// <para>
    /// With active <paramref name="noise"/> (training an RPAU) every coefficient of element i is multiplied by its
    /// factor 1 + α(2u − 1) (<see cref="PauNoise"/>), in the forward and in the backward (which redraws the same
    /// numbers); the coefficient gradients then include the factor.
    /// </para>
    /// </summary>
    public static Tensor Pau(this Tensor x, Tensor numerator, Tensor denominator, PauVersion version = PauVersion.A, PauNoise noise = default)
    {
        var (a, b, layout) = PauArguments("pau", x, numerator, denominator, version, noise);
        var xc = x.Contiguous();
        var y = xc.EmptyLike();
        x.Backend.PauForward(xc, a, b, y, version, layout, noise);
        return Graph.Record(y, "pau", [x, numerator, denominator], g =>
        {
            var dx = xc.EmptyLike();
            var da = a.EmptyLike();
            var db = b.EmptyLike();
            x.Backend.PauBackward(xc, g.Contiguous(), a, b, dx, da, db, version, layout, noise);
            return [dx, da.Reshape(numerator.ShapeCopy()), db.Reshape(denominator.ShapeCopy())];
        }, xc, a, b);
    }

    /// <summary>Checks the PAU arguments and returns the coefficients as contiguous [C, length] tensors with the layout.</summary>
    private static (Tensor A, Tensor B, ChannelLayout Layout) PauArguments(string op, Tensor x, Tensor numerator, Tensor denominator,
        PauVersion version, PauNoise noise)
    {
        Ops.CheckFloating(op, x);
        Ops.CheckPair(op, x, numerator);
        Ops.CheckPair(op, x, denominator);
        if (version is < PauVersion.A or > PauVersion.D)
            throw new ArgumentOutOfRangeException(nameof(version), version, $"{op}: PAU versions are A, B, C and D");
        PauNoise.Check(noise.Alpha);
        if (numerator.Rank is < 1 or > 2 || denominator.Rank != numerator.Rank)
            throw new ArgumentException(
                $"{op}: coefficients must be [length] (shared) or [channels, length] (per channel), both of the same rank; " +
                $"got numerator {Shapes.Format(numerator.Shape)} and denominator {Shapes.Format(denominator.Shape)}");
        if (numerator.Size(-1) < 1)
            throw new ArgumentException($"{op}: the numerator holds a_0..a_m: expected length m + 1 ≥ 1, got shape {Shapes.Format(numerator.Shape)}");
        if (version == PauVersion.C && denominator.Size(-1) < 1)
            throw new ArgumentException($"{op}: version C's denominator holds b_0..b_n: expected length n + 1 ≥ 1, got shape {Shapes.Format(denominator.Shape)}");
        int channels = numerator.Rank == 2 ? numerator.Size(0) : 1;
        if (numerator.Rank == 2 && denominator.Size(0) != channels)
            throw new ArgumentException(
                $"{op}: numerator has {channels} channel rows ({Shapes.Format(numerator.Shape)}), denominator {denominator.Size(0)} ({Shapes.Format(denominator.Shape)})");
        var layout = ChannelLayout.For(op, x, channels);
        var a = numerator.Detach().Reshape(channels, numerator.Size(-1)).Contiguous();
        var b = denominator.Detach().Reshape(channels, denominator.Size(-1)).Contiguous();
        return (a, b, layout);
    }
}
