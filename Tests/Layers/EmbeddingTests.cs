using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;

namespace Pade.Tests.Layers;

/// <summary>The index ops' PyTorch checks and messages, int32 inputs, and nn.Embedding's initialisation, padding row
/// and repr (the values and gradients are IndexingProperties').</summary>
public class EmbeddingTests
{
    private static Tensor Ints(int[] values, params int[] shape) => Tensor.FromArray(values, shape);

    [Test]
    public void A_float_index_is_refused_naming_its_dtype()
    {
        var x = Tensor.Zeros(3, 4);
        var fi = Tensor.Zeros(3, 4);
        Assert.That(() => Tensor.Gather(x, 1, fi), Throws.ArgumentException.With.Message.Contains("int32").And.Message.Contains("float32"));
        Assert.That(() => Tensor.IndexSelect(x, 0, Tensor.Zeros(2)), Throws.ArgumentException.With.Message.Contains("index_select"));
        Assert.That(() => Tensor.ScatterAdd(x, 0, fi, x), Throws.ArgumentException.With.Message.Contains("scatter_add"));
        Assert.That(() => F.Embedding(Tensor.Zeros(2), Tensor.Zeros(5, 3)), Throws.ArgumentException.With.Message.Contains("int32"));
        // The arguments the other way round, as torch's order is (input, weight).
        Assert.That(() => F.Embedding(Tensor.Zeros(5, 3), Ints([1, 2], 2)), Throws.ArgumentException.With.Message.Contains("indices come first"));
    }

    [Test]
    public void An_index_out_of_bounds_is_named_with_its_position_and_the_shapes()
    {
        var x = Tensor.Zeros(2, 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Gather(x, 1, Ints([0, 1, 2, 5], 2, 2)))!;
        Assert.That(e.Message, Does.Contain("gather: index 5 is out of bounds for dimension 1 with size 3").And.Contain("[1, 1]").And.Contain("[2, 2]").And.Contain("[2, 3]"));
        // PyTorch's gather does not wrap negative indices.
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Gather(x, 1, Ints([-1], 1, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.ScatterAdd(x, 0, Ints([2], 1, 1), x));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.IndexSelect(x, 0, Ints([0, 2], 2)));
        Assert.That(() => F.Embedding(Ints([4, 5], 2), Tensor.Zeros(5, 3)), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("embedding: index 5"));
    }

    [Test]
    public void Shapes_are_checked_as_PyTorch_does()
    {
        var x = Tensor.Zeros(2, 3);
        Assert.That(() => Tensor.Gather(x, 0, Ints([0], 1)), Throws.ArgumentException.With.Message.Contains("same number of dimensions"));
        Assert.That(() => Tensor.Gather(x, 0, Ints([0, 0, 0, 0, 0, 0, 0, 0], 2, 4)), Throws.ArgumentException.With.Message.Contains("size does not match at dimension 1"));
        Assert.That(() => Tensor.Gather(x, 2, Ints([0], 1, 1)), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("axis 2"));
        Assert.That(() => Tensor.ScatterAdd(x, 0, Ints([0, 0], 1, 2), Tensor.Zeros(1, 1)), Throws.ArgumentException.With.Message.Contains("smaller than src"));
        Assert.That(() => Tensor.ScatterAdd(x, 0, Ints([0], 1, 1), Tensor.Zeros([1, 1], DType.Float64)), Throws.ArgumentException.With.Message.Contains("same dtype"));
        Assert.That(() => Tensor.IndexSelect(x, 0, Ints([0, 1], 1, 2)), Throws.ArgumentException.With.Message.Contains("vector"));
        Assert.That(() => F.Embedding(Ints([0], 1), Tensor.Zeros(5)), Throws.ArgumentException.With.Message.Contains("2-D"));
        // An empty index skips the shape checks (PyTorch's gather returns an empty result).
        Assert.That(Tensor.Gather(x, 0, Tensor.Zeros([0, 7], DType.Int32)).ShapeCopy(), Is.EqualTo(new[] { 0, 7 }));
    }

    [Test]
    public void Int32_inputs_stay_int32()
    {
        var x = Ints([1, 2, 3, 4, 5, 6], 2, 3);
        var g = Tensor.Gather(x, 1, Ints([2, 0, 1, 1], 2, 2));
        Assert.That(g.DType, Is.EqualTo(DType.Int32));
        Assert.That(g.ToArray<int>(), Is.EqualTo(new[] { 3, 1, 5, 5 }));
        Assert.That(x.IndexSelect(0, Ints([1], 1)).ToArray<int>(), Is.EqualTo(new[] { 4, 5, 6 }));
        Assert.That(x.ScatterAdd(1, Ints([0, 0], 1, 2), Ints([10, 20], 1, 2)).ToArray<int>(), Is.EqualTo(new[] { 31, 2, 3, 4, 5, 6 }));
    }

    [Test]
    public void Module_draws_normal_weights_and_zeroes_the_padding_row()
    {
        var m = new Embedding(1000, 16, paddingIdx: -1, generator: new Generator(7));
        Assert.That(m.PaddingIdx, Is.EqualTo(999));
        Assert.That(m.Weight.ShapeCopy(), Is.EqualTo(new[] { 1000, 16 }));
        Assert.That(m.Weight.RequiresGrad, Is.True);
        var w = m.Weight.ToArray<double>();
        Assert.That(w[(999 * 16)..], Is.All.EqualTo(0));
        double mean = w.Average(), sd = Math.Sqrt(w.Sum(v => (v - mean) * (v - mean)) / w.Length);
        Assert.That(mean, Is.EqualTo(0).Within(0.03));
        Assert.That(sd, Is.EqualTo(1).Within(0.03));
        Assert.That(m.ToString(), Is.EqualTo("Embedding(1000, 16, padding_idx=999)"));
        Assert.That(new Embedding(10, 3).ToString(), Is.EqualTo("Embedding(10, 3)"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Embedding(10, 3, paddingIdx: 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Embedding(10, 3, paddingIdx: -11));
    }

    [Test]
    public void Module_output_has_the_indices_shape_plus_dim_and_the_padding_row_learns_nothing()
    {
        var m = new Embedding(6, 4, paddingIdx: 0, generator: new Generator(3));
        var idx = Ints([0, 1, 1, 5, 0, 2], 2, 3);
        var y = m.Forward(idx);
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 2, 3, 4 }));
        y.Square().Sum().Backward();
        var grad = m.Weight.Grad!.ToArray<float>();
        Assert.That(grad[..4], Is.All.EqualTo(0f), "padding row");
        Assert.That(grad[(3 * 4)..(5 * 4)], Is.All.EqualTo(0f), "rows no index holds");
        Assert.That(grad[4..8], Is.Not.All.EqualTo(0f), "row 1, held twice");
        Assert.That(F.Embedding(Tensor.FromSpan<int>([3], []), m.Weight).ShapeCopy(), Is.EqualTo(new[] { 4 }), "0-d indices");
    }
}
