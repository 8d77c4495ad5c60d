using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Training.Optim;

namespace Pade.Tests.Training;

/// <summary>
/// LBFGS without line search against torch.optim.LBFGS's algorithm as a plain float64 loop on a random convex
/// quadratic ½xᵀAx − bᵀx (x split over two parameters), every option random: lr, max_iter, max_eval, the
/// tolerances, history_size (small, so the history is shifted), the steps; and a copy resumed from the state dict.
/// With "strong_wolfe", the quadratic's exact minimiser and Rosenbrock's (1, 1).
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(LbfgsArbitraries)], MaxTest = 100)]
public class LbfgsProperties
{
    [FsCheck.NUnit.Property]
    public void LbfgsMatchesTorchAlgorithm(LbfgsCase c)
    {
        var q = Quadratic.Draw(c.N, c.Seed);
        var (ps, opt) = Run(c, q, c.Steps);
        var expected = Reference(c, q);
        var actual = ps[0].ToArray<double>().Concat(ps[1].ToArray<double>()).ToArray();
        for (int i = 0; i < c.N; i++)
            if (!(Math.Abs(actual[i] - expected.X[i]) <= 1e-8 * (1 + Math.Abs(expected.X[i]))))
                Assert.Fail($"x[{i}]: {actual[i]:R}, the float64 loop gives {expected.X[i]:R}");
        Assert.That(opt.FuncEvals, Is.EqualTo(expected.FuncEvals), "func_evals");
        Assert.That(opt.NIter, Is.EqualTo(expected.NIter), "n_iter");

        // Resumed from the state dict after ResumeAt steps: the same end, bit for bit.
        var (ps2, first) = Run(c, q, c.ResumeAt);
        var resumed = Make(c, ps2);
        resumed.LoadStateDict(first.StateDict(), first.StepCount);
        for (int s = c.ResumeAt; s < c.Steps; s++) resumed.Step(() => q.Loss(ps2));
        Assert.That(ps2[0].ToArray<double>().Concat(ps2[1].ToArray<double>()).ToArray(), Is.EqualTo(actual), $"resumed at step {c.ResumeAt}");
    }

    private static LBFGS Make(LbfgsCase c, Tensor[] ps) =>
        new(ps, c.Lr, c.MaxIter, c.MaxEval, c.ToleranceGrad, c.ToleranceChange, c.HistorySize);

    private static (Tensor[] Ps, LBFGS Opt) Run(LbfgsCase c, Quadratic q, int steps)
    {
        var ps = q.Parameters();
        var opt = Make(c, ps);
        for (int s = 0; s < steps; s++)
        {
            var loss = opt.Step(() => q.Loss(ps));
            Assert.That(loss.RequiresGrad, Is.True, "the closure runs with gradients enabled");
        }
        return (ps, opt);
    }

