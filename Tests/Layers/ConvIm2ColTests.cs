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
                var xt = x.Clone(); xt.RequiresGrad = true;
                var wt = wt0.Clone(); wt.RequiresGrad = true;
                var y = F.Conv2d(xt, wt, null, stride, pad, dil, groups);
                string what = $"{(table ? "table" : "slices")} x={string.Join("x", xs)} w={string.Join("x", ws)} s={stride} p={pad} d={dil} g={groups}";
                Naive.AssertClose(y.ToArray<double>(), expected, 1e-11, what + " forward");
                (y * up).Sum().Backward();
                Naive.AssertClose(xt.Grad!.ToArray<double>(), edx, 1e-11, what + " dx");
                Naive.AssertClose(wt.Grad!.ToArray<double>(), edw, 1e-11, what + " dw");
            }
        }
        finally
        {
            CpuBackend.Im2ColTable = savedTable;
            CpuBackend.DirectConvolution = savedDirect;
        }
    }
}
