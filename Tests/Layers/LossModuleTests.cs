using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;

namespace Pade.Tests.Layers;

/// <summary>The torch.nn loss modules: each equals its function for every reduction, holds its weights as buffers,
/// prints as PyTorch's and refuses a bad reduction with PyTorch's message.</summary>
public sealed class LossModuleTests
{
    private static readonly string[] Reductions = ["none", "mean", "sum"];

    private static Tensor Rand(Random r, params int[] shape)
    {
        var v = new double[shape.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < v.Length; i++) v[i] = r.NextDouble() * 4 - 2;
        return Tensor.FromArray(v).Reshape(shape);
    }

    private static Tensor Map(Tensor t, Func<double, double> f) =>
        Tensor.FromArray(t.ToArray<double>().Select(f).ToArray()).Reshape(t.Shape.ToArray());

    private static Tensor Labels(Random r, int n, int c) =>
        Tensor.FromArray(Enumerable.Range(0, n).Select(_ => r.Next(c)).ToArray());

    private static Tensor Signs(Random r, params int[] shape) => Map(Rand(r, shape), x => x < 0 ? -1 : 1);

    /// <summary>(module call, function call) pairs for one reduction, on inputs of N rows and C classes.</summary>
    private static IEnumerable<(string Name, Func<Tensor> Module, Func<Tensor> Function)> Pairs(string red, int n, int c, int seed)
    {
        var r = new Random(seed);
        var e = red switch { "none" => Reduction.None, "sum" => Reduction.Sum, _ => Reduction.Mean };
        var x = Rand(r, n, c);
        var y = Rand(r, n, c);
        var labels = Labels(r, n, c);
        var w = Map(Rand(r, c), v => Math.Abs(v) + 0.1);
        var prob = Map(x, v => 1 / (1 + Math.Exp(-v)));
        var bits = Map(y, v => v < 0 ? 0 : 1);
        var signs = Signs(r, n, c);
        var x2 = Rand(r, n, c);
        var rowSigns = Signs(r, n);
        var multiLabel = Tensor.FromArray(Enumerable.Range(0, n * c).Select(i => i % c == 0 ? r.Next(c) : -1).ToArray()).Reshape(n, c);
        var var_ = Map(Rand(r, n, c), v => Math.Abs(v) + 0.05);
        var logP = x.LogSoftmax(1);
        var q = y.Softmax(1);
        yield return ("CrossEntropyLoss", () => new CrossEntropyLoss(w, 1, red, 0.1).Forward(x, labels),
            () => Tensor.CrossEntropy(x, labels, w, 1, e, 0.1));
        yield return ("NLLLoss", () => new NLLLoss(w, 0, red).Forward(logP, labels), () => Tensor.NllLoss(logP, labels, w, 0, e));
        yield return ("BCELoss", () => new BCELoss(w, red).Forward(prob, bits), () => Tensor.BinaryCrossEntropy(prob, bits, w, e));
        yield return ("BCEWithLogitsLoss", () => new BCEWithLogitsLoss(w, red, w * 2).Forward(x, bits),
            () => Tensor.BinaryCrossEntropyWithLogits(x, bits, w, w * 2, e));
        yield return ("MSELoss", () => new MSELoss(red).Forward(x, y), () => Tensor.MseLoss(x, y, e));
        yield return ("L1Loss", () => new L1Loss(red).Forward(x, y), () => Tensor.L1Loss(x, y, e));
        yield return ("HuberLoss", () => new HuberLoss(red, 0.7).Forward(x, y), () => Tensor.HuberLoss(x, y, e, 0.7));
        yield return ("SmoothL1Loss", () => new SmoothL1Loss(red, 0.3).Forward(x, y), () => Tensor.SmoothL1Loss(x, y, e, 0.3));
        yield return ("KLDivLoss", () => new KLDivLoss(red).Forward(logP, q), () => Tensor.KlDiv(logP, q, e));
        yield return ("KLDivLoss log", () => new KLDivLoss(red, logTarget: true).Forward(logP, q.Log()), () => Tensor.KlDiv(logP, q.Log(), e, true));
        yield return ("SoftMarginLoss", () => new SoftMarginLoss(red).Forward(x, signs), () => Tensor.SoftMarginLoss(x, signs, e));
        yield return ("MarginRankingLoss", () => new MarginRankingLoss(0.2, red).Forward(x, x2, signs),
            () => Tensor.MarginRankingLoss(x, x2, signs, 0.2, e));
        yield return ("HingeEmbeddingLoss", () => new HingeEmbeddingLoss(0.5, red).Forward(x, signs),
            () => Tensor.HingeEmbeddingLoss(x, signs, 0.5, e));
        yield return ("CosineEmbeddingLoss", () => new CosineEmbeddingLoss(0.1, red).Forward(x, x2, rowSigns),
            () => Tensor.CosineEmbeddingLoss(x, x2, rowSigns, 0.1, e));
        yield return ("MultiMarginLoss", () => new MultiMarginLoss(2, 0.9, w, red).Forward(x, labels),
            () => Tensor.MultiMarginLoss(x, labels, 2, 0.9, w, e));
        yield return ("MultiLabelMarginLoss", () => new MultiLabelMarginLoss(red).Forward(x, multiLabel),
            () => Tensor.MultiLabelMarginLoss(x, multiLabel, e));
        yield return ("MultiLabelSoftMarginLoss", () => new MultiLabelSoftMarginLoss(w, red).Forward(x, bits),
            () => Tensor.MultiLabelSoftMarginLoss(x, bits, w, e));
        yield return ("TripletMarginLoss", () => new TripletMarginLoss(0.5, 1.5, 1e-6, true, red).Forward(x, x2, y),
            () => Tensor.TripletMarginLoss(x, x2, y, 0.5, 1.5, 1e-6, true, e));
        yield return ("PoissonNLLLoss", () => new PoissonNLLLoss(false, true, 1e-3, red).Forward(prob, Map(y, Math.Abs)),
            () => Tensor.PoissonNllLoss(prob, Map(y, Math.Abs), false, true, 1e-3, e));
        yield return ("GaussianNLLLoss", () => new GaussianNLLLoss(true, 1e-4, red).Forward(x, y, var_),
            () => Tensor.GaussianNllLoss(x, y, var_, true, 1e-4, e));
        yield return ("GaussianNLLLoss scalar", () => new GaussianNLLLoss(reduction: red).Forward(x, y, 0.5),
            () => Tensor.GaussianNllLoss(x, y, 0.5, false, 1e-6, e));
    }

