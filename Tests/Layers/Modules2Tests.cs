using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;
using Pade.Layers.Activations;

namespace Pade.Tests.Layers;

/// <summary>The modules of the second batch of torch.nn (their values and gradients are
/// <see cref="Modules2Properties"/>' and <see cref="EmbeddingBagProperties"/>'): reprs, defaults, initialisation,
/// state-dict names and round trips, PyTorch's error conditions.</summary>
public class Modules2Tests
{
    private static Tensor R(params int[] shape) => Tensor.Randn(shape, 0, 1, DType.Float64, null, new Generator(9));

    [Test]
    public void Softmax_modules_take_the_given_or_the_legacy_implicit_dim()
    {
        var x = R(2, 3, 4);
        Assert.That(new Softmax(-1).Call(x).ToArray<double>(), Is.EqualTo(x.Softmax(-1).ToArray<double>()));
        // No dim: 0 for a 3-D input (PyTorch's _get_softmax_dim), 1 for 2-D and 4-D.
        Assert.That(new Softmax().Call(x).ToArray<double>(), Is.EqualTo(x.Softmax(0).ToArray<double>()));
        Assert.That(new LogSoftmax().Call(R(2, 3)).ToArray<double>(), Is.EqualTo(R(2, 3).LogSoftmax(1).ToArray<double>()));
        Assert.That(new Softmin(1).Call(x).ToArray<double>(), Is.EqualTo(x.Neg().Softmax(1).ToArray<double>()));
        Assert.That(new Softmax2d().Call(x).ToArray<double>(), Is.EqualTo(x.Softmax(0).ToArray<double>()));
        Assert.That(new Softmax2d().Call(R(2, 2, 3, 4)).ToArray<double>(), Is.EqualTo(R(2, 2, 3, 4).Softmax(1).ToArray<double>()));
        Assert.That(() => new Softmax2d().Call(R(3, 4)), Throws.ArgumentException.With.Message.Contains("expected input to be 3D or 4D, got 2D instead"));
        Assert.That(new Softmax(1).ToString(), Is.EqualTo("Softmax(dim=1)"));
        Assert.That(new LogSoftmax().ToString(), Is.EqualTo("LogSoftmax(dim=None)"));
        Assert.That(new Softmin(-1).ToString(), Is.EqualTo("Softmin(dim=-1)"));
        Assert.That(new Softmax2d().ToString(), Is.EqualTo("Softmax2d()"));
        Assert.That(F.Softmax(Tensor.Scalar(3.0)).ToArray<double>(), Is.EqualTo(new[] { 1.0 }));
    }

