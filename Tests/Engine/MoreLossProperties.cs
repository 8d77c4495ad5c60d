using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>
/// The losses beyond the regression ones, against PyTorch's formulas written as plain float64 loops (element by
/// element, row by row), every reduction, unbatched forms and empty batches; gradients of every float operand against
/// central differences where no hinge is within 10⁻³ of its kink (a central difference across a kink measures
/// neither side).
/// </summary>
[FsCheck.NUnit.Properties(MaxTest = 120)]
public class MoreLossProperties
{
    private const double KinkGap = 1e-3;

    [FsCheck.NUnit.Property]
    public Property SoftMarginLoss() => Prop.ForAll(MoreLossGen.InputTarget.ToArbitrary(), c =>
    {
        var (x, y) = (Nd.Of(c.Operands[0]), Nd.Of(c.Operands[1]).BroadcastTo(c.Operands[0].Shape));
        var expected = Nd.Build(x.Shape, i => Math.Log(1 + Math.Exp(-y[i] * x[i])));
        Check("soft_margin_loss", c, expected, double.PositiveInfinity, xs => Tensor.SoftMarginLoss(xs[0], xs[1], c.Reduction), gradOperands: 1);
    });

    [FsCheck.NUnit.Property]
    public Property HingeEmbeddingLoss() => Prop.ForAll(MoreLossGen.InputTarget.ToArbitrary(), c =>
    {
        var shape = Nd.BroadcastShape(c.Operands[0].Shape, c.Operands[1].Shape);
        var (x, y) = (Nd.Of(c.Operands[0]).BroadcastTo(shape), Nd.Of(c.Operands[1]).BroadcastTo(shape));
        double kink = double.PositiveInfinity;
        var expected = Nd.Build(shape, i =>
        {
            double l = 0;
            if (y[i] != 1) { l += Math.Max(0, c.Margin - x[i]); kink = Math.Min(kink, Math.Abs(c.Margin - x[i])); }
            if (y[i] != -1) l += x[i];
            return l;
        });
        Check("hinge_embedding_loss", c, expected, kink, xs => Tensor.HingeEmbeddingLoss(xs[0], xs[1], c.Margin, c.Reduction), gradOperands: 1);
    });

    [FsCheck.NUnit.Property]
    public Property MarginRankingLoss() => Prop.ForAll(MoreLossGen.MarginRanking.ToArbitrary(), c =>
    {
        var shape = Nd.BroadcastShape(c.Operands.Select(o => o.Shape).ToArray());
        var (a, b, y) = (Nd.Of(c.Operands[0]).BroadcastTo(shape), Nd.Of(c.Operands[1]).BroadcastTo(shape), Nd.Of(c.Operands[2]).BroadcastTo(shape));
        double kink = double.PositiveInfinity;
        var expected = Nd.Build(shape, i =>
        {
            double z = -y[i] * (a[i] - b[i]) + c.Margin;
            kink = Math.Min(kink, Math.Abs(z));
            return Math.Max(0, z);
        });
        Check("margin_ranking_loss", c, expected, kink, xs => Tensor.MarginRankingLoss(xs[0], xs[1], xs[2], c.Margin, c.Reduction));
    });

    [FsCheck.NUnit.Property]
    public Property CosineEmbeddingLoss() => Prop.ForAll(MoreLossGen.Cosine.ToArbitrary(), c =>
    {
        var shape = Nd.BroadcastShape(c.Operands[0].Shape, c.Operands[1].Shape);
        var (a, b) = (Nd.Of(c.Operands[0]).BroadcastTo(shape), Nd.Of(c.Operands[1]).BroadcastTo(shape));
        var y = Nd.Of(c.Operands[2]);
        int d = shape[^1];
        double kink = double.PositiveInfinity, eps = 1e-12f;
        var expected = Nd.Build(y.Shape, n =>
        {
            double dot = 0, aa = 0, bb = 0;
            for (int k = 0; k < d; k++)
            {
                int[] at = [.. n, k];
                dot += a[at] * b[at]; aa += a[at] * a[at]; bb += b[at] * b[at];
            }
            double cos = dot / Math.Sqrt((aa + eps) * (bb + eps));
            if (y[n] == -1) kink = Math.Min(kink, Math.Abs(cos - c.Margin));
            return y[n] == 1 ? 1 - cos : y[n] == -1 ? Math.Max(0, cos - c.Margin) : 0;
        });
        Check("cosine_embedding_loss", c, expected, kink, xs => Tensor.CosineEmbeddingLoss(xs[0], xs[1], xs[2], c.Margin, c.Reduction), gradOperands: 2);
    });

