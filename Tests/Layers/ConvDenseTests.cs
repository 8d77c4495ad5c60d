using Pade.Engine.Functional;
using NUnit.Framework;
using Pade.Engine;
using ConvPath = Pade.Engine.CpuBackend.ConvPath;

namespace Pade.Tests.Layers;

/// <summary>A convolution whose image is no larger than its kernel runs as one batch-wide GEMM with the
/// convolution's dense matrix (Engine/Cpu/CpuConvDense.cs): LeNet's conv3 (the window is the whole image), VGG-8's
/// 3x3 layers on 2x2 images, and any stride, padding and dilation. Checked against the naive reference, forward and
/// every gradient, in float64 and float32, with and without bias.</summary>
[NonParallelizable]
public class ConvDenseTests
{
    private static Tensor Rand(int[] shape, ulong seed) => Tensor.Rand(shape, -1, 1, DType.Float64, generator: new Generator(seed));

    private static void MatchesNaive(int[] xs, int[] ws, Size2 s, Size2 p, Size2 d, bool float32, bool withBias)
    {
        int k = ws[0];
        var x = Rand(xs, 31); var wt0 = Rand(ws, 32); var bias = Rand([k], 33);
        var expected = Naive.Conv2d(x.ToArray<double>(), xs, wt0.ToArray<double>(), ws, withBias ? bias.ToArray<double>() : new double[k],
            s, p, d, 1, out var ys);
        var g = F.Conv2dShape("c", x, wt0, null, s, p, d, 1);
        Assert.That(CpuBackend.ConvPaths(g, false, true, null).Forward, Is.EqualTo(ConvPath.Dense), "the case must take the dense path");
        var up = Rand(ys, 34);
        var (edx, edw, _) = Naive.Conv2dBackward(x.ToArray<double>(), xs, wt0.ToArray<double>(), ws, up.ToArray<double>(), s, p, d, 1);

        DType dt = float32 ? DType.Float32 : DType.Float64;
        double tol = float32 ? 2e-4 : 1e-11;
        // The direct kernels off: with few output channels they would take these shapes first.
        ConvSwitches.With(new ConvSwitchSet(false, true, false), () =>
        {
            var xt = x.To(dt).Clone(); xt.RequiresGrad = true;
            var wt = wt0.To(dt).Clone(); wt.RequiresGrad = true;
            var bt = withBias ? bias.To(dt).Clone() : null;
            var y = F.Conv2d(xt, wt, bt, s, p, d, 1);
            string what = $"{dt} x={string.Join("x", xs)} w={string.Join("x", ws)} s={s} p={p} d={d} bias {withBias}";
            Naive.AssertClose(y.To(DType.Float64).ToArray<double>(), expected, tol, what + " forward");
            (y * up.To(dt)).Sum().Backward();
            Naive.AssertClose(xt.Grad!.To(DType.Float64).ToArray<double>(), edx, tol, what + " dx");
            Naive.AssertClose(wt.Grad!.To(DType.Float64).ToArray<double>(), edw, tol, what + " dw");
        });
    }

    /// <summary>LeNet's conv3 family: the window is the whole unpadded image, output 1x1 at any stride.</summary>
    [FsCheck.NUnit.Property(MaxTest = 20)]
    public void WholeImageWindowMatchesNaive(int a, int b, bool float32, bool withBias)
    {
        var r = new Naive.Picker(a, b);
        // At least two output channels: one channel in and out is a depthwise convolution (its own path).
        int n = r.Next(1, 9), c = r.Next(1, 6), k = r.Next(2, 70), h = r.Next(1, 6), w = r.Next(1, 6), s = r.Next(1, 3);
        MatchesNaive([n, c, h, w], [k, c, h, w], s, 0, 1, float32, withBias);
    }

    /// <summary>Images no larger than the kernel with padding (up to past the kernel's reach), stride and dilation.</summary>
    [FsCheck.NUnit.Property(MaxTest = 25)]
    public void SmallImageMatchesNaive(int a, int b, bool float32, bool withBias)
    {
        var r = new Naive.Picker(a, b, 7);
        // At least two input channels: one channel and one output channel is a depthwise convolution (its own path).
        int n = r.Next(1, 5), c = r.Next(2, 5), k = r.Next(1, 9), kh = r.Next(1, 4), kw = r.Next(1, 4);
        int dh = r.Next(1, 2), dw = r.Next(1, 2), ph = r.Next(0, dh * (kh - 1) + 1), pw = r.Next(0, dw * (kw - 1) + 1);
        int h = Math.Max(r.Next(1, kh), dh * (kh - 1) + 1 - 2 * ph), w = Math.Max(r.Next(1, kw), dw * (kw - 1) + 1 - 2 * pw);
        if (h * w > kh * kw) (h, w) = (Math.Min(h, kh), Math.Min(w, kw));
        if (h < dh * (kh - 1) + 1 - 2 * ph || w < dw * (kw - 1) + 1 - 2 * pw) return;   // no output: not this test's case
        MatchesNaive([n, c, h, w], [k, c, kh, kw], (r.Next(1, 2), r.Next(1, 2)), (ph, pw), (dh, dw), float32, withBias);
    }

    /// <summary>VGG-8's last layers: 3x3, padding 1, on 2x2 images, at real channel counts.</summary>
    [TestCase(false)]
    [TestCase(true)]
    public void VggTwoByTwoLayerMatchesNaive(bool float32) => MatchesNaive([3, 48, 2, 2], [80, 48, 3, 3], 1, 1, 1, float32, true);
}
