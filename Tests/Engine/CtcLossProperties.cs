using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;

namespace Pade.Tests.Engine;

/// <summary>
/// CTC loss against its definition written without the recursion: every path of inputLength frames over C classes is
/// enumerated, collapsed (repeats merged, blanks dropped), and the probabilities e^(Σ x[t, πₜ]) of those that give
/// the target are summed in float64 (tiny T, C, S keep C^T small). Gradients against central differences where every
/// loss is finite (through log_softmax, as ATen's backward assumes); impossible targets, zero_infinity, repeated labels, empty targets, both target layouts, the
/// unbatched form and every reduction; PyTorch's errors.
/// </summary>
public class CtcLossProperties
{
    /// <summary>A random case: log-probabilities [T, N, C], targets in both layouts, lengths, blank, reduction.</summary>
    public sealed record CtcCase(int T, int N, int C, int Blank, double[] Lp, int[][] Targets, int[] InputLengths, bool Padded,
                                 bool Unbatched, Reduction Reduction, bool ZeroInfinity, ulong Seed)
    {
        public int[] TargetLengths => Targets.Select(t => t.Length).ToArray();

        public Tensor LogProbs() => Tensor.FromArray(Lp, Unbatched ? [T, C] : [T, N, C]);

        public Tensor TargetTensor()
        {
            if (!Padded) return Tensor.FromArray(Targets.SelectMany(t => t).ToArray(), Targets.Sum(t => t.Length));
            int s = Targets.Max(t => t.Length) + 1;   // one column of padding past the longest
            var data = new int[N * s];
            Array.Fill(data, Blank);
            for (int b = 0; b < N; b++) Targets[b].CopyTo(data, b * s);
            return Tensor.FromArray(data, N, s);
        }

        public Tensor Loss(Tensor lp) => Tensor.CtcLoss(lp, TargetTensor(), InputLengths, TargetLengths, Blank, Reduction, ZeroInfinity);
    }

    private static readonly Gen<CtcCase> Cases =
        from t in Gen.Choose(0, 4)
        from n in Gen.Choose(1, 3)
        from c in Gen.Choose(2, 4)
        from blank in Gen.Choose(0, c - 1)
        from seed in Gen.Choose(0, int.MaxValue)
        from padded in Gen.Elements(true, false)
        from unbatched in Gen.Elements(false, n == 1 && padded == false)
        from reduction in Gen.Elements(Reduction.None, Reduction.Mean, Reduction.Sum)
        from zeroInfinity in Gen.Elements(false, true)
        select Build(t, n, c, blank, seed, padded, unbatched, reduction, zeroInfinity);

    private static CtcCase Build(int t, int n, int c, int blank, int seed, bool padded, bool unbatched, Reduction reduction, bool zeroInfinity)
    {
        var rng = new Random(seed);
        var lp = Enumerable.Range(0, t * n * c).Select(_ => rng.NextDouble() * 2.5 - 2).ToArray();
        var labels = Enumerable.Range(0, c).Where(k => k != blank).ToArray();
        // Lengths up to T (and sometimes T + 1: unreachable), labels drawn from few classes so repeats are common.
        var inputLengths = Enumerable.Range(0, n).Select(_ => unbatched ? t : rng.Next(0, t + 1)).ToArray();
        var targets = Enumerable.Range(0, n).Select(b => Enumerable.Range(0, rng.Next(0, Math.Min(inputLengths[b] + 1, 3) + 1))
                                                               .Select(_ => labels[rng.Next(Math.Min(labels.Length, 2))]).ToArray()).ToArray();
        return new CtcCase(t, n, c, blank, lp, targets, inputLengths, padded, unbatched, reduction, zeroInfinity, (ulong)seed);
    }

    /// <summary>−log Σ over the paths collapsing to the target of e^(Σₜ x[t, πₜ]); +∞ when none does.</summary>
    private static double BruteForce(CtcCase c, int b)
    {
        int len = c.InputLengths[b];
        var target = c.Targets[b];
        double total = 0;
        var path = new int[len];
        long count = (long)Math.Pow(c.C, len);
        for (long k = 0; k < count; k++)
        {
            long r = k;
            for (int t = 0; t < len; t++) { path[t] = (int)(r % c.C); r /= c.C; }
            var collapsed = new List<int>();
            for (int t = 0; t < len; t++)
                if (path[t] != c.Blank && (t == 0 || path[t] != path[t - 1])) collapsed.Add(path[t]);
            if (!collapsed.SequenceEqual(target)) continue;
            double logp = 0;
            for (int t = 0; t < len; t++) logp += c.Lp[(t * c.N + b) * c.C + path[t]];
            total += Math.Exp(logp);
        }
        return -Math.Log(total);
    }