    /// <summary>torch.optim.LBFGS.step without line search, in doubles, repeated over the steps.</summary>
    private static (double[] X, int FuncEvals, int NIter) Reference(LbfgsCase c, Quadratic q)
    {
        int n = c.N, maxEval = c.MaxEval ?? c.MaxIter * 5 / 4;
        var x = (double[])q.X0.Clone();
        int funcEvals = 0, stateNIter = 0;
        double[]? d = null, prevFlatGrad = null;
        double t = 0, hDiag = 1;
        var oldDirs = new List<double[]>(); var oldStps = new List<double[]>(); var ro = new List<double>();
        static double Dot(double[] a, double[] b) => a.Zip(b, (u, v) => u * v).Sum();
        for (int step = 0; step < c.Steps; step++)
        {
            var (loss, g) = q.Eval(x);
            int currentEvals = 1;
            funcEvals++;
            if (g.Max(v => Math.Abs(v)) <= c.ToleranceGrad) continue;
            int nIter = 0;
            while (nIter < c.MaxIter)
            {
                nIter++; stateNIter++;
                if (stateNIter == 1)
                {
                    d = g.Select(v => -v).ToArray();
                    oldDirs.Clear(); oldStps.Clear(); ro.Clear(); hDiag = 1;
                }
                else
                {
                    var y = g.Zip(prevFlatGrad!, (a, b) => a - b).ToArray();
                    var s = d!.Select(v => v * t).ToArray();
                    double ys = Dot(y, s);
                    if (ys > 1e-10)
                    {
                        if (oldDirs.Count == c.HistorySize) { oldDirs.RemoveAt(0); oldStps.RemoveAt(0); ro.RemoveAt(0); }
                        oldDirs.Add(y); oldStps.Add(s); ro.Add(1 / ys);
                        hDiag = ys / Dot(y, y);
                    }
                    var al = new double[oldDirs.Count];
                    var qv = g.Select(v => -v).ToArray();
                    for (int i = oldDirs.Count - 1; i >= 0; i--)
                    {
                        al[i] = Dot(oldStps[i], qv) * ro[i];
                        for (int k = 0; k < n; k++) qv[k] -= al[i] * oldDirs[i][k];
                    }
                    var r = qv.Select(v => v * hDiag).ToArray();
                    for (int i = 0; i < oldDirs.Count; i++)
                    {
                        double be = Dot(oldDirs[i], r) * ro[i];
                        for (int k = 0; k < n; k++) r[k] += (al[i] - be) * oldStps[i][k];
                    }
                    d = r;
                }
                prevFlatGrad = (double[])g.Clone();
                double prevLoss = loss;
                t = stateNIter == 1 ? Math.Min(1, 1 / g.Sum(v => Math.Abs(v))) * c.Lr : c.Lr;
                double gtd = Dot(g, d);
                if (gtd > -c.ToleranceChange) break;
                int lsEvals = 0;
                bool optCond = false;
                for (int k = 0; k < n; k++) x[k] += t * d[k];
                if (nIter != c.MaxIter)
                {
                    (loss, g) = q.Eval(x);
                    optCond = g.Max(v => Math.Abs(v)) <= c.ToleranceGrad;
                    lsEvals = 1;
                }
                currentEvals += lsEvals;
                funcEvals += lsEvals;
                if (nIter == c.MaxIter || currentEvals >= maxEval || optCond) break;
                if (d.Max(v => Math.Abs(v * t)) <= c.ToleranceChange) break;
                if (Math.Abs(loss - prevLoss) < c.ToleranceChange) break;
            }
        }
        return (x, funcEvals, stateNIter);
    }

    /// <summary>The strong-Wolfe search on a random convex quadratic along a random descent direction, from initial
    /// steps far below and above the minimiser: the point it returns satisfies its definition, sufficient decrease
    /// f(t) ≤ f(0) + c1·t·g(0)ᵀd and curvature |g(t)ᵀd| ≤ c2·|g(0)ᵀd|, within max_ls + 1 evaluations, and the
    /// gradient it returns is the one at x + t·d.</summary>
    [FsCheck.NUnit.Property(MaxTest = 200)]
    public void StrongWolfeSatisfiesItsConditions(PositiveInt seed, PositiveInt size, bool scaled)
    {
        int n = 1 + size.Get % 7;
        var q = Quadratic.Draw(n, seed.Get);
        var rng = new Random(seed.Get);
        var (f0, g0) = q.Eval(q.X0);
        // A descent direction: −g scaled elementwise by positive factors (or not).
        var d = g0.Select(v => -v * (scaled ? 0.1 + 2 * rng.NextDouble() : 1)).ToArray();
        double gtd = g0.Zip(d, (a, b) => a * b).Sum();
        if (!(gtd < -1e-12)) return;
        double t0 = new[] { 1e-3, 0.1, 1, 10, 100 }[rng.Next(5)];
        int evals = 0;
        (double, Tensor) Obj(Tensor[] x, double t, Tensor dt)
        {
            evals++;
            var at = q.X0.Zip(d, (a, b) => a + t * b).ToArray();
            var (f, g) = q.Eval(at);
            return (f, Tensor.FromArray(g, n));
        }
        var (fT, gT, tT, reported) = StrongWolfe.Search(Obj, [], t0, Tensor.FromArray(d, n), f0, Tensor.FromArray(g0, n), gtd);
        Assert.That(reported, Is.EqualTo(evals), "evaluations reported");
        Assert.That(evals, Is.LessThanOrEqualTo(26), "at most max_ls + 1 evaluations");
        var (fExpected, gExpected) = q.Eval(q.X0.Zip(d, (a, b) => a + tT * b).ToArray());
        Assert.That(fT, Is.EqualTo(fExpected).Within(1e-12 * (1 + Math.Abs(fExpected))), "the loss at the step returned");
        Assert.That(gT.ToArray<double>(), Is.EqualTo(gExpected).Within(1e-12), "the gradient at the step returned");
        double slack = 1e-12 * (1 + Math.Abs(f0));
        Assert.That(fT, Is.LessThanOrEqualTo(f0 + 1e-4 * tT * gtd + slack), $"sufficient decrease at t = {tT} (t0 = {t0})");
        double gtdT = gExpected.Zip(d, (a, b) => a * b).Sum();
        Assert.That(Math.Abs(gtdT), Is.LessThanOrEqualTo(0.9 * -gtd + 1e-12), $"curvature at t = {tT} (t0 = {t0})");
    }

