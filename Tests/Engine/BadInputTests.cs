using NUnit.Framework;
using Pade.Engine;

namespace Pade.Tests.Engine;

/// <summary>Bad input fails early with a message naming the op and the offending shapes, axes, dtypes or devices.</summary>
public class BadInputTests
{
    private static void Throws<TException>(TestDelegate code, params string[] parts) where TException : Exception
    {
        var e = Assert.Throws(Is.InstanceOf<TException>(), code)!;
        foreach (var p in parts) Assert.That(e.Message, Does.Contain(p), $"message: {e.Message}");
    }

    [Test]
    public void ShapeMismatchInAddNamesTheOpAndBothShapes() =>
        Throws<ArgumentException>(() => _ = Tensor.Zeros(2, 3) + Tensor.Zeros(4), "add", "[2, 3]", "[4]");

    [Test]
    public void ShapeMismatchInOtherBinaryOps()
    {
        Throws<ArgumentException>(() => _ = Tensor.Zeros(2, 3) * Tensor.Zeros(3, 2), "mul", "[2, 3]", "[3, 2]");
        Throws<ArgumentException>(() => Tensor.Maximum(Tensor.Zeros(5), Tensor.Zeros(4)), "maximum", "[5]", "[4]");
        Throws<ArgumentException>(() => Tensor.Where(Tensor.Zeros(2), Tensor.Zeros(3), Tensor.Zeros(3)), "where", "[2]", "[3]");
        Throws<ArgumentException>(() => Tensor.MseLoss(Tensor.Zeros(2), Tensor.Zeros(3)), "mse_loss", "[2]", "[3]");
    }

