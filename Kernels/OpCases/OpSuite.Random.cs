using System.Globalization;
using Pade.Engine;

namespace Pade.Kernels.OpCases;

/// <summary>Random tensors (cuda/random.cu) and the fused optimizer steps (cuda/optim.cu).</summary>
public static partial class OpSuite
{
    /// <summary>
    /// How far a device's normal numbers may lie from the CPU's for the same Philox words:
    /// y = p1 + p2·r·cos(2πu2), r = √(−2 ln(1 − u1)). CUDA documents libdevice's double log within 1 ulp and cos
    /// within 2 ulp; glibc's (which .NET calls) are within 1 ulp each. So the two sides' ln differ by up to 2 ulp,
    /// r by 1 (the square root halves it) plus its own rounding, cos by 3, and with the roundings of the two
    /// products p2·r·cos differs by about 6.5 ulp (≤ 6.5 eps) of its own magnitude |y − p1| ≤ |y| + |p1|; adding
    /// p1 rounds once more. Hence 8 eps relative to y plus 8·max(1, |p1|) eps absolute: the absolute part matters
    /// where p1 and p2·r·cos cancel (Tests: NormalToleranceTests).
    /// </summary>
    public static Tolerance NormalTolerance(double p1) => new(8, 8 * Math.Max(1, Math.Abs(p1)));

    private static void AddRandomAndOptimizerCases(List<OpCase> cases)
    {
        // The CPU's Philox stream, element for element, from an offset that is not a multiple of 4 (a number starts
        // inside a 4-word block). Uniform and Bernoulli are the same IEEE operations on the same words: exact.
        // Normal: log and cos of CUDA's libdevice and of .NET differ in the last bits: see NormalTolerance.
        const ulong seed = 0x1234_5678_9ABC_DEF0;
        (Distribution D, double P1, double P2)[] plans = [(Distribution.Uniform, -2, 3), (Distribution.Normal, 0.5, 2), (Distribution.Bernoulli, 0.3, 0)];
        foreach (var (d, p1, p2) in plans)
        {
            int[] shape = [1001];
            cases.Add(new("random " + d, $"{Fmt(shape)} offset 7", [], (e, _) =>
            {
                var gen = new Generator(seed) { Offset = 7 };
                return One(d switch
                {
                    Distribution.Uniform => Tensor.Rand(shape, p1, p2, e.DType, e.Device, gen),
                    Distribution.Normal => Tensor.Randn(shape, p1, p2, e.DType, e.Device, gen),
                    _ => Tensor.Bernoulli(shape, p1, e.DType, e.Device, gen),
                });
            })
            {
                Backward = false, Reference = ReferenceKind.SameDType,
                Tol = d == Distribution.Normal ? NormalTolerance(p1) : Tolerance.Exact,
                Property = (_, y) => Moments(y[0], d, p1, p2),
                Kernels = ["random.cu:random_{t}"],
            });
        }

        // SGD: without momentum, the first step with momentum (buf = g'), a later one, Nesterov; maximize (the
        // gradient negated before weight decay and momentum) with momentum and with Nesterov.
        (double Momentum, bool Nesterov, bool First, bool Maximize)[] sgds =
            [(0.0, false, false, false), (0.9, false, true, false), (0.9, false, false, false), (0.9, true, false, false),
             (0.9, false, true, true), (0.9, true, false, true)];
        foreach (var (momentum, nesterov, first, maximize) in sgds)
        {
            var label = $"momentum {momentum}{(nesterov ? " nesterov" : "")}{(first ? " first" : "")}{(maximize ? " maximize" : "")} [1001]";
            cases.Add(new("sgd", label, [Fixed("p", [1001]), Fixed("g", [1001]), Fixed("buf", [1001])], (_, x) =>
            {
                var (p, buf) = (x[0].Clone(), x[2].Clone());
                p.Backend.SgdStep(p, x[1], momentum == 0 ? null : buf, 0.05, momentum, 0.1, nesterov, 1e-3, maximize, first);
                return [p, buf];
            })
            {
                // A handful of multiply-adds per element: each rounds once.
                Backward = false, Tol = Tolerance.Ulps(4), OutputNames = ["p", "buf"],
                Kernels = ["optim.cu:sgd_step_{t}"],
            });
        }

        // Adam and AdamW (decoupled decay), first and a later step (the bias corrections differ); AMSGrad, whose
        // max_exp_avg_sq starts in the range of v so that about half the elements keep the old maximum and half take
        // the new v; maximize. max_v is an input on every case, and an output only where amsgrad updates it.
        (bool Decoupled, int Step, bool AmsGrad, bool Maximize)[] adams =
            [(false, 1, false, false), (false, 7, false, false), (true, 3, false, false), (false, 5, true, false),
             (true, 2, true, true), (false, 4, false, true)];
        foreach (var (decoupled, step, amsgrad, maximize) in adams)
            cases.Add(new("adam", $"{(decoupled ? "decoupled " : "")}{(amsgrad ? "amsgrad " : "")}{(maximize ? "maximize " : "")}step {step} [1001]",
                [Fixed("p", [1001]), Fixed("g", [1001]), Fixed("m", [1001], -0.1, 0.1), Fixed("v", [1001], 0, 0.01), Fixed("max_v", [1001], 0, 0.01)],
                (_, x) =>
                {
                    var (p, m, v, maxV) = (x[0].Clone(), x[2].Clone(), x[3].Clone(), x[4].Clone());
                    p.Backend.AdamStep(p, x[1], m, v, amsgrad ? maxV : null, 1e-3, 0.9, 0.999, 1e-8, 1e-2, decoupled, maximize, step);
                    return amsgrad ? [p, m, v, maxV] : [p, m, v];
                })
            {
                // m and v: two roundings each; p: a square root and a division on top (the update is lr-sized, so
                // its error is far below p's own rounding); max_v is one of two values, v's or its own.
                Backward = false, Tol = Tolerance.Ulps(4), OutputTols = [Tolerance.Ulps(8), Tolerance.Ulps(4), Tolerance.Ulps(4), Tolerance.Ulps(4)],
                OutputNames = ["p", "m", "v", "max_v"],
                Kernels = ["optim.cu:adam_step_{t}"],
            });
    }

