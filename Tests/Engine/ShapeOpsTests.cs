using NUnit.Framework;
using Pade.Engine;

namespace Pade.Tests.Engine;

/// <summary>The shape ops' fixed examples from PyTorch's documentation and their bad inputs, with PyTorch's
/// messages.</summary>
public class ShapeOpsTests
{
    private static Tensor Range(params int[] shape) => Tensor.Arange(0, shape.Aggregate(1, (a, b) => a * b), dtype: DType.Float64).Reshape(shape);

    private static void Throws<T>(TestDelegate f, string message) where T : Exception =>
        Assert.That(Assert.Throws<T>(f)!.Message, Does.Contain(message));

    [Test]
    public void DocumentedExamples()
    {
        Assert.That(Range(3, 2, 1).Movedim([1, 2], [0, 1]).ShapeCopy(), Is.EqualTo(new[] { 2, 1, 3 }));
        Assert.That(Range(3, 2, 1).Movedim(1, 0).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 1 }));
        Assert.That(Range(2, 2).Rot90().ToArray<double>(), Is.EqualTo(new double[] { 1, 3, 0, 2 }));
        Assert.That(Range(2, 2).Rot90(-1).ToArray<double>(), Is.EqualTo(new double[] { 2, 0, 3, 1 }));
        Assert.That(Range(7).TensorSplit(3).Select(p => p.Numel), Is.EqualTo(new long[] { 3, 2, 2 }));
        Assert.That(Range(7).TensorSplit([1, 6]).Select(p => p.Numel), Is.EqualTo(new long[] { 1, 5, 1 }));
        Assert.That(Range(4, 4).Hsplit(2)[1].ToArray<double>(), Is.EqualTo(new double[] { 2, 3, 6, 7, 10, 11, 14, 15 }));
        Assert.That(Range(4, 4).Vsplit([3, 6]).Select(p => p.ShapeCopy()), Is.EqualTo(new[] { new[] { 3, 4 }, [1, 4], [0, 4] }));
        Assert.That(Range(2, 2, 4).Dsplit(2)[0].ShapeCopy(), Is.EqualTo(new[] { 2, 2, 2 }));
        Assert.That(Tensor.Hstack(Range(3), Range(3)).ShapeCopy(), Is.EqualTo(new[] { 6 }));
        Assert.That(Tensor.Vstack(Range(3), Range(3)).ShapeCopy(), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(Tensor.RowStack(Range(3, 1), Range(3, 1)).ShapeCopy(), Is.EqualTo(new[] { 6, 1 }));
        Assert.That(Tensor.Dstack(Range(3), Range(3)).ShapeCopy(), Is.EqualTo(new[] { 1, 3, 2 }));
        Assert.That(Tensor.ColumnStack(Range(3), Range(3), Range(3, 2)).ShapeCopy(), Is.EqualTo(new[] { 3, 4 }));
        Assert.That(Tensor.Atleast3d(Tensor.Scalar(1.0), Range(2)).Select(t => t.ShapeCopy()), Is.EqualTo(new[] { new[] { 1, 1, 1 }, [1, 2, 1] }));
        Assert.That(Tensor.CartesianProd(Range(3), Range(2)).ToArray<double>(), Is.EqualTo(new double[] { 0, 0, 0, 1, 1, 0, 1, 1, 2, 0, 2, 1 }));
        Assert.That(Range(3).Combinations().ToArray<double>(), Is.EqualTo(new double[] { 0, 1, 0, 2, 1, 2 }));
        Assert.That(Range(2).Combinations(withReplacement: true).ToArray<double>(), Is.EqualTo(new double[] { 0, 0, 0, 1, 1, 1 }));
        Assert.That(Range(2).Combinations(3).ShapeCopy(), Is.EqualTo(new[] { 0, 3 }));
        var xy = Tensor.Meshgrid([Range(3), Range(2)], "xy");
        Assert.That(xy[0].ShapeCopy(), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(xy[0].ToArray<double>(), Is.EqualTo(new double[] { 0, 1, 2, 0, 1, 2 }));
        Assert.That(Tensor.BroadcastShapes([2], [3, 1], [1, 1, 1]), Is.EqualTo(new[] { 1, 3, 2 }));
        Assert.That(Tensor.BroadcastShapes(), Is.Empty);
        Assert.That(Tensor.TrilIndices(3, 3).ToArray<int>(), Is.EqualTo(new[] { 0, 1, 1, 2, 2, 2, 0, 0, 1, 0, 1, 2 }));
        Assert.That(Tensor.TriuIndices(4, 3, -1).ToArray<int>(), Is.EqualTo(new[] { 0, 0, 0, 1, 1, 1, 2, 2, 3, 0, 1, 2, 0, 1, 2, 1, 2, 2 }));
        Assert.That(Range(2, 0).Unbind(1), Is.Empty);
    }

    [Test]
    public void Int32TensorsMoveToo()
    {
        var m = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        Assert.That(m.Rot90().ToArray<int>(), Is.EqualTo(new[] { 3, 6, 2, 5, 1, 4 }));
        Assert.That(m.Fliplr().ToArray<int>(), Is.EqualTo(new[] { 3, 2, 1, 6, 5, 4 }));
        Assert.That(m.Movedim(0, 1).Contiguous().ToArray<int>(), Is.EqualTo(new[] { 1, 4, 2, 5, 3, 6 }));
        Assert.That(Tensor.FromArray([7, 8, 9]).Combinations().ToArray<int>(), Is.EqualTo(new[] { 7, 8, 7, 9, 8, 9 }));
        Assert.That(Tensor.CartesianProd(Tensor.FromArray([1, 2]), Tensor.FromArray([5])).ToArray<int>(), Is.EqualTo(new[] { 1, 5, 2, 5 }));
        Assert.That(Tensor.Vstack(Tensor.FromArray([1, 2]), Tensor.FromArray([3, 4])).ToArray<int>(), Is.EqualTo(new[] { 1, 2, 3, 4 }));
        Assert.That(m.TensorSplit([1], 1)[1].Contiguous().ToArray<int>(), Is.EqualTo(new[] { 2, 3, 5, 6 }));
    }

    [Test]
    public void BadInputsAsPyTorch()
    {
        var x = Range(2, 3, 4);
        Throws<ArgumentException>(() => x.Movedim([0, 1], [0]), "should contain the same number of dims");
        Throws<ArgumentException>(() => x.Movedim([0, 0], [1, 2]), "repeated dim in `source`");
        Throws<ArgumentException>(() => x.Movedim([0, 1], [2, -1]), "repeated dim in `destination`");
        Throws<ArgumentOutOfRangeException>(() => x.Movedim(3, 0), "dim 3 is out of range");
        Throws<ArgumentException>(() => x.Rot90(1, [0, 1, 2]), "expected total rotation dims == 2, but got dims = 3");
        Throws<ArgumentException>(() => Range(3).Rot90(), "expected total dims >= 2, but got total dims = 1");
        Throws<ArgumentException>(() => x.Rot90(1, [0, -3]), "expected rotation dims to be different, but got dim0 = 0 and dim1 = 0");
        Throws<ArgumentOutOfRangeException>(() => x.Rot90(1, [3, 0]), "Rotation dim0 out of range, dim0 = 3");
        Throws<ArgumentException>(() => Range(3).Fliplr(), "Input must be >= 2-d");
        Throws<ArgumentException>(() => Tensor.Scalar(1.0).Flipud(), "Input must be >= 1-d");
        Throws<ArgumentException>(() => Tensor.Scalar(1.0).TensorSplit(2), "expected at least a 1-dimensional tensor, but got a tensor with 0 dims");
        Throws<ArgumentException>(() => x.TensorSplit(0), "number of sections must be larger than 0, got 0");
        Throws<ArgumentException>(() => x.Hsplit(2), "torch.hsplit attempted to split along dimension 1, but the size of the dimension 3 is not divisible by the split_size 2!");
        Throws<ArgumentException>(() => Range(3).Vsplit(3), "torch.vsplit requires a tensor with at least 2 dimensions, but got a tensor with 1 dimensions!");
        Throws<ArgumentException>(() => Range(2, 2).Dsplit([1]), "torch.dsplit requires a tensor with at least 3 dimensions");
        Throws<ArgumentException>(() => Tensor.Scalar(1.0).Unbind(), "Dimension specified as 0 but tensor has no dimensions");
        Throws<ArgumentException>(() => Tensor.Hstack(), "hstack expects a non-empty TensorList");
        Throws<ArgumentException>(() => Tensor.Meshgrid([x]), "Expected 0D or 1D tensor in the tensor list");
        Throws<ArgumentException>(() => Tensor.Meshgrid([Range(2)], "ji"), "indexing must be one of \"xy\" or \"ij\", but received: ji");
        Throws<ArgumentException>(() => Tensor.CartesianProd(Range(2), Range(2, 2)), "Expect a 1D vector, but got shape [2, 2]");
        Throws<ArgumentException>(() => x.Combinations(), "Expect a 1D vector, but got shape [2, 3, 4]");
        Throws<ArgumentException>(() => Range(3).Combinations(-1), "Expect a non-negative number, but got -1");
        Throws<ArgumentException>(() => Tensor.BroadcastShapes([2, 3], [4]), "Shape mismatch: objects cannot be broadcast to a single shape");
        Throws<ArgumentException>(() => Tensor.BroadcastTensors(Range(2), Range(3)), "Shape mismatch");
        Throws<ArgumentException>(() => Tensor.TrilIndices(-1, 2), "row must be non-negative, got -1");
        Throws<ArgumentException>(() => Tensor.TriuIndices(2, -2), "col must be non-negative, got -2");
    }
}