    [Test]
    public void Glu_and_threshold_check_and_print_as_PyTorch()
    {
        Assert.That(() => F.Glu(R(2, 3)), Throws.ArgumentException.With.Message.Contains("Halving dimension must be even, but dimension 1 is size 3"));
        Assert.That(() => F.Glu(Tensor.Scalar(1.0)), Throws.ArgumentException.With.Message.Contains("scalars"));
        Assert.That(() => F.Glu(R(2, 4), 2), Throws.InstanceOf<ArgumentException>());
        Assert.That(new GLU().Call(R(3, 4)).ShapeCopy(), Is.EqualTo(new[] { 3, 2 }));
        Assert.That(new GLU(0).Call(R(4, 3)).ShapeCopy(), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(new GLU().ToString(), Is.EqualTo("GLU(dim=-1)"));
        Assert.That(new Threshold(0.1, 20).ToString(), Is.EqualTo("Threshold(threshold=0.1, value=20.0)"));
        var y = new Threshold(0, -1).Call(Tensor.FromArray(new[] { -1.0, 0, 0.5, double.NaN }));
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { -1.0, -1, 0.5, double.NaN }), "x ≤ threshold takes value; NaN stays NaN");
    }

    [Test]
    public void Unflatten_splits_a_dim_inferring_one_size()
    {
        var x = R(2, 12, 3);
        Assert.That(new Unflatten(1, [3, 4]).Call(x).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 4, 3 }));
        Assert.That(new Unflatten(-2, [2, -1, 3]).Call(x).ShapeCopy(), Is.EqualTo(new[] { 2, 2, 2, 3, 3 }));
        Assert.That(new Unflatten(-1, [3]).Call(x).ShapeCopy(), Is.EqualTo(new[] { 2, 12, 3 }));
        Assert.That(new Unflatten(1, [3, 4]).Call(x).ToArray<double>(), Is.EqualTo(x.ToArray<double>()));
        Assert.That(() => new Unflatten(1, [5, 2]).Call(x), Throws.ArgumentException.With.Message.Contains("don't multiply up to the size of dim 1 (12)"));
        Assert.That(() => new Unflatten(1, [5, -1]).Call(x), Throws.ArgumentException.With.Message.Contains("don't multiply up"));
        Assert.That(() => new Unflatten(1, [-1, -1]), Throws.ArgumentException.With.Message.Contains("only one dimension can be inferred"));
        Assert.That(() => new Unflatten(1, []), Throws.ArgumentException.With.Message.Contains("non-empty"));
        Assert.That(() => new Unflatten(3, [1]).Call(x), Throws.InstanceOf<ArgumentException>());
        Assert.That(new Unflatten(1, [2, 5]).ToString(), Is.EqualTo("Unflatten(dim=1, unflattened_size=(2, 5))"));
    }

    [Test]
    public void Bilinear_initialises_as_PyTorch_and_checks_its_inputs()
    {
        var m = new Bilinear(20, 3, 4, generator: new Generator(2));
        Assert.That(m.StateDict().Keys, Is.EquivalentTo(new[] { "weight", "bias" }));
        Assert.That(m.Weight.ShapeCopy(), Is.EqualTo(new[] { 4, 20, 3 }));
        double bound = 1 / Math.Sqrt(20);
        Assert.That(m.Weight.ToArray<double>().Concat(m.Bias!.ToArray<double>()), Is.All.InRange(-bound, bound));
        Assert.That(m.Weight.ToArray<double>().Max(), Is.GreaterThan(0.8 * bound));
        Assert.That(m.ToString(), Is.EqualTo("Bilinear(in1_features=20, in2_features=3, out_features=4, bias=True)"));
        Assert.That(new Bilinear(2, 3, 4, bias: false).StateDict().Keys, Is.EquivalentTo(new[] { "weight" }));
        Assert.That(m.Forward(Tensor.Zeros(5, 20), Tensor.Zeros(5, 3)).ShapeCopy(), Is.EqualTo(new[] { 5, 4 }));
        Assert.That(m.Forward(Tensor.Zeros(20), Tensor.Zeros(3)).ShapeCopy(), Is.EqualTo(new[] { 4 }));
        Assert.That(() => m.Call(Tensor.Zeros(5, 20)), Throws.InstanceOf<NotSupportedException>().With.Message.Contains("two inputs"));
        Assert.That(() => m.Forward(Tensor.Zeros(5, 20), Tensor.Zeros(3)), Throws.ArgumentException.With.Message.Contains("input dimensions do not match: got 2 and 1"));
        Assert.That(() => m.Forward(Tensor.Zeros(5, 20), Tensor.Zeros(4, 3)), Throws.ArgumentException.With.Message.Contains("input batch dimensions do not match: got 5 and 4"));
        Assert.That(() => m.Forward(Tensor.Zeros(5, 19), Tensor.Zeros(5, 3)), Throws.ArgumentException.With.Message.Contains("input1 size does not match weight size: got 19 but expected 20"));
        Assert.That(() => m.Forward(Tensor.Zeros(5, 20), Tensor.Zeros(5, 2)), Throws.ArgumentException.With.Message.Contains("input2 size does not match weight size: got 2 but expected 3"));
        Assert.That(() => F.Bilinear(Tensor.Zeros(5, 20), Tensor.Zeros(5, 3), m.Weight, Tensor.Zeros(3)), Throws.ArgumentException.With.Message.Contains("bias size does not match"));
    }

    [Test]
    public void RMSNorm_defaults_eps_to_the_dtypes_epsilon()
    {
        var m = new RMSNorm([3, 4]);
        Assert.That(m.ToString(), Is.EqualTo("RMSNorm((3, 4), eps=None, elementwise_affine=True)"));
        Assert.That(new RMSNorm(8, 1e-6, elementwiseAffine: false).ToString(), Is.EqualTo("RMSNorm((8,), eps=1e-06, elementwise_affine=False)"));
        Assert.That(m.StateDict().Keys, Is.EquivalentTo(new[] { "weight" }));
        Assert.That(m.Weight!.ToArray<double>(), Is.All.EqualTo(1));
        Assert.That(new RMSNorm(8, elementwiseAffine: false).StateDict(), Is.Empty);
        // A zero row: x/√ε stays 0; the eps decides a tiny row's scale: √(x²/(x² + ε)).
        var tiny = Tensor.Full([1, 1], 1e-4, DType.Float32);
        double eps32 = Math.Pow(2, -23);
        Assert.That(F.RmsNorm(tiny, [1]).ToArray<double>()[0], Is.EqualTo(1e-4 / Math.Sqrt(1e-8 + eps32)).Within(1e-5));
        Assert.That(F.MachineEpsilon(DType.Float64), Is.EqualTo(2.220446049250313e-16));
        Assert.That(() => m.Call(R(2, 4, 3)), Throws.ArgumentException.With.Message.Contains("expected input with shape [*, 3, 4]"));
        Assert.That(() => F.RmsNorm(R(2, 3), [3], Tensor.Ones(4).To(DType.Float64)), Throws.ArgumentException.With.Message.Contains("expected weight to be of same shape"));
        Assert.That(() => F.RmsNorm(R(2, 3), []), Throws.ArgumentException.With.Message.Contains("at least 1-dimensional"));
    }

    [Test]
    public void EmbeddingBag_module_initialises_and_prints_as_PyTorch()
    {
        var m = new EmbeddingBag(10, 3, mode: "sum", paddingIdx: -1, generator: new Generator(3));
        Assert.That(m.PaddingIdx, Is.EqualTo(9));
        Assert.That(m.Weight.ToArray<double>()[27..], Is.All.EqualTo(0));
        Assert.That(m.ToString(), Is.EqualTo("EmbeddingBag(10, 3, mode=sum, padding_idx=9)"));
        Assert.That(new EmbeddingBag(10, 3, maxNorm: 1).ToString(), Is.EqualTo("EmbeddingBag(10, 3, max_norm=1.0, mode=mean)"));
        Assert.That(m.StateDict().Keys, Is.EquivalentTo(new[] { "weight" }));
        var y = m.Call(Tensor.FromArray(new[] { 1, 2, 9, 4, 5, 6 }, 2, 3));
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 2, 3 }));
        var w = m.Weight.ToArray<double>();
        Assert.That(y.ToArray<double>()[0], Is.EqualTo(w[3] + w[6]).Within(1e-6));
        var bags = m.Forward(Tensor.FromArray(new[] { 1, 2, 4, 5 }, 4), Tensor.FromArray(new[] { 0, 2, 2 }, 3));
        Assert.That(bags.ToArray<double>()[3..6], Is.All.EqualTo(0), "an empty bag gives zeros");
        Assert.That(() => new EmbeddingBag(10, 3, mode: "min"), Throws.ArgumentException.With.Message.Contains("mode has to be one of sum, mean or max"));
    }

    [Test]
    public void EmbeddingBag_refuses_what_PyTorch_refuses()
    {
        var w = R(5, 2);
        var idx = Tensor.FromArray(new[] { 0, 1, 2, 3 }, 4);
        var off = Tensor.FromArray(new[] { 0, 2 }, 2);
        Assert.That(() => F.EmbeddingBag(idx, w), Throws.ArgumentException.With.Message.Contains("offsets has to be a 1D Tensor but got None"));
        Assert.That(() => F.EmbeddingBag(idx.Reshape(2, 2), w, off), Throws.ArgumentException.With.Message.Contains("if input is 2D, then offsets has to be None"));
        Assert.That(() => F.EmbeddingBag(idx.Reshape(1, 2, 2), w), Throws.ArgumentException.With.Message.Contains("input has to be 1D or 2D Tensor, but got Tensor of dimension 3"));
        Assert.That(() => F.EmbeddingBag(idx, w, Tensor.FromArray(new[] { 1, 2 }, 2)), Throws.ArgumentException.With.Message.Contains("offsets[0] has to be 0"));
        Assert.That(() => F.EmbeddingBag(idx, w, Tensor.FromArray(new[] { 0, 5 }, 2)), Throws.ArgumentException.With.Message.Contains("offsets[-1] can not be greater than input's length 4"));
        Assert.That(() => F.EmbeddingBag(idx, w, Tensor.FromArray(new[] { 0, 3, 2 }, 3)), Throws.ArgumentException.With.Message.Contains("non-decreasing"));
        Assert.That(() => F.EmbeddingBag(idx, w, off, mode: "mean", perSampleWeights: R(4)), Throws.InstanceOf<NotSupportedException>().With.Message.Contains("only supported for mode='sum'"));
        Assert.That(() => F.EmbeddingBag(idx, w, off, mode: "sum", perSampleWeights: R(3)), Throws.ArgumentException.With.Message.Contains("must have the same shape as the input"));
        Assert.That(() => F.EmbeddingBag(idx, R(5)), Throws.ArgumentException.With.Message.Contains("weight has to be a 2D Tensor"));
        Assert.That(() => F.EmbeddingBag(Tensor.FromArray(new[] { 0, 5 }, 2), w, off), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("index 5"));
        Assert.That(() => F.EmbeddingBag(idx, w, off, paddingIdx: 5), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => F.EmbeddingBag(idx, w, off, mode: "median"), Throws.ArgumentException.With.Message.Contains("mode has to be one of"));
        Assert.That(() => F.EmbeddingBag(idx, w, Tensor.Zeros([0], DType.Int32), includeLastOffset: true), Throws.ArgumentException.With.Message.Contains("numBags should be at least 1"));
    }

    [Test]
    public void EmbeddingBag_max_norm_renormalises_the_referenced_rows()
    {
        var w = Tensor.FromArray(new[] { 3.0, 4, 0.3, 0.4, 6, 8 }, 3, 2);
        var y = F.EmbeddingBag(Tensor.FromArray(new[] { 0, 1 }, 1, 2), w, maxNorm: 1, mode: "sum");
        var rows = w.ToArray<double>();
        Assert.That(rows[0], Is.EqualTo(0.6).Within(1e-6));
        Assert.That(rows[2..4], Is.EqualTo(new[] { 0.3, 0.4 }));
        Assert.That(rows[4..], Is.EqualTo(new[] { 6.0, 8 }), "a row not referenced keeps its norm");
        Assert.That(y.ToArray<double>()[0], Is.EqualTo(0.9).Within(1e-6));
    }

    [Test]
    public void State_dicts_round_trip_between_two_instances()
    {
        var pairs = new (Module A, Module B)[]
        {
            (new Bilinear(3, 2, 4, generator: new Generator(1)), new Bilinear(3, 2, 4, generator: new Generator(2))),
            (new RMSNorm([2, 3]), new RMSNorm([2, 3])),
            (new EmbeddingBag(5, 3, generator: new Generator(1)), new EmbeddingBag(5, 3, generator: new Generator(2))),
        };
        foreach (var (a, b) in pairs)
        {
            foreach (var p in a.Parameters()) using (Tensor.NoGrad()) p.CopyFrom(Tensor.Randn(p.ShapeCopy(), 0, 1, p.DType, null, new Generator(5)));
            b.LoadStateDict(a.StateDict());
            foreach (var (name, p) in a.NamedParameters())
                Assert.That(b.StateDict()[name].ToArray<double>(), Is.EqualTo(p.ToArray<double>()), $"{a.GetType().Name}.{name}");
        }
        Assert.That(() => new RMSNorm(4).LoadStateDict(new RMSNorm(5).StateDict()), Throws.ArgumentException.With.Message.Contains("'weight' has shape [5]"));
    }
}