    [FsCheck.NUnit.Property(MaxTest = 25)]
    public void EveryModuleEqualsItsFunction(FsCheck.PositiveInt rows, FsCheck.PositiveInt classes, int seed)
    {
        int n = rows.Get % 5 + 1, c = classes.Get % 5 + 2;
        foreach (var red in Reductions)
            foreach (var (name, module, function) in Pairs(red, n, c, seed))
            {
                var got = module();
                var want = function();
                Assert.That(got.Shape.ToArray(), Is.EqualTo(want.Shape.ToArray()), $"{name} {red} shape");
                Assert.That(got.ToArray<double>(), Is.EqualTo(want.ToArray<double>()).Within(1e-12), $"{name} {red}");
            }
    }

    [Test]
    public void TheEnumIsAcceptedAsWellAsTheString()
    {
        Assert.That(new MSELoss(Reduction.Sum).Reduction, Is.EqualTo(Reduction.Sum));
        Assert.That(new MSELoss("none").Reduction, Is.EqualTo(Reduction.None));
        Assert.That(new MSELoss().ReductionName, Is.EqualTo("mean"));
        Assert.That(new KLDivLoss("batchmean").Reduction, Is.EqualTo(Reduction.BatchMean));
    }

    [Test]
    public void BadReductionsAreRefusedWithPyTorchsMessage()
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new MSELoss("avg"))!;
        Assert.That(ex.Message, Does.StartWith("MSELoss: avg is not a valid value for reduction"));
        Assert.That(ex.ParamName, Is.EqualTo("reduction"));
        Assert.That(Assert.Throws<ArgumentException>(() => _ = new L1Loss("batchmean"))!.Message,
            Does.Contain("batchmean is not a valid value for reduction"));
        Assert.That(Assert.Throws<ArgumentException>(() => _ = new CrossEntropyLoss(reduction: Reduction.BatchMean))!.Message,
            Does.Contain("batchmean is not a valid value for reduction"));
        Assert.That(Assert.Throws<ArgumentException>(() => _ = new MultiMarginLoss(p: 3))!.Message,
            Does.Contain("only p == 1 and p == 2 supported"));
    }

    [Test]
    public void OneInputForwardNamesTheExpectedCall()
    {
        var x = Tensor.FromArray(new double[] { 1, 2 });
        Assert.That(Assert.Throws<NotSupportedException>(() => new MSELoss().Forward(x))!.Message, Does.Contain("Forward(input, target)"));
        Assert.That(Assert.Throws<NotSupportedException>(() => new TripletMarginLoss().Forward(x))!.Message,
            Does.Contain("Forward(anchor, positive, negative)"));
    }

    [Test]
    public void WeightsAreBuffersInTheStateDictAndMovedByTo()
    {
        var w = Tensor.FromArray(new float[] { 1, 2, 3 });
        var pw = Tensor.FromArray(new float[] { 0.5f, 1, 2 });
        var bce = new BCEWithLogitsLoss(w, posWeight: pw);
        Assert.That(bce.StateDict().Keys, Is.EquivalentTo(new[] { "weight", "pos_weight" }));
        Assert.That(bce.Parameters(), Is.Empty);
        bce.To(dtype: DType.Float64);
        Assert.That(bce.Weight!.DType, Is.EqualTo(DType.Float64));
        Assert.That(bce.PosWeight!.DType, Is.EqualTo(DType.Float64));
        Assert.That(bce.Weight!.ToArray<double>(), Is.EqualTo(new[] { 1.0, 2, 3 }));
        Assert.That(new CrossEntropyLoss().StateDict(), Is.Empty, "no weight: no buffer, as PyTorch's None");
        Assert.That(new CrossEntropyLoss(w).StateDict().Keys, Is.EquivalentTo(new[] { "weight" }));
        Assert.That(new MultiLabelSoftMarginLoss(w).NamedBuffers().Select(b => b.Name), Is.EqualTo(new[] { "weight" }));
    }

    [Test]
    public void LossesPrintNoExtraRepr()
    {
        Assert.That(new CrossEntropyLoss(labelSmoothing: 0.1).ToString(), Is.EqualTo("CrossEntropyLoss()"));
        Assert.That(new TripletMarginLoss(swap: true).ToString(), Is.EqualTo("TripletMarginLoss()"));
        Assert.That(new KLDivLoss("batchmean").ToString(), Is.EqualTo("KLDivLoss()"));
    }

    // ---- worked examples (values from PyTorch) ------------------------------------------------------------------

    [Test]
    public void CrossEntropyWorkedExample()
    {
        // torch.nn.CrossEntropyLoss()(tensor([[1., 2., 3.]]), tensor([2])) = 0.40760596
        var loss = new CrossEntropyLoss().Forward(Tensor.FromArray(new double[] { 1, 2, 3 }).Reshape(1, 3), Tensor.FromArray(new int[] { 2 }));
        Assert.That(loss.Item(), Is.EqualTo(0.4076059644443804).Within(1e-14));
    }

    [Test]
    public void RegressionWorkedExamples()
    {
        var x = Tensor.FromArray(new double[] { 0, 1, 3 });
        var y = Tensor.FromArray(new double[] { 1, 1, 1 });
        Assert.That(new MSELoss().Forward(x, y).Item(), Is.EqualTo(5.0 / 3).Within(1e-15));
        Assert.That(new L1Loss("sum").Forward(x, y).Item(), Is.EqualTo(3));
        // huber (delta 1): 0.5, 0, 1.5 → mean 2/3; smooth_l1 (beta 1) equal at delta = beta = 1
        Assert.That(new HuberLoss().Forward(x, y).Item(), Is.EqualTo(2.0 / 3).Within(1e-15));
        Assert.That(new SmoothL1Loss(beta: 1).Forward(x, y).Item(), Is.EqualTo(2.0 / 3).Within(1e-15));
    }

    [Test]
    public void MarginWorkedExamples()
    {
        // torch.nn.MultiMarginLoss()(tensor([[0.1, 0.2, 0.4, 0.8]]), tensor([3])) = 0.3250 (PyTorch's docs)
        var mm = new MultiMarginLoss().Forward(Tensor.FromArray(new double[] { 0.1, 0.2, 0.4, 0.8 }).Reshape(1, 4), Tensor.FromArray(new int[] { 3 }));
        Assert.That(mm.Item(), Is.EqualTo(0.325).Within(1e-15));
        // torch.nn.MultiLabelMarginLoss()(tensor([[0.1, 0.2, 0.4, 0.8]]), tensor([[3, 0, -1, 1]])) = 0.85 (PyTorch's docs)
        var ml = new MultiLabelMarginLoss().Forward(Tensor.FromArray(new double[] { 0.1, 0.2, 0.4, 0.8 }).Reshape(1, 4),
            Tensor.FromArray(new int[] { 3, 0, -1, 1 }).Reshape(1, 4));
        Assert.That(ml.Item(), Is.EqualTo(0.85).Within(1e-15));
    }

    [Test]
    public void KlDivBatchMeanDividesByTheBatch()
    {
        var r = new Random(3);
        var logP = Rand(r, 4, 3).LogSoftmax(1);
        var q = Rand(r, 4, 3).Softmax(1);
        var sum = new KLDivLoss("sum").Forward(logP, q).Item();
        Assert.That(new KLDivLoss("batchmean").Forward(logP, q).Item(), Is.EqualTo(sum / 4).Within(1e-15));
    }

    [Test]
    public void ModulesAreDifferentiable()
    {
        var x = Tensor.FromArray(new double[] { 0.5, -1, 2 });
        x.RequiresGrad = true;
        new MSELoss("sum").Forward(x, Tensor.Zeros([3], DType.Float64)).Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new[] { 1.0, -2, 4 }));
    }
}