    [Test]
    public void MatMulNamesTheInnerDims() =>
        Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)), "matmul", "[2, 3]", "[4, 5]", "3 vs 4");

    [Test]
    public void MatMulOfScalarsAndBatchMismatch()
    {
        Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Scalar(1), Tensor.Zeros(2)), "matmul", "at least one dimension");
        Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Zeros(2, 3, 4), Tensor.Zeros(3, 4, 5)), "matmul", "[2]", "[3]");
    }

    [Test]
    public void AxisOutOfRangeNamesTheAxisAndTheRank()
    {
        var x = Tensor.Zeros(2, 3);
        Throws<ArgumentOutOfRangeException>(() => x.Sum(2), "sum", "axis 2", "rank 2");
        Throws<ArgumentOutOfRangeException>(() => x.Mean(-3), "mean", "axis -3", "rank 2");
        Throws<ArgumentOutOfRangeException>(() => x.Max(5), "max", "axis 5", "rank 2");
        Throws<ArgumentOutOfRangeException>(() => x.Softmax(2), "softmax", "axis 2", "rank 2");
        Throws<ArgumentOutOfRangeException>(() => x.LogSoftmax(-3), "log_softmax", "axis -3", "rank 2");
        Throws<ArgumentOutOfRangeException>(() => x.Transpose(0, 2), "transpose", "axis 2", "rank 2");
        Throws<ArgumentOutOfRangeException>(() => x.Narrow(3, 0, 1), "narrow", "axis 3", "rank 2");
        Throws<ArgumentOutOfRangeException>(() => x.Unsqueeze(4), "unsqueeze", "axis 4", "rank 2");
        Throws<ArgumentOutOfRangeException>(() => Tensor.Concat([x, x], 2), "concat", "axis 2", "rank 2");
        Throws<ArgumentException>(() => x.Sum([1, -1]), "sum", "repeated axis");
    }

    [Test]
    public void IndexOutOfRangeNamesTheAxisSize()
    {
        var x = Tensor.Zeros(2, 3);
        Throws<ArgumentOutOfRangeException>(() => x.Narrow(1, 2, 2), "narrow", "[2, 4)", "size 3");
        Throws<ArgumentOutOfRangeException>(() => x.Narrow(1, -4, 1), "narrow", "[-4, -3)", "size 3");
        Throws<ArgumentOutOfRangeException>(() => x.Slice(1, 0, 3, 0), "slice", "step", "0");
        Throws<ArgumentOutOfRangeException>(() => x.Select(0, 2), "select", "index 2", "size 2");
    }

    [Test]
    public void DTypeMixNamesBothDTypes()
    {
        var a = Tensor.Zeros([2], DType.Float32);
        var b = Tensor.Zeros([2], DType.Float64);
        // Arithmetic and concatenation promote as PyTorch does (ElementwiseProperties.ArithmeticPromotesAsPyTorch);
        // matmul does not convert silently, nor does PyTorch's.
        Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Zeros([2, 2], DType.Float64), Tensor.Zeros(2, 2)), "matmul", "float64", "float32");
        Assert.That(Tensor.Concat([a, b]).DType, Is.EqualTo(DType.Float64));
    }

    [Test]
    public void DeviceMixNamesBothDevices()
    {
        // No GPU here: a stand-in backend registered under an otherwise unused device type allocates tensors that
        // live "elsewhere", which is all the argument checks look at.
        var other = FakeBackend.Elsewhere;
        Backend.Register(FakeBackend.Instance);
        var remote = Tensor.Empty([2], DType.Float32, other);
        Throws<ArgumentException>(() => _ = Tensor.Zeros(2) + remote, "add", "different devices", "cpu", other.ToString());
        Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Zeros(2, 2), Tensor.Empty([2, 2], DType.Float32, other)), "matmul", "different devices");
        Throws<ArgumentException>(() => Tensor.Zeros(2).CopyFrom(remote), "CopyFrom", "different devices");
    }

    [Test]
    public void BackwardOnATensorThatDoesNotRequireGrad() =>
        Throws<InvalidOperationException>(() => (Tensor.Ones(3) * 2.0).Sum().Backward(), "does not require grad");

    [Test]
    public void ReshapeToAnIncompatibleShape()
    {
        var x = Tensor.Zeros(2, 3);
        Throws<ArgumentException>(() => x.Reshape(4), "reshape", "[2, 3]", "6 elements", "[4]");
        Throws<ArgumentException>(() => x.Reshape(-1, 4), "reshape", "[2, 3]", "[-1, 4]");
        Throws<ArgumentException>(() => x.Reshape(-1, -1), "reshape", "[-1, -1]", "only one");
        Throws<ArgumentException>(() => x.Reshape(-2, -3), "reshape", "[-2, -3]", "negative");
        Throws<InvalidOperationException>(() => x.T.View(6), "View", "contiguous", "Reshape");
    }

    [Test]
    public void CrossEntropyTargetOutOfRange()
    {
        var logits = Tensor.Zeros(2, 3);
        Throws<ArgumentOutOfRangeException>(() => Tensor.CrossEntropy(logits, Tensor.FromArray([0, 5])), "cross_entropy", "target 5", "row 1", "[0, 3)");
        Throws<ArgumentOutOfRangeException>(() => Tensor.CrossEntropy(logits, Tensor.FromArray([-1, 0])), "cross_entropy", "target -1", "row 0");
        Throws<ArgumentException>(() => Tensor.CrossEntropy(logits, Tensor.FromArray([0, 1, 2])), "cross_entropy", "[3]", "[2, 3]");
        Throws<ArgumentException>(() => Tensor.CrossEntropy(logits, Tensor.FromArray([0.0, 1.0])), "cross_entropy", "int32", "float64");
        Throws<ArgumentOutOfRangeException>(() => Tensor.CrossEntropy(logits, Tensor.FromArray([0, 1]), labelSmoothing: 1.5), "cross_entropy", "label smoothing 1.5");
        Throws<ArgumentOutOfRangeException>(() => Tensor.NllLoss(logits, Tensor.FromArray([3, 0])), "nll_loss", "target 3", "row 0", "[0, 3)");
    }

    [Test]
    public void LossTargetsAndWeightsOfTheWrongShapeNameBothShapes()
    {
        var logits = Tensor.Zeros(2, 3);
        var targets = Tensor.FromArray([0, 1]);
        Throws<ArgumentException>(() => Tensor.CrossEntropy(logits, targets, weight: Tensor.Ones(4)), "cross_entropy", "weight of shape [4]", "3 classes", "[2, 3]");
        Throws<ArgumentException>(() => Tensor.NllLoss(logits, targets, weight: Tensor.Ones(2, 3)), "nll_loss", "weight of shape [2, 3]", "expected", "[3]");
        Throws<ArgumentException>(() => Tensor.CrossEntropy(Tensor.Zeros(2, 3, 5), Tensor.FromArray(new int[8], 2, 4)), "cross_entropy", "[2, 4]", "[2, 3, 5]", "expected [2, 5]");
        Throws<ArgumentException>(() => Tensor.CrossEntropy(logits, Tensor.Zeros(3, 2)), "cross_entropy", "[3, 2]", "probabilities", "[2, 3]", "int32 of shape [2]");
        Throws<ArgumentException>(() => Tensor.CrossEntropy(logits, Tensor.Zeros(2, 3), ignoreIndex: 1), "cross_entropy", "ignore_index (1)", "probability");
        Throws<ArgumentException>(() => Tensor.CrossEntropy(Tensor.Zeros(), Tensor.FromArray([0])), "cross_entropy", "scalar");
        Throws<ArgumentException>(() => Tensor.NllLoss(logits, Tensor.Zeros(2)), "nll_loss", "float32", "int32");
        Throws<ArgumentException>(() => Tensor.MseLoss(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2), Reduction.None), "mse_loss", "[2, 3]", "[3, 2]");
    }

    [Test]
    public void ElementwiseLossArguments()
    {
        var (a, b) = (Tensor.Zeros(2), Tensor.Zeros(3));
        Throws<ArgumentException>(() => Tensor.L1Loss(a, b), "l1_loss", "[2]", "[3]");
        Throws<ArgumentException>(() => Tensor.SmoothL1Loss(a, b), "smooth_l1_loss", "[2]", "[3]");
        Throws<ArgumentException>(() => Tensor.HuberLoss(a, b), "huber_loss", "[2]", "[3]");
        Throws<ArgumentException>(() => Tensor.L1Loss(a, Tensor.Zeros([2], DType.Float64)), "l1_loss", "float32", "float64");
        // β = 0 is L1; PyTorch rejects a negative β and a δ that is not positive.
        Throws<ArgumentException>(() => Tensor.SmoothL1Loss(a, a, beta: -0.5), "smooth_l1_loss", "beta", "-0.5");
        Throws<ArgumentException>(() => Tensor.SmoothL1Loss(a, a, beta: double.NaN), "smooth_l1_loss", "beta", "NaN");
        Throws<ArgumentException>(() => Tensor.HuberLoss(a, a, delta: 0), "huber_loss", "delta", "0");
        Throws<ArgumentException>(() => Tensor.HuberLoss(a, a, delta: -2), "huber_loss", "delta", "-2");
    }

    [Test]
    public void BinaryCrossEntropyArguments()
    {
        var p = Tensor.FromArray([0.5, 0.25]);
        // Probabilities outside [0, 1] (NaN too), checked on the values with PyTorch's messages.
        foreach (var bad in new[] { 1.5, -0.1, double.NaN })
        {
            Throws<ArgumentException>(() => Tensor.BinaryCrossEntropy(Tensor.FromArray([0.5, bad]), p), "binary_cross_entropy", "all elements of input should be between 0 and 1");
            Throws<ArgumentException>(() => Tensor.BinaryCrossEntropy(p, Tensor.FromArray([bad, 0.5])), "binary_cross_entropy", "all elements of target should be between 0 and 1");
        }
        // The target must have the input's shape (PyTorch raises rather than broadcasting); weights broadcast to it.
        Throws<ArgumentException>(() => Tensor.BinaryCrossEntropy(Tensor.Zeros(2, 3), Tensor.Zeros(3)), "binary_cross_entropy", "[3]", "[2, 3]");
        Throws<ArgumentException>(() => Tensor.BinaryCrossEntropy(Tensor.Zeros(2, 1), Tensor.Zeros(2)), "binary_cross_entropy", "[2]", "[2, 1]");
        Throws<ArgumentException>(() => Tensor.BinaryCrossEntropyWithLogits(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)), "binary_cross_entropy_with_logits", "[3, 2]", "[2, 3]");
        Throws<ArgumentException>(() => Tensor.BinaryCrossEntropy(Tensor.Zeros(2, 3), Tensor.Zeros(2, 3), weight: Tensor.Ones(1, 2, 3)), "binary_cross_entropy", "weight", "[1, 2, 3]", "[2, 3]");
        Throws<ArgumentException>(() => Tensor.BinaryCrossEntropyWithLogits(Tensor.Zeros(2, 3), Tensor.Zeros(2, 3), posWeight: Tensor.Ones(2)), "binary_cross_entropy_with_logits", "[2]", "[2, 3]");
        Throws<ArgumentException>(() => Tensor.BinaryCrossEntropyWithLogits(Tensor.Zeros(2, 3), Tensor.Zeros(2, 3), posWeight: Tensor.Ones([3], DType.Float64)), "binary_cross_entropy_with_logits", "float32", "float64");
    }

    [Test]
    public void ClassIndicesOutOfRangeAreNamedWithTheirPosition()
    {
        var t = new int[10];
        t[7] = 3;
        Throws<ArgumentOutOfRangeException>(() => Tensor.CrossEntropy(Tensor.Zeros(2, 3, 5), Tensor.FromArray(t, 2, 5)), "cross_entropy", "target 3", "at [1, 2]", "[0, 3)");
        Throws<ArgumentOutOfRangeException>(() => Tensor.NllLoss(Tensor.Zeros(3), Tensor.FromSpan<int>([4], [])), "nll_loss", "target 4", "[0, 3)");
        // The ignore index is not out of range (PyTorch's default, -100, marks padding); another negative is.
        Assert.That(Tensor.CrossEntropy(Tensor.Zeros(2, 3), Tensor.FromArray([-100, 1])).Item(), Is.EqualTo(Math.Log(3)).Within(1e-6));
        Throws<ArgumentOutOfRangeException>(() => Tensor.CrossEntropy(Tensor.Zeros(2, 3), Tensor.FromArray([-100, 1]), ignoreIndex: 0),
            "target -100", "row 0", "ignore_index (0)");
    }

    [Test]
    public void ExpandToAnIncompatibleShape()
    {
        var x = Tensor.Zeros(2, 3);
        Throws<ArgumentException>(() => x.Expand(4, 3), "expand", "[2, 3]", "[4, 3]", "dim 0: 2 vs 4");
        Throws<ArgumentException>(() => x.Expand(3), "expand", "[3]", "lower rank");
        Throws<ArgumentException>(() => Tensor.Zeros(1, 3).Expand(-2, 3), "expand", "[-2, 3]", "negative");
    }

    [Test]
    public void OtherMalformedArguments()
    {
        Throws<ArgumentException>(() => Tensor.FromArray([1.0, 2.0, 3.0], 2, 2), "FromArray", "3 values", "[2, 2]");
        Throws<ArgumentException>(() => Tensor.Zeros(2, -1), "negative dimension", "[2, -1]");
        Throws<InvalidOperationException>(() => Tensor.Zeros(2).Item(), "Item()", "[2]");
        Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Permute(0, 0), "permute", "not a permutation");
        Throws<ArgumentException>(() => Tensor.Concat([Tensor.Zeros(2, 3), Tensor.Zeros(3, 3)], 1), "concat", "[2, 3]", "[3, 3]");
        Throws<ArgumentException>(() => Tensor.Stack([Tensor.Zeros(2), Tensor.Zeros(3)]), "stack", "[2]", "[3]");
        Throws<ArgumentException>(() => Tensor.Zeros(2).Pad([1]), "pad", "pairs");
        Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Pad([-2, -2]), "pad", "axis 1 of size 3", "negative size");
        Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Pad([-4, 5]), "pad", "axis 1 of size 3", "lose 4");
        Throws<InvalidOperationException>(() => Tensor.Zeros(2, 0).Max(1), "max", "axis 1 of size 0", "[2, 0]");
        Throws<InvalidOperationException>(() => Tensor.Zeros(0, 3).Min(), "min", "axis 0 of size 0");
        Throws<InvalidOperationException>(() => Tensor.Zeros(2, 0).ArgMax(1), "argmax", "axis 1", "size 0");
        Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Index(0, 1, 2), "index", "3 entries", "rank 2");
        Throws<ArgumentException>(() => Pade.Engine.Functional.F.Softplus(Tensor.FromArray([1, 2])), "softplus", "int32");
    }

    /// <summary>A backend with no kernels, on a device that exists only in this test.</summary>
    private sealed class FakeBackend : Backend
    {
        public static readonly Device Elsewhere = new((DeviceType)77, 3);
        public static readonly FakeBackend Instance = new();

        private sealed class FakeStorage(DType dtype, long length) : Storage(dtype, length)
        {
            public override Device Device => Elsewhere;
            protected override void Release() { }
        }

        public override Device Device => Elsewhere;
        public override Storage Allocate(DType dtype, long length, bool zero) => new FakeStorage(dtype, length);
        private static Exception None() => new NotSupportedException("fake backend");
        public override void Fill(Tensor y, double value) => throw None();
        public override void Copy(Tensor x, Tensor y) => throw None();
        public override void Unary(UnaryOp op, Tensor x, Tensor y, double alpha = 0, double beta = 0) => throw None();
        public override void UnaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, double alpha = 0, double beta = 0) => throw None();
        public override void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y) => throw None();
        public override void Where(Tensor cond, Tensor a, Tensor b, Tensor y) => throw None();
        public override void Reduce(ReduceOp op, Tensor x, int[] axes, Tensor y) => throw None();
        public override void ArgMax(Tensor x, int axis, Tensor y) => throw None();
        public override void Scan(ReduceOp op, Tensor x, int axis, Tensor y, bool reverse, bool exclusive) => throw None();
        public override void MatMul(Tensor a, Tensor b, Tensor c, bool transA, bool transB, double beta = 0) => throw None();
        public override void Random(Tensor y, Distribution d, ulong seed, ulong offset, double p1, double p2) => throw None();
        public override void Softmax(Tensor x, Tensor y, bool log) => throw None();
        public override void CrossEntropy(Tensor logits, Tensor targets, double smoothing, Tensor loss, Tensor probs) => throw None();
        public override void OneHot(Tensor indices, Tensor y, double on, double off) => throw None();
        public override void ToHost<T>(Tensor x, Span<T> dst) => throw None();
        public override void FromHost<T>(ReadOnlySpan<T> src, Tensor y) => throw None();
    }
}
