using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Tests.Layers;

/// <summary>The table-driven im2col/col2im (CpuIm2ColTable.cs) and the row-slice loops of CpuConv.cs, each against
/// the naive reference, on random strides, padding, dilation and groups (the direct path switched off, so every
/// case goes through im2col and the GEMM).</summary>
[NonParallelizable]
public class ConvIm2ColTests
{
    private static Tensor Rand(int[] shape, ulong seed) => Tensor.Rand(shape, -1, 1, DType.Float64, generator: new Generator(seed));

    /// <summary>conv2d(x, w) and its gradients under the current switches against the naive results.</summary>
    private static void CheckAgainstNaive(Tensor x, Tensor w0, Tensor up, Size2 stride, Size2 pad, Size2 dil, int groups,
        double[] expected, double[] edx, double[] edw, string what)
    {
        var xt = x.Clone(); xt.RequiresGrad = true;
        var wt = w0.Clone(); wt.RequiresGrad = true;
        var y = F.Conv2d(xt, wt, null, stride, pad, dil, groups);
        Naive.AssertClose(y.ToArray<double>(), expected, 1e-11, what + " forward");
        (y * up).Sum().Backward();
        Naive.AssertClose(xt.Grad!.ToArray<double>(), edx, 1e-11, what + " dx");
        Naive.AssertClose(wt.Grad!.ToArray<double>(), edw, 1e-11, what + " dw");
    }

    /// <summary>Layers whose weights outweigh the batch's columns (K/G > N·OH·OW) run as one chunk, the others'
    /// cap of two chunks off and on: both against the naive reference, strided, grouped and with padding.</summary>
    [TestCase(4, 6, 70, 4, 4, 1, 1, 1)]
    [TestCase(5, 3, 50, 6, 5, 2, 1, 1)]
    [TestCase(6, 4, 120, 4, 4, 2, 1, 2)]
    public void WeightHeavyLayersMatchNaiveInOneChunkOrTwo(int n, int c, int k, int h, int w, int stride, int pad, int groups)
    {
        int[] xs = [n, c * groups, h, w], ws = [k, c, 3, 3];
        var x = Rand(xs, 44); var wt0 = Rand(ws, 45);
        var expected = Naive.Conv2d(x.ToArray<double>(), xs, wt0.ToArray<double>(), ws, null, new Size2(stride, stride), new Size2(pad, pad), new Size2(1, 1), groups, out var ys);
        Assert.That(k / groups, Is.GreaterThan(n * ys[2] * ys[3]), "the case must be weight-heavy");
        var up = Rand(ys, 46);
        var (edx, edw, _) = Naive.Conv2dBackward(x.ToArray<double>(), xs, wt0.ToArray<double>(), ws, up.ToArray<double>(), new Size2(stride, stride), new Size2(pad, pad), new Size2(1, 1), groups);
        bool savedDirect = CpuBackend.DirectConvolution, savedOne = CpuBackend.WeightHeavyOneChunk;
        try
        {
            CpuBackend.DirectConvolution = false;
            foreach (bool one in new[] { true, false })
            {
                CpuBackend.WeightHeavyOneChunk = one;
                CheckAgainstNaive(x, wt0, up, new Size2(stride, stride), new Size2(pad, pad), new Size2(1, 1), groups, expected, edx, edw,
                    $"{(one ? "one chunk" : "two chunks")} x={string.Join("x", xs)} w={string.Join("x", ws)} s={stride} p={pad} g={groups}");
            }
        }
        finally
        {
            CpuBackend.DirectConvolution = savedDirect;
            CpuBackend.WeightHeavyOneChunk = savedOne;
        }
    }

