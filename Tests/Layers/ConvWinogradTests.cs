using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Cpu;
using Pade.Engine.Functional;
using ConvPath = Pade.Engine.CpuBackend.ConvPath;

namespace Pade.Tests.Layers;

/// <summary>The Winograd F(2x2, 3x3) path (CpuConvWinograd.cs) at the channel counts it takes by default: against
/// the naive reference in float64 (several chunks, odd outputs, padding wider than the kernel's reach), its float32
/// error against the float64 result next to the im2col path's, and the same bits at every thread count. The edge
/// geometries with few channels run in ConvEdgeTests and ConvTests (the generators aim at every path).</summary>
[NonParallelizable]
public class ConvWinogradTests
{
    private static Tensor Rand(int[] shape, ulong seed) => Tensor.Rand(shape, -1, 1, DType.Float64, generator: new Generator(seed));

    private static readonly ConvSwitchSet Winograd = new(false, true, true), Im2Col = new(false, false, false);

    /// <summary>y, dx, dw, db of conv2d(x, w, b) under the given switches.</summary>
    private static double[][] Run(ConvSwitchSet s, Tensor x0, Tensor w0, Tensor b0, Tensor up, int pad, DType dt)
    {
        double[][] result = [];
        ConvSwitches.With(s, () =>
        {
            var x = x0.To(dt).Clone(); x.RequiresGrad = true;
            var w = w0.To(dt).Clone(); w.RequiresGrad = true;
            var b = b0.To(dt).Clone(); b.RequiresGrad = true;
            var y = F.Conv2d(x, w, b, 1, pad);
            (y * up.To(dt)).Sum().Backward();
            result = [y.To(DType.Float64).ToArray<double>(), x.Grad!.To(DType.Float64).ToArray<double>(),
                w.Grad!.To(DType.Float64).ToArray<double>(), b.Grad!.To(DType.Float64).ToArray<double>()];
        });
        return result;
    }

    /// <summary>The forward path of a 3x3 unit-stride convolution under the switches, with the default floor
    /// unless <paramref name="anyFloor"/> (as <see cref="ConvSwitches"/> sets it).</summary>
    private static ConvPath ForwardPath(int n, int c, int k, int h, int w, int pad, ConvSwitchSet s, bool anyFloor = false) =>
        CpuBackend.ConvPaths(new Conv2dGeometry(n, c, h, w, k, 3, 3, 1, 1, pad, pad, 1, 1, 1, h + 2 * pad - 2, w + 2 * pad - 2),
            s.Direct, s.Table, s.Winograd ? anyFloor ? ConvSwitches.AnyWinograd : CpuBackend.WinogradMinimum : null).Forward;

    /// <summary>Shapes with the default channel floor: one chunk, several chunks (a 40x40 image is a chunk per
    /// sample), odd outputs (a half tile at the right and bottom), padding 0 and padding 3 (past the kernel).</summary>
    [TestCase(3, 16, 17, 8, 8, 1)]
    [TestCase(3, 16, 16, 40, 40, 1)]
    [TestCase(5, 16, 17, 36, 36, 1)]
    [TestCase(4, 16, 16, 24, 23, 1)]
    [TestCase(2, 17, 16, 7, 9, 0)]
    [TestCase(2, 16, 18, 5, 6, 3)]
    [TestCase(1, 20, 16, 4, 3, 2)]
    public void MatchesNaiveInFloat64(int n, int c, int k, int h, int w, int pad)
    {
        Assert.That(ForwardPath(n, c, k, h, w, pad, Winograd, anyFloor: true), Is.EqualTo(ConvPath.Winograd), "the case must take the Winograd path");
        int[] xs = [n, c, h, w], ws = [k, c, 3, 3];
        var x = Rand(xs, 1); var wt = Rand(ws, 2); var b = Rand([k], 3);
        var expected = Naive.Conv2d(x.ToArray<double>(), xs, wt.ToArray<double>(), ws, b.ToArray<double>(), 1, pad, 1, 1, out var ys);
        var up = Rand(ys, 4);
        var (edx, edw, edb) = Naive.Conv2dBackward(x.ToArray<double>(), xs, wt.ToArray<double>(), ws, up.ToArray<double>(), 1, pad, 1, 1);
        var got = Run(Winograd, x, wt, b, up, pad, DType.Float64);
        string what = $"winograd x={Shapes.Format(xs)} w={Shapes.Format(ws)} p={pad}";
        Naive.AssertClose(got[0], expected, 1e-12, what + " forward");
        Naive.AssertClose(got[1], edx, 1e-12, what + " dx");
        Naive.AssertClose(got[2], edw, 1e-12, what + " dw");
        Naive.AssertClose(got[3], edb, 1e-12, what + " db");
    }

