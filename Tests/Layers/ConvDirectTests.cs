using Pade.Engine.Functional;
using NUnit.Framework;
using Pade.Engine;

namespace Pade.Tests.Layers;

/// <summary>The direct (shifted-row) convolution of Engine/Cpu/CpuConvDirect.cs, taken for unit stride and few
/// output channels, against the naive reference and against the im2col + GEMM path, in float64 and float32.</summary>
public class ConvDirectTests
{
    /// <summary>A random configuration in the direct path's range: stride 1, up to 20 output channels per group
    /// (more than one 8-row block) and up to 12 input channels (so the input gradient takes the direct path too where
    /// the padded dy is small enough), images at least twice the dilated kernel wide (so Wp ≤ 2·OW).</summary>
    private static (int[] Xs, int[] Ws, Size2 P, Size2 D, int G) Config(int a, int b, int c, int d)
    {
        var r = new Naive.Picker(a, b, c, d);
        int groups = r.Next(1, 2), cg = r.Next(1, 12), kg = r.Next(1, 20);
        int kh = r.Next(1, 5), kw = r.Next(1, 5);
        var dil = new Size2(r.Next(1, 2), r.Next(1, 2));
        int effH = dil.H * (kh - 1) + 1, effW = dil.W * (kw - 1) + 1;
        var p = new Size2(r.Next(0, Math.Min(2, kh - 1)), r.Next(0, Math.Min(2, kw - 1)));
        int h = r.Next(effH, effH + 12), w = r.Next(2 * effW + 2, 2 * effW + 14);
        int n = r.Next(1, 5);
        return ([n, cg * groups, h, w], [kg * groups, cg, kh, kw], p, dil, groups);
    }

    private static Tensor Rand(int[] shape, ulong seed) => Tensor.Rand(shape, -1, 1, DType.Float64, generator: new Generator(seed));

    [FsCheck.NUnit.Property(MaxTest = 30)]
    public void DirectPathMatchesNaive(int a, int b, int c, int d, bool float32)
    {
        var (xs, ws, p, dil, g) = Config(a, b, c, d);
        var x = Rand(xs, 21); var w = Rand(ws, 22); var bias = Rand([ws[0]], 23);
        var expected = Naive.Conv2d(x.ToArray<double>(), xs, w.ToArray<double>(), ws, bias.ToArray<double>(), 1, p, dil, g, out var ys);
        var up = Rand(ys, 24);
        var (edx, edw, edb) = Naive.Conv2dBackward(x.ToArray<double>(), xs, w.ToArray<double>(), ws, up.ToArray<double>(), 1, p, dil, g);
        double tol = float32 ? 2e-4 : 1e-11;
        DType dt = float32 ? DType.Float32 : DType.Float64;
        foreach (bool direct in new[] { true, false })
        {
            bool saved = CpuBackend.DirectConvolution;
            CpuBackend.DirectConvolution = direct;
            try
            {
                var xt = x.To(dt).Clone(); xt.RequiresGrad = true;
                var wt = w.To(dt).Clone(); wt.RequiresGrad = true;
                var bt = bias.To(dt).Clone(); bt.RequiresGrad = true;
                var y = F.Conv2d(xt, wt, bt, 1, p, dil, g);
                Assert.That(y.ShapeCopy(), Is.EqualTo(ys));
                string what = $"{(direct ? "direct" : "gemm")} {dt} x={string.Join("x", xs)} w={string.Join("x", ws)} p={p} d={dil} g={g}";
                Naive.AssertClose(y.To(DType.Float64).ToArray<double>(), expected, tol, what + " forward");
                (y * up.To(dt)).Sum().Backward();
                Naive.AssertClose(xt.Grad!.To(DType.Float64).ToArray<double>(), edx, tol, what + " dx");
                Naive.AssertClose(wt.Grad!.To(DType.Float64).ToArray<double>(), edw, tol, what + " dw");
                Naive.AssertClose(bt.Grad!.To(DType.Float64).ToArray<double>(), edb, tol, what + " db");
            }
            finally { CpuBackend.DirectConvolution = saved; }
        }
    }

    [Test]
    public void LeNetShapesMatchGemmPath([Values(false, true)] bool float32)
    {
        DType dt = float32 ? DType.Float32 : DType.Float64;
        // LeNet's two layers, and 8→4 on 20x20 whose input gradient takes the direct path.
        foreach (var (c, k, h) in new[] { (1, 6, 32), (6, 16, 14), (8, 4, 20) })
        {
            var x = Rand([3, c, h, h], 31).To(dt); var w = Rand([k, c, 5, 5], 32).To(dt); var b = Rand([k], 33).To(dt);
            var gm = F.Conv2dShape("c", x, w, b, 1, 0, 1, 1);
            var dy = Rand([3, k, gm.OH, gm.OW], 34).To(dt);
            double[][] Run(bool direct)
            {
                bool saved = CpuBackend.DirectConvolution;
                CpuBackend.DirectConvolution = direct;
                try
                {
                    var y = Tensor.Empty([3, k, gm.OH, gm.OW], dt); var dx = x.EmptyLike(); var dw = w.EmptyLike();
                    x.Backend.Conv2d(x, w, b, y, gm);
                    x.Backend.Conv2dBackward(x, w, dy, dx, dw, null, gm);
                    return [y.To(DType.Float64).ToArray<double>(), dx.To(DType.Float64).ToArray<double>(), dw.To(DType.Float64).ToArray<double>()];
                }
                finally { CpuBackend.DirectConvolution = saved; }
            }
            var direct = Run(true); var gemm = Run(false);
            double tol = float32 ? 1e-4 : 1e-12;
            for (int i = 0; i < 3; i++) Naive.AssertClose(direct[i], gemm[i], tol, $"{c}->{k} output {i}");
        }
    }
}