    [FsCheck.NUnit.Property]
    public Property TripletMarginLoss() => Prop.ForAll(MoreLossGen.Triplet.ToArbitrary(), c =>
    {
        var shape = Nd.BroadcastShape(c.Operands.Select(o => o.Shape).ToArray());
        var (a, p, q) = (Nd.Of(c.Operands[0]).BroadcastTo(shape), Nd.Of(c.Operands[1]).BroadcastTo(shape), Nd.Of(c.Operands[2]).BroadcastTo(shape));
        double kink = double.PositiveInfinity, eps = 1e-6;
        double Dist(Nd u, Nd v, int[] n)
        {
            double s = 0;
            for (int k = 0; k < shape[^1]; k++)
            {
                int[] at = [.. n, k];
                double diff = u[at] - v[at] + eps;
                kink = Math.Min(kink, Math.Abs(diff) * 10);   // |d|^p's own kink at 0 (p ≤ 1) and the norm's at 0
                s += Math.Pow(Math.Abs(diff), c.P);
            }
            return Math.Pow(s, 1 / c.P);
        }
        var expected = Nd.Build(shape[..^1], n =>
        {
            double dp = Dist(a, p, n), dn = Dist(a, q, n);
            if (c.Flag) { double ds = Dist(p, q, n); kink = Math.Min(kink, Math.Abs(dn - ds)); dn = Math.Min(dn, ds); }
            kink = Math.Min(kink, Math.Abs(c.Margin + dp - dn));
            return Math.Max(0, c.Margin + dp - dn);
        });
        Check($"triplet_margin_loss p={c.P} swap={c.Flag}", c, expected, kink,
            xs => Tensor.TripletMarginLoss(xs[0], xs[1], xs[2], c.Margin, c.P, swap: c.Flag, reduction: c.Reduction));
    });

    [FsCheck.NUnit.Property]
    public Property MultiMarginLoss() => Prop.ForAll(MoreLossGen.MultiMargin.ToArbitrary(), c =>
    {
        var x = c.Operands[0];
        int classes = x.Shape[^1], n = x.Rank == 2 ? x.Shape[0] : 1;
        var w = c.Operands[1].Values;
        var t = c.Classes!.Values.Select(v => (int)v).ToArray();
        double kink = double.PositiveInfinity;
        var rows = new double[n];
        for (int r = 0; r < n; r++)
            for (int i = 0; i < classes; i++)
            {
                if (i == t[r]) continue;
                double z = c.Margin - x.Values[r * classes + t[r]] + x.Values[r * classes + i];
                kink = Math.Min(kink, Math.Abs(z));
                rows[r] += (c.Flag ? w[t[r]] : 1) * Math.Pow(Math.Max(0, z), c.P) / classes;
            }
        var expected = new Nd(c.Classes.Shape, rows);
        Check($"multi_margin_loss p={c.P}", c, expected, kink,
            xs => Tensor.MultiMarginLoss(xs[0], c.Classes.Tensor().To(DType.Int32), (int)c.P, c.Margin, c.Flag ? c.Operands[1].Tensor() : null, c.Reduction),
            gradOperands: 1);
    });