    /// <summary>The float32 error of each output against the float64 result, relative to the largest magnitude,
    /// for Winograd and for im2col + GEMM on a ResNet-like layer (random data in [−1, 1]). Winograd's transforms add
    /// a few roundings per element; the bound asks it to stay within 4 times the direct sum's error and below 1e-5,
    /// which the float32 tests (tolerance 1e-4 and more) never notice. The measured errors are printed.</summary>
    [Test]
    public void Float32ErrorStaysNearTheDirectSum()
    {
        int[] xs = [4, 64, 8, 8], ws = [64, 64, 3, 3];
        var x = Rand(xs, 5); var w = Rand(ws, 6); var b = Rand([64], 7); var up = Rand([4, 64, 8, 8], 8);
        var exact = Run(Im2Col, x, w, b, up, 1, DType.Float64);
        var wino = Run(Winograd, x, w, b, up, 1, DType.Float32);
        var gemm = Run(Im2Col, x, w, b, up, 1, DType.Float32);
        string[] names = ["y", "dx", "dw", "db"];
        for (int i = 0; i < 4; i++)
        {
            double scale = exact[i].Max(Math.Abs), ew = 0, eg = 0;
            for (int j = 0; j < exact[i].Length; j++)
            {
                ew = Math.Max(ew, Math.Abs(wino[i][j] - exact[i][j]) / scale);
                eg = Math.Max(eg, Math.Abs(gemm[i][j] - exact[i][j]) / scale);
            }
            TestContext.Out.WriteLine($"{names[i]}: float32 max error / max |value|: winograd {ew:E2}, im2col {eg:E2}");
            Assert.That(ew, Is.LessThan(1e-5), $"{names[i]}: Winograd float32 error");
            Assert.That(ew, Is.LessThanOrEqualTo(4 * eg + 1e-7), $"{names[i]}: Winograd float32 error {ew:E2} against im2col's {eg:E2}");
        }
    }

    /// <summary>The chunking and the parts of dU depend on the shapes only and each sums in order: the same bits at
    /// 1 and 2 threads (float32; two chunks in two parts, four in four, five in four: a part of two, and parts that
    /// do not divide over two threads, which then run one after the other; and one chunk of 132 output channels).</summary>
    [TestCase(3, 16, 30)]
    [TestCase(8, 16, 30)]
    [TestCase(10, 16, 30)]
    [TestCase(2, 132, 8)]
    public void ThreadCountDoesNotChangeTheBits(int n, int k, int size)
    {
        var x = Rand([n, 16, size, size], 9); var w = Rand([k, 16, 3, 3], 10); var b = Rand([k], 11); var up = Rand([n, k, size, size], 12);
        int saved = CpuParallel.Threads;
        try
        {
            CpuParallel.Threads = 1;
            var one = Run(Winograd, x, w, b, up, 1, DType.Float32);
            CpuParallel.Threads = 2;
            var two = Run(Winograd, x, w, b, up, 1, DType.Float32);
            for (int i = 0; i < 4; i++) Assert.That(two[i], Is.EqualTo(one[i]), $"output {i}");
        }
        finally { CpuParallel.Threads = saved; }
    }

    /// <summary>The forward's U kept for the input gradient (CpuBackend.KeepWinogradWeights) gives the same bits as
    /// transforming w again, also for a second backward through the retained graph (U must outlive the first) and
    /// with ops between the forward and the backward that take buffers from the pool.</summary>
    [Test]
    public void KeptWeightsGiveTheBitsOfTransformingThemAgain()
    {
        var x0 = Rand([2, 16, 9, 7], 13).To(DType.Float32); var w0 = Rand([20, 16, 3, 3], 14).To(DType.Float32);
        var up = Rand([2, 20, 9, 7], 15).To(DType.Float32);
        float[][] Grads(bool keep)
        {
            bool saved = CpuBackend.KeepWinogradWeights;
            CpuBackend.KeepWinogradWeights = keep;
            float[][] result = [];
            try
            {
                ConvSwitches.With(Winograd, () =>
                {
                    var x = x0.Clone(); x.RequiresGrad = true;
                    var w = w0.Clone(); w.RequiresGrad = true;
                    var loss = (F.Conv2d(x, w, null, 1, 1) * up).Sum();
                    for (int i = 0; i < 4; i++) _ = Tensor.Randn([16 * 4096]) + 1;   // pool traffic between the passes
                    loss.Backward(retainGraph: true);
                    var dx1 = x.Grad!.ToArray<float>(); var dw1 = w.Grad!.ToArray<float>();
                    x.Grad = null; w.Grad = null;
                    loss.Backward();
                    result = [dx1, dw1, x.Grad!.ToArray<float>(), w.Grad!.ToArray<float>()];
                });
            }
            finally { CpuBackend.KeepWinogradWeights = saved; }
            return result;
        }
        var kept = Grads(true); var again = Grads(false);
        Assert.That(kept[0], Is.EqualTo(again[0]), "dx, first backward");
        Assert.That(kept[1], Is.EqualTo(again[1]), "dw, first backward");
        Assert.That(kept[2], Is.EqualTo(again[0]), "dx, second backward through the retained graph");
        Assert.That(kept[3], Is.EqualTo(again[1]), "dw, second backward");
    }

