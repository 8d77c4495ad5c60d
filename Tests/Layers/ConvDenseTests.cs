using Pade.Engine.Functional;
using NUnit.Framework;
using Pade.Engine;

namespace Pade.Tests.Layers;

/// <summary>A convolution whose window covers the whole unpadded image (LeNet's conv3) runs as one batch-wide
/// GEMM (Engine/Cpu/CpuConvDense.cs): checked against the naive reference, forward and every gradient, in float64
/// and float32, with and without bias, at any stride (the output is 1x1 whatever the stride).</summary>
public class ConvDenseTests
{
    private static Tensor Rand(int[] shape, ulong seed) => Tensor.Rand(shape, -1, 1, DType.Float64, generator: new Generator(seed));

    [FsCheck.NUnit.Property(MaxTest = 25)]
    public void WholeImageWindowMatchesNaive(int a, int b, bool float32, bool withBias)
    {
        var r = new Naive.Picker(a, b);
        int n = r.Next(1, 9), c = r.Next(1, 6), k = r.Next(1, 70), h = r.Next(1, 6), w = r.Next(1, 6), s = r.Next(1, 3);
        int[] xs = [n, c, h, w], ws = [k, c, h, w];
        var x = Rand(xs, 31); var wt0 = Rand(ws, 32); var bias = Rand([k], 33);
        var zero = new double[k];
        var expected = Naive.Conv2d(x.ToArray<double>(), xs, wt0.ToArray<double>(), ws, withBias ? bias.ToArray<double>() : zero,
            s, 0, 1, 1, out var ys);
        Assert.That(ys, Is.EqualTo(new[] { n, k, 1, 1 }));
        var up = Rand(ys, 34);
        var (edx, edw, _) = Naive.Conv2dBackward(x.ToArray<double>(), xs, wt0.ToArray<double>(), ws, up.ToArray<double>(), s, 0, 1, 1);

        DType dt = float32 ? DType.Float32 : DType.Float64;
        double tol = float32 ? 2e-4 : 1e-11;
        var xt = x.To(dt).Clone(); xt.RequiresGrad = true;
        var wt = wt0.To(dt).Clone(); wt.RequiresGrad = true;
        var bt = withBias ? bias.To(dt).Clone() : null;
        var y = F.Conv2d(xt, wt, bt, s, 0, 1, 1);
        string what = $"{dt} x={string.Join("x", xs)} w={string.Join("x", ws)} stride {s} bias {withBias}";
        Naive.AssertClose(y.To(DType.Float64).ToArray<double>(), expected, tol, what + " forward");
        (y * up.To(dt)).Sum().Backward();
        Naive.AssertClose(xt.Grad!.To(DType.Float64).ToArray<double>(), edx, tol, what + " dx");
        Naive.AssertClose(wt.Grad!.To(DType.Float64).ToArray<double>(), edw, tol, what + " dw");
    }
}