    [Test]
    public void StrongWolfeReachesTheQuadraticMinimiser()
    {
        for (int seed = 0; seed < 20; seed++)
        {
            var q = Quadratic.Draw(2 + seed % 6, seed);
            var ps = q.Parameters();
            var opt = new LBFGS(ps, lineSearchFn: "strong_wolfe", maxIter: 50, toleranceGrad: 1e-12, toleranceChange: 1e-14);
            opt.Step(() => q.Loss(ps));
            var x = ps[0].ToArray<double>().Concat(ps[1].ToArray<double>()).ToArray();
            var (_, g) = q.Eval(x);
            Assert.That(g.Max(v => Math.Abs(v)), Is.LessThan(1e-6), $"seed {seed}: the gradient at the end");
        }
    }

    [Test]
    public void StrongWolfeSolvesRosenbrock()
    {
        var p = Tensor.FromArray([-1.5, 2.0], 2);
        p.RequiresGrad = true;
        var opt = new LBFGS([p], lr: 1, maxIter: 100, lineSearchFn: "strong_wolfe", toleranceGrad: 1e-10, toleranceChange: 1e-14);
        Tensor Rosenbrock()
        {
            opt.ZeroGrad();
            var a = p.Narrow(0, 0, 1); var b = p.Narrow(0, 1, 1);
            var loss = ((1.0 - a) * (1.0 - a) + (b - a * a) * (b - a * a) * 100.0).Sum();
            loss.Backward();
            return loss;
        }
        for (int s = 0; s < 5; s++) opt.Step(Rosenbrock);
        Assert.That(p.ToArray<double>(), Is.EqualTo(new[] { 1.0, 1.0 }).Within(1e-6));
    }

    [Test]
    public void CubicInterpolationFindsTheCubicsMinimum()
    {
        // f(x) = (x − 1)² + x³/10 on [0, 3]: f' = 2(x − 1) + 0.3x², minimum at x = (−2 + √(4 + 2.4))/0.6.
        static double F(double x) => (x - 1) * (x - 1) + x * x * x / 10;
        static double G(double x) => 2 * (x - 1) + 0.3 * x * x;
        double expected = (-2 + Math.Sqrt(6.4)) / 0.6;
        Assert.That(StrongWolfe.CubicInterpolate(0, F(0), G(0), 3, F(3), G(3)), Is.EqualTo(expected).Within(1e-12));
        Assert.That(StrongWolfe.CubicInterpolate(3, F(3), G(3), 0, F(0), G(0)), Is.EqualTo(expected).Within(1e-12));
        // Bounds clamp the result; no real minimiser gives the bounds' midpoint.
        Assert.That(StrongWolfe.CubicInterpolate(0, F(0), G(0), 3, F(3), G(3), (0.9, 2)), Is.EqualTo(0.9));
        Assert.That(StrongWolfe.CubicInterpolate(0, 0, 4.5, 1, 3, 4.5), Is.EqualTo(0.5));
    }