    [FsCheck.NUnit.Property]
    public Property MultiLabelMarginLoss() => Prop.ForAll(MoreLossGen.MultiLabelMargin.ToArbitrary(), c =>
    {
        var x = c.Operands[0];
        int classes = x.Shape[^1], n = x.Rank == 2 ? x.Shape[0] : 1;
        var t = c.Classes!.Values.Select(v => (int)v).ToArray();
        double kink = double.PositiveInfinity;
        var rows = new double[n];
        for (int r = 0; r < n; r++)
        {
            var listed = t.Skip(r * classes).Take(classes).TakeWhile(v => v >= 0).ToList();
            foreach (int j in listed)
                for (int i = 0; i < classes; i++)
                {
                    if (listed.Contains(i)) continue;
                    double z = 1 - (x.Values[r * classes + j] - x.Values[r * classes + i]);
                    kink = Math.Min(kink, Math.Abs(z));
                    rows[r] += Math.Max(0, z) / classes;
                }
        }
        var expected = new Nd(x.Rank == 2 ? [n] : [], rows);
        Check("multilabel_margin_loss", c, expected, kink,
            xs => Tensor.MultiLabelMarginLoss(xs[0], c.Classes.Tensor().To(DType.Int32), c.Reduction), gradOperands: 1);
    });

    [FsCheck.NUnit.Property]
    public Property MultiLabelSoftMarginLoss() => Prop.ForAll(MoreLossGen.MultiLabelSoft.ToArbitrary(), c =>
    {
        var shape = Nd.BroadcastShape(c.Operands.Take(c.Flag ? 3 : 2).Select(o => o.Shape).ToArray());
        var x = Nd.Of(c.Operands[0]).BroadcastTo(shape);
        var y = Nd.Of(c.Operands[1]).BroadcastTo(shape);
        var w = Nd.Of(c.Operands[2]).BroadcastTo(shape);
        double LogSigmoid(double v) => -Math.Log(1 + Math.Exp(-v));
        var perElement = Nd.Build(shape, i => -(c.Flag ? w[i] : 1) * (y[i] * LogSigmoid(x[i]) + (1 - y[i]) * LogSigmoid(-x[i])));
        var expected = perElement.Reduce([-1], false, v => v.Sum() / shape[^1]);
        Check("multilabel_soft_margin_loss", c, expected, double.PositiveInfinity,
            xs => Tensor.MultiLabelSoftMarginLoss(xs[0], xs[1], c.Flag ? xs[2] : null, c.Reduction), gradOperands: c.Flag ? 3 : 2);
    });

    [FsCheck.NUnit.Property]
    public Property KlDiv() => Prop.ForAll(MoreLossGen.KlDiv.ToArbitrary(), c =>
    {
        var shape = Nd.BroadcastShape(c.Operands[0].Shape, c.Operands[1].Shape);
        var (x, t) = (Nd.Of(c.Operands[0]).BroadcastTo(shape), Nd.Of(c.Operands[1]).BroadcastTo(shape));
        var expected = Nd.Build(shape, i => c.Flag ? Math.Exp(t[i]) * (t[i] - x[i]) : t[i] * (Math.Log(t[i]) - x[i]));
        Check($"kl_div log_target={c.Flag}", c, expected, double.PositiveInfinity, xs => Tensor.KlDiv(xs[0], xs[1], c.Reduction, c.Flag),
            batch: c.Operands[0].Rank == 0 ? 1 : c.Operands[0].Shape[0]);
    });

    [FsCheck.NUnit.Property]
    public Property PoissonNllLoss() => Prop.ForAll(MoreLossGen.Poisson.ToArbitrary(), c =>
    {
        var shape = Nd.BroadcastShape(c.Operands[0].Shape, c.Operands[1].Shape);
        var (x, y) = (Nd.Of(c.Operands[0]).BroadcastTo(shape), Nd.Of(c.Operands[1]).BroadcastTo(shape));
        var expected = Nd.Build(shape, i =>
        {
            double l = c.Flag ? Math.Exp(x[i]) - y[i] * x[i] : x[i] - y[i] * Math.Log(x[i] + 1e-8);
            if (c.Flag2 && y[i] > 1) l += y[i] * Math.Log(y[i]) - y[i] + 0.5 * Math.Log(2 * Math.PI * y[i]);
            return l;
        });
        Check($"poisson_nll_loss log_input={c.Flag} full={c.Flag2}", c, expected, double.PositiveInfinity,
            xs => Tensor.PoissonNllLoss(xs[0], xs[1], c.Flag, c.Flag2, reduction: c.Reduction));
    });