    [FsCheck.NUnit.Property(MaxTest = 30)]
    public void TableAndSlicePathsMatchNaive(int a, int b, int c, int d)
    {
        var r = new Naive.Picker(a, b, c, d);
        int groups = r.Next(1, 3), cg = r.Next(1, 4), kg = r.Next(1, 5);
        int kh = r.Next(1, 4), kw = r.Next(1, 4);
        var stride = new Size2(r.Next(1, 3), r.Next(1, 3));
        var dil = new Size2(r.Next(1, 2), r.Next(1, 2));
        var pad = new Size2(r.Next(0, kh - 1), r.Next(0, kw - 1));
        int h = r.Next(dil.H * (kh - 1) + 1, 12), w = r.Next(dil.W * (kw - 1) + 1, 40);   // output widths on both sides of 16
        int n = r.Next(1, 5);
        int[] xs = [n, cg * groups, h, w], ws = [kg * groups, cg, kh, kw];
        var x = Rand(xs, 41); var wt0 = Rand(ws, 42);
        var expected = Naive.Conv2d(x.ToArray<double>(), xs, wt0.ToArray<double>(), ws, null, stride, pad, dil, groups, out var ys);
        var up = Rand(ys, 43);
        var (edx, edw, _) = Naive.Conv2dBackward(x.ToArray<double>(), xs, wt0.ToArray<double>(), ws, up.ToArray<double>(), stride, pad, dil, groups);
        bool savedTable = CpuBackend.Im2ColTable, savedDirect = CpuBackend.DirectConvolution;
        try
        {
            CpuBackend.DirectConvolution = false;
            foreach (bool table in new[] { true, false })
            {
                CpuBackend.Im2ColTable = table;
                CheckAgainstNaive(x, wt0, up, stride, pad, dil, groups, expected, edx, edw,
                    $"{(table ? "table" : "slices")} x={string.Join("x", xs)} w={string.Join("x", ws)} s={stride} p={pad} d={dil} g={groups}");
            }
        }
        finally
        {
            CpuBackend.Im2ColTable = savedTable;
            CpuBackend.DirectConvolution = savedDirect;
        }
    }

    /// <summary>float32 images of at most 16 pixels with 16 output positions take the permute lanes
    /// (CpuBackend.Im2ColLanes): forward, input and weight gradients must be the table's bits, on ResNet's 4x4 3x3
    /// geometry, padding wider than the kernel's reach (a 2x2 image read by a 1x1 kernel through padding 1), dilation,
    /// stride 2 onto a 4x4 output, non-square images and groups; and close to the naive float64 reference.</summary>
    [TestCase(3, 5, 7, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1)]
    [TestCase(2, 3, 4, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1)]
    [TestCase(2, 4, 3, 4, 4, 3, 3, 1, 1, 2, 2, 1, 2)]
    [TestCase(1, 2, 5, 8, 2, 3, 3, 1, 1, 1, 1, 1, 1)]
    [TestCase(2, 3, 6, 2, 8, 3, 3, 1, 1, 1, 1, 1, 1)]
    [TestCase(2, 4, 6, 3, 3, 2, 2, 1, 1, 1, 1, 2, 1)]
    [TestCase(1, 3, 4, 4, 4, 5, 5, 1, 1, 2, 2, 1, 1)]
    public void PermuteLanesGiveTheTableBits(int n, int c, int k, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int groups, int d)
    {
        int[] xs = [n, c * groups, h, w], ws = [k * groups, c, kh, kw];
        var x = Rand(xs, 51); var wt0 = Rand(ws, 52);
        var stride = new Size2(sh, sw); var pad = new Size2(ph, pw); var dil = new Size2(d, d);
        var expected = Naive.Conv2d(x.ToArray<double>(), xs, wt0.ToArray<double>(), ws, null, stride, pad, dil, groups, out var ys);
        Assert.That(ys[2] * ys[3], Is.EqualTo(16), "the case must have 16 output positions");
        var up = Rand(ys, 53);
        (float[] Y, float[] Dx, float[] Dw) Run(bool lanes)
        {
            bool savedLanes = CpuBackend.Im2ColLanes, savedDirect = CpuBackend.DirectConvolution, savedDense = CpuBackend.DenseConvolution;
            try
            {
                CpuBackend.Im2ColLanes = lanes;
                CpuBackend.DirectConvolution = false;
                CpuBackend.DenseConvolution = false;
                var xt = x.To(DType.Float32).Clone(); xt.RequiresGrad = true;
                var wt = wt0.To(DType.Float32).Clone(); wt.RequiresGrad = true;
                var y = F.Conv2d(xt, wt, null, stride, pad, dil, groups);
                (y * up.To(DType.Float32)).Sum().Backward();
                return (y.ToArray<float>(), xt.Grad!.ToArray<float>(), wt.Grad!.ToArray<float>());
            }
            finally
            {
                CpuBackend.Im2ColLanes = savedLanes;
                CpuBackend.DirectConvolution = savedDirect;
                CpuBackend.DenseConvolution = savedDense;
            }
        }
        var table = Run(false);
        var lanes = Run(true);
        string what = $"x={string.Join("x", xs)} w={string.Join("x", ws)} s={stride} p={pad} d={d} g={groups}";
        Assert.That(lanes.Y, Is.EqualTo(table.Y), what + " forward");
        Assert.That(lanes.Dx, Is.EqualTo(table.Dx), what + " dx");
        Assert.That(lanes.Dw, Is.EqualTo(table.Dw), what + " dw");
        Naive.AssertClose(lanes.Y.Select(v => (double)v).ToArray(), expected, 1e-4, what + " forward against float64");
    }
}