    private static double[] Expected(CtcCase c)
    {
        var nll = Enumerable.Range(0, c.N).Select(b => BruteForce(c, b)).Select(l => c.ZeroInfinity && double.IsPositiveInfinity(l) ? 0 : l).ToArray();
        return c.Reduction switch
        {
            Reduction.None => nll,
            Reduction.Sum => [nll.Sum()],
            _ => [nll.Select((l, b) => l / Math.Max(c.Targets[b].Length, 1)).Sum() / c.N],
        };
    }

    [FsCheck.NUnit.Property(MaxTest = 200)]
    public Property CtcLossMatchesTheSumOverAlignments() => Prop.ForAll(Cases.ToArbitrary(), c =>
    {
        var expected = Expected(c);
        var actual = c.Loss(c.LogProbs());
        Assert.That(actual.ShapeCopy(), Is.EqualTo(c.Reduction != Reduction.None ? Array.Empty<int>() : c.Unbatched ? [] : new[] { c.N }), "shape");
        Close(actual.ToArray<double>(), expected, 1e-10, "ctc_loss");
        Close(c.Loss(c.LogProbs().To(DType.Float32)).ToArray<double>(), expected, 1e-4, "ctc_loss float32");
        // Central differences where the losses are finite (an infinite one has NaN gradients, as in ATen), taken
        // through log_softmax of free logits: ATen's backward, e^x − γ, is the gradient of the loss of normalised
        // log-probabilities (Σ_c γ = 1 makes log_softmax's backward pass it through unchanged); for raw x it is not.
        if (expected.All(double.IsFinite) && c.T > 0)
            Expect.Grad($"ctc_loss {c.Reduction}", xs => c.Loss(xs[0].LogSoftmax(-1)), c.Seed, c.LogProbs());
    });

    /// <summary>Close within tol·(1 + |expected|); an infinite expectation must be met exactly.</summary>
    private static void Close(double[] actual, double[] expected, double tol, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (int i = 0; i < actual.Length; i++)
            if (double.IsInfinity(expected[i])) Assert.That(actual[i], Is.EqualTo(expected[i]), $"{what} [{i}]");
            else Assert.That(actual[i], Is.EqualTo(expected[i]).Within(tol * (1 + Math.Abs(expected[i]))), $"{what} [{i}]");
    }

    [Test]
    public void ImpossibleTargetsAreInfiniteOrZeroed()
    {
        // Two equal labels need a blank between them: three frames at least; two give no alignment.
        var lp = Tensor.FromArray(Enumerable.Range(0, 2 * 3).Select(i => -0.1 * i - 0.5).ToArray(), 2, 1, 3);
        var targets = Tensor.FromArray([1, 1], 1, 2);
        var x = lp.Clone();
        x.RequiresGrad = true;
        var loss = Tensor.CtcLoss(x, targets, [2], [2], reduction: Reduction.Sum);
        Assert.That(loss.Item(), Is.EqualTo(double.PositiveInfinity));
        loss.Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.All.NaN, "ATen's gradient of an infinite loss: e^x − e^(−∞ + ∞ − x)");

        var z = lp.Clone();
        z.RequiresGrad = true;
        var zeroed = Tensor.CtcLoss(z, targets, [2], [2], reduction: Reduction.Mean, zeroInfinity: true);
        Assert.That(zeroed.Item(), Is.EqualTo(0));
        zeroed.Backward();
        Assert.That(z.Grad!.ToArray<double>(), Is.All.EqualTo(0));