    [Test]
    public void PyTorchsErrors()
    {
        var p = Tensor.Zeros([2], DType.Float64); p.RequiresGrad = true;
        var q = Tensor.Zeros([2], DType.Float64); q.RequiresGrad = true;
        Assert.That(() => new LBFGS([new ParamGroup([p], 1), new ParamGroup([q], 1)]), Throws.ArgumentException.With.Message.Contains("parameter groups"));
        Assert.That(() => new LBFGS([p], lineSearchFn: "armijo"), Throws.ArgumentException.With.Message.Contains("strong_wolfe"));
        Assert.That(() => new LBFGS([p], lr: -1), Throws.ArgumentException.With.Message.Contains("learning rate"));
        Assert.That(() => new LBFGS([p]).Step(), Throws.InvalidOperationException.With.Message.Contains("closure"));
        var opt = new LBFGS([p]);
        Assert.That(opt.MaxEval, Is.EqualTo(25), "max_eval defaults to max_iter·5/4");
    }
}

/// <summary>½xᵀAx − bᵀx, A = MᵀM + I, x split over two parameters.</summary>
internal sealed class Quadratic
{
    public required double[,] A { get; init; }
    public required double[] B { get; init; }
    public required double[] X0 { get; init; }
    public required int N1 { get; init; }

    public static Quadratic Draw(int n, int seed)
    {
        var rng = new Random(seed);
        var m = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) m[i, j] = 2 * rng.NextDouble() - 1;
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = i == j ? 1 : 0;
                for (int k = 0; k < n; k++) s += m[k, i] * m[k, j];
                a[i, j] = s;
            }
        return new Quadratic
        {
            A = a, B = Enumerable.Range(0, n).Select(_ => 2 * rng.NextDouble() - 1).ToArray(),
            X0 = Enumerable.Range(0, n).Select(_ => 4 * rng.NextDouble() - 2).ToArray(), N1 = rng.Next(0, n + 1),
        };
    }

    public (double Loss, double[] Grad) Eval(double[] x)
    {
        int n = x.Length;
        var g = new double[n];
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            double ax = 0;
            for (int j = 0; j < n; j++) ax += A[i, j] * x[j];
            g[i] = ax - B[i];
            loss += 0.5 * x[i] * ax - B[i] * x[i];
        }
        return (loss, g);
    }

    public Tensor[] Parameters()
    {
        var ps = new[] { Tensor.FromArray(X0[..N1], N1), Tensor.FromArray(X0[N1..], X0.Length - N1) };
        foreach (var p in ps) p.RequiresGrad = true;
        return ps;
    }

    /// <summary>The closure: zero the gradients, the loss through tensor ops, Backward.</summary>
    public Tensor Loss(Tensor[] ps)
    {
        foreach (var p in ps) p.Grad = null;
        int n = B.Length;
        var x = Tensor.Concat(ps);
        var a = Tensor.FromArray(A.Cast<double>().ToArray(), n, n);
        var b = Tensor.FromArray(B, n);
        var ax = (a * x.Reshape(1, n)).Sum(1);
        var loss = (x * ax * 0.5 - b * x).Sum();
        loss.Backward();
        return loss;
    }
}

public sealed record LbfgsCase(int N, int Seed, double Lr, int MaxIter, int? MaxEval, double ToleranceGrad, double ToleranceChange, int HistorySize,
    int Steps, int ResumeAt)
{
    public override string ToString() =>
        $"LBFGS n {N} lr {Lr} max_iter {MaxIter} max_eval {MaxEval?.ToString() ?? "None"} tolerance_grad {ToleranceGrad} tolerance_change {ToleranceChange} history_size {HistorySize}; {Steps} steps, resume at {ResumeAt}, seed {Seed}";
}

public static class LbfgsArbitraries
{
    public static Arbitrary<LbfgsCase> Lbfgs() =>
        (from n in Gen.Choose(1, 7)
         from seed in Gen.Choose(0, int.MaxValue)
         from lr in Gen.Elements(1.0, 0.5, 0.1)
         from maxIter in Gen.Elements(1, 2, 5, 20)
         from maxEval in Gen.Elements<int?>(null, null, 3, 100)
         from tolGrad in Gen.Elements(1e-7, 1e-3)
         from tolChange in Gen.Elements(1e-9, 1e-4)
         from history in Gen.Elements(100, 1, 2, 3)
         from steps in Gen.Choose(1, 4)
         from resumeAt in Gen.Choose(0, steps)
         select new LbfgsCase(n, seed, lr, maxIter, maxEval, tolGrad, tolChange, history, steps, resumeAt)).ToArbitrary();
}