    /// <summary>Mean and variance of <paramref name="y"/> within 6 standard errors of the distribution's (a failure
    /// once in 5·10⁸ runs for a correct generator), and every value in the support; null when they are.</summary>
    private static string? Moments(Tensor y, Distribution d, double p1, double p2)
    {
        var v = y.ToArray<double>();
        double n = v.Length, mean = v.Average(), var = v.Sum(t => (t - mean) * (t - mean)) / (n - 1);
        var (mu, sigma2, fourth, inSupport) = d switch
        {
            Distribution.Uniform => ((p1 + p2) / 2, Math.Pow(p2 - p1, 2) / 12, Math.Pow(p2 - p1, 4) / 80, v.All(t => t >= p1 && t < p2)),
            Distribution.Normal => (p1, p2 * p2, 3 * Math.Pow(p2, 4), true),
            _ => (p1, p1 * (1 - p1), p1 * (1 - p1) * (1 - 3 * p1 + 3 * p1 * p1), v.All(t => t is 0 or 1)),
        };
        if (!inSupport) return $"values outside the support of {d}({p1}, {p2})";
        // Standard errors: of the mean √(σ²/n); of the sample variance √((μ4 − σ⁴)/n).
        double seMean = Math.Sqrt(sigma2 / n), seVar = Math.Sqrt((fourth - sigma2 * sigma2) / n);
        if (Math.Abs(mean - mu) > 6 * seMean || Math.Abs(var - sigma2) > 6 * seVar)
            return string.Create(CultureInfo.InvariantCulture,
                $"mean {mean:G5} and variance {var:G5} of {n} samples, expected {mu:G5} ± {6 * seMean:G3} and {sigma2:G5} ± {6 * seVar:G3}");
        return null;
    }
}