    /// <summary>The vector transforms (WinogradLanes.cs, the row kernels, the split of a plane by permutes) give the
    /// scalar loops' bits, forward and both gradients, with channel counts that leave no tail of the eight-lane weight
    /// transform, a tail of one and of seven, output channels that leave a partial sliver, planes 4, 8 and 16 wide
    /// (the permuted split) with padding up to past the kernel's reach, and other widths; rows of two tiles take the
    /// per-tile loops of CpuConvWinogradTiles.cs with the lanes on, so those cases compare them with the row kernels'
    /// single-element path.</summary>
    [TestCase(2, 16, 5, 6, 6, 1)]
    [TestCase(1, 17, 3, 5, 7, 0)]
    [TestCase(3, 47, 20, 9, 8, 3)]
    [TestCase(2, 64, 33, 8, 8, 1)]
    [TestCase(3, 20, 9, 4, 4, 1)]
    [TestCase(2, 16, 5, 5, 6, 0)]
    [TestCase(2, 24, 16, 16, 16, 1)]
    [TestCase(1, 9, 8, 7, 16, 2)]
    [TestCase(2, 8, 8, 3, 8, 4)]
    public void LanesGiveTheBitsOfTheScalarTransforms(int n, int c, int k, int h, int w, int pad)
    {
        var x = Rand([n, c, h, w], 16); var wt = Rand([k, c, 3, 3], 17); var b = Rand([k], 18);
        var up = Rand([n, k, h + 2 * pad - 2, w + 2 * pad - 2], 19);
        var lanes = Run(Winograd, x, wt, b, up, pad, DType.Float32);
        double[][] scalar;
        try { WinogradLanes.Enabled = false; scalar = Run(Winograd, x, wt, b, up, pad, DType.Float32); }
        finally { WinogradLanes.Enabled = true; }
        string[] names = ["y", "dx", "dw", "db"];
        for (int i = 0; i < 4; i++) Assert.That(lanes[i], Is.EqualTo(scalar[i]), $"{names[i]} of x=[{n}, {c}, {h}, {w}] w=[{k}, {c}, 3, 3] p={pad}");
    }

    /// <summary>Which 3x3 layers take the path by default: ResNet's and VGG's wide ones with enough tiles; not VGG's
    /// first layer (one input channel), not ResNet's 512→512 4x4 at batch 8 (32 tiles), not those the direct path
    /// takes on AVX-512 machines (few channels on rows of 32), not strided or grouped ones.</summary>
    [Test]
    public void DefaultDispatch()
    {
        var on = new ConvSwitchSet(true, true, true);
        Assert.That(ForwardPath(8, 256, 256, 8, 8, 1, on), Is.EqualTo(ConvPath.Winograd));
        Assert.That(ForwardPath(8, 128, 128, 16, 16, 1, on), Is.EqualTo(ConvPath.Winograd));
        Assert.That(ForwardPath(64, 64, 128, 16, 16, 1, on), Is.EqualTo(ConvPath.Winograd));
        Assert.That(ForwardPath(64, 512, 512, 4, 4, 1, on), Is.EqualTo(ConvPath.Winograd));
        Assert.That(ForwardPath(8, 512, 512, 4, 4, 1, on), Is.Not.EqualTo(ConvPath.Winograd));
        Assert.That(ForwardPath(64, 512, 512, 2, 2, 1, on), Is.Not.EqualTo(ConvPath.Winograd));
        // Rows of 32 with few channels stay with the direct kernels on AVX-512; on AVX2 Winograd wins there too, and
        // from 64·64 channels on both (CpuConv.cs).
        Assert.That(ForwardPath(8, 64, 64, 32, 32, 1, on), Is.EqualTo(ConvPath.Winograd));
        Assert.That(ForwardPath(8, 128, 32, 32, 32, 1, on), Is.EqualTo(ConvPath.Winograd));
        Assert.That(ForwardPath(8, 32, 32, 32, 32, 1, on), Is.EqualTo(CpuIsa.Avx512 ? ConvPath.Direct : ConvPath.Winograd));
        Assert.That(ForwardPath(64, 1, 64, 32, 32, 1, on), Is.Not.EqualTo(ConvPath.Winograd));
        var strided = new Conv2dGeometry(8, 64, 16, 16, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1, 8, 8);
        Assert.That(CpuBackend.ConvPaths(strided, true, true, CpuBackend.WinogradMinimum).Forward, Is.Not.EqualTo(ConvPath.Winograd));
        var grouped = new Conv2dGeometry(8, 64, 16, 16, 64, 3, 3, 1, 1, 1, 1, 1, 1, 2, 16, 16);
        Assert.That(CpuBackend.ConvPaths(grouped, true, true, CpuBackend.WinogradMinimum).Forward, Is.Not.EqualTo(ConvPath.Winograd));
    }
}