    [FsCheck.NUnit.Property]
    public Property GaussianNllLoss() => Prop.ForAll(MoreLossGen.Gaussian.ToArbitrary(), c =>
    {
        var inShape = c.Operands[0].Shape;
        var v = Nd.Of(c.Operands[2]);
        if (v.Rank < inShape.Length) v = v.Reshape([.. v.Shape, 1]);
        var shape = Nd.BroadcastShape(inShape, c.Operands[1].Shape, v.Shape);
        var (x, y) = (Nd.Of(c.Operands[0]).BroadcastTo(shape), Nd.Of(c.Operands[1]).BroadcastTo(shape));
        var vb = v.BroadcastTo(shape);
        var expected = Nd.Build(shape, i =>
        {
            double s = Math.Max(vb[i], c.Margin);
            return 0.5 * (Math.Log(s) + (x[i] - y[i]) * (x[i] - y[i]) / s) + (c.Flag ? 0.5 * Math.Log(2 * Math.PI) : 0);
        });
        Check($"gaussian_nll_loss full={c.Flag} eps={c.Margin}", c, expected, double.PositiveInfinity,
            xs => Tensor.GaussianNllLoss(xs[0], xs[1], xs[2], c.Flag, c.Margin, c.Reduction));
    });

    /// <summary>
    /// The loss against the reference (reduced here as PyTorch reduces: the mean of nothing is NaN), then, away from
    /// kinks, the gradient of the first <paramref name="gradOperands"/> operands against central differences; a mean
    /// over nothing is NaN whatever the operands, so there the gradient must be zero.
    /// </summary>
    private static void Check(string op, LossCase c, Nd perElement, double kink, Func<Tensor[], Tensor> loss, int gradOperands = -1, int batch = 0)
    {
        var expected = c.Reduction switch
        {
            Reduction.None => perElement,
            Reduction.Sum => new Nd([], [perElement.Data.Sum()]),
            Reduction.BatchMean => new Nd([], [perElement.Data.Sum() / batch]),
            _ => new Nd([], [perElement.Data.Sum() / perElement.Data.Length]),
        };
        var actual = loss(c.Operands.Select(o => o.Tensor()).ToArray());
        var values = actual.ToArray<double>();
        for (int i = 0; i < Math.Min(values.Length, expected.Data.Length); i++)
            Assert.That(double.IsNaN(values[i]), Is.EqualTo(double.IsNaN(expected.Data[i])), $"{op} element {i}: got {values[i]}, expected {expected.Data[i]}");
        Expect.Close(actual, expected, 1e-11, 1e-11, op);
        if (kink < KinkGap) return;
        var operands = c.Operands.Take(gradOperands < 0 ? c.Operands.Length : gradOperands).Select(o => o.Tensor()).ToArray();
        var rest = c.Operands.Skip(operands.Length).Select(o => o.Tensor()).ToArray();
        Tensor F(Tensor[] xs) => loss([.. xs, .. rest]);
        foreach (var t in operands) t.RequiresGrad = true;
        var y = F(operands);
        if (c.Reduction is Reduction.None or Reduction.Sum || !double.IsNaN(y.Item()))
        {
            Expect.Grad($"{op} {c.Reduction}", F, c.Seed, operands);
            return;
        }
        y.Backward();
        foreach (var t in operands)
            Assert.That(t.Grad?.ToArray<double>() ?? [], Is.All.EqualTo(0), $"{op}: the mean of nothing, no gradient");
    }
}