        // Target longer than the input: inf, not an error; no frames and an empty target: 0.
        Assert.That(Tensor.CtcLoss(lp, Tensor.FromArray([1, 2, 1], 1, 3), [2], [3], reduction: Reduction.None).ToArray<double>(), Is.EqualTo(new[] { double.PositiveInfinity }));
        Assert.That(Tensor.CtcLoss(lp, Tensor.FromArray([1], 1, 1), [0], [0], reduction: Reduction.None).ToArray<double>(), Is.EqualTo(new[] { 0.0 }));
    }

    [Test]
    public void LabelsEqualToTheBlankKeepTheExactGradient()
    {
        // PyTorch documents targets as never blank, and libtorch 2.10's backward differs there (the oracle lists it
        // apart); the recursion's own derivative, checked here against central differences, is what Pade gives.
        var logits = Tensor.FromArray(Enumerable.Range(0, 5 * 3).Select(i => Math.Cos(1.7 * i)).ToArray(), 5, 1, 3);
        var targets = Tensor.FromArray([1, 1], 1, 2);
        Expect.Grad("ctc_loss blank targets", xs => Tensor.CtcLoss(xs[0].LogSoftmax(-1), targets, [5], [2], blank: 1, reduction: Reduction.Sum), 3, logits);
    }

    [Test]
    public void EmptyTargetIsTheAllBlankPath()
    {
        var data = new double[] { -0.3, -1.2, -2.0, -0.7, -0.4, -1.5, -0.2, -2.2, -0.9 };
        var loss = Tensor.CtcLoss(Tensor.FromArray(data, 3, 3), Tensor.FromArray(Array.Empty<int>(), 0), [3], [0], blank: 2, reduction: Reduction.None);
        Assert.That(loss.ShapeCopy(), Is.Empty);
        Assert.That(loss.Item(), Is.EqualTo(2.0 + 1.5 + 0.9).Within(1e-12));
    }

    [Test]
    public void ModuleAndTensorLengths()
    {
        var lp = Tensor.FromArray(Enumerable.Range(0, 4 * 2 * 3).Select(i => Math.Sin(i) - 1.5).ToArray(), 4, 2, 3);
        var targets = Tensor.FromArray([1, 2, 2, 0], 2, 2);
        var expected = Tensor.CtcLoss(lp, targets, [4, 3], [2, 1]).Item();
        var module = new Pade.Layers.CTCLoss();
        Assert.That(module.Forward(lp, targets, Tensor.FromArray([4, 3], 2), Tensor.FromArray([2, 1], 2)).Item(), Is.EqualTo(expected));
        Assert.That(module.ToString(), Is.EqualTo("CTCLoss()"));
        Assert.That(new Pade.Layers.CTCLoss(reduction: "sum").Forward(lp, targets, [4, 3], [2, 1]).Item(),
                    Is.EqualTo(Tensor.CtcLoss(lp, targets, [4, 3], [2, 1], reduction: Reduction.Sum).Item()));
    }

    [Test]
    public void PyTorchsErrors()
    {
        var lp = Tensor.Zeros([4, 2, 3], DType.Float64);
        var padded = Tensor.FromArray([1, 2, 1, 0], 2, 2);
        Assert.That(() => Tensor.CtcLoss(lp, padded, [5, 4], [2, 1]), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("input_lengths to have value at most 4"));
        Assert.That(() => Tensor.CtcLoss(lp, padded, [-1, 4], [2, 1]), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("at least 0"));
        Assert.That(() => Tensor.CtcLoss(lp, padded, [4, 4], [3, 1]), Throws.ArgumentException.With.Message.Contains("size at least 3 at dimension 1"));
        Assert.That(() => Tensor.CtcLoss(lp, padded, [4], [2]), Throws.ArgumentException.With.Message.Contains("input_lengths must be of size batch_size"));
        Assert.That(() => Tensor.CtcLoss(lp, padded, [4, 4], [2, 1], blank: 3), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("blank must be in label range"));
        Assert.That(() => Tensor.CtcLoss(lp, Tensor.FromArray([1, 2, 1], 3), [4, 4], [2, 2]), Throws.ArgumentException.With.Message.Contains("sum of target_lengths"));
        Assert.That(() => Tensor.CtcLoss(lp, Tensor.FromArray([1, 5, 1, 0], 2, 2), [4, 4], [2, 1]), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("label range"));
        Assert.That(() => Tensor.CtcLoss(lp, padded, [4, 4], [2, 1], reduction: Reduction.BatchMean), Throws.ArgumentException);
        Assert.That(() => new Pade.Layers.CTCLoss(reduction: "batchmean"), Throws.ArgumentException);
    }
}
