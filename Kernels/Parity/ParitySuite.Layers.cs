using Pade.Engine.Functional;
using Pade.Engine;
using static Pade.Kernels.Parity.ParityContext;

namespace Pade.Kernels.Parity;

/// <summary>Convolution, pooling and batch-norm kernels (cuda/conv.cu, pool.cu, batchnorm.cu) against the CPU's.</summary>
public static partial class ParitySuite
{
    private static Conv2dGeometry ConvGeometry(int n, int c, int h, int w, int k, int kh, int kw, int s, int p, int d, int groups) =>
        new(n, c, h, w, k, kh, kw, s, s, p, p, d, d, groups,
            (h + 2 * p - d * (kh - 1) - 1) / s + 1, (w + 2 * p - d * (kw - 1) - 1) / s + 1);

    private static Pool2dGeometry PoolGeometry(int n, int c, int h, int w, int k, int s, int p) =>
        new(n, c, h, w, k, k, s, s, p, p, (h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1);

    static partial void AddLayerCases(List<ParityCase> cases)
    {
        (string Label, Conv2dGeometry G, bool Bias)[] convs =
        [
            ("3x3 s1 p1 [3, 5, 9, 11] -> 7", ConvGeometry(3, 5, 9, 11, 7, 3, 3, 1, 1, 1, 1), true),
            ("3x2 s2 p1 groups 2 [2, 6, 10, 7] -> 4", ConvGeometry(2, 6, 10, 7, 4, 3, 2, 2, 1, 1, 2), false),
            ("3x3 dilation 2 p2 [2, 3, 8, 8] -> 5", ConvGeometry(2, 3, 8, 8, 5, 3, 3, 2, 2, 2, 1), true),
            ("depthwise 3x3 s2 p1 [3, 6, 9, 9]", ConvGeometry(3, 6, 9, 9, 6, 3, 3, 2, 1, 1, 6), true),
            ("pointwise 1x1 [4, 16, 5, 5] -> 33", ConvGeometry(4, 16, 5, 5, 33, 1, 1, 1, 0, 1, 1), true),
            ("5x5 LeNet-like [17, 1, 32, 32] -> 6", ConvGeometry(17, 1, 32, 32, 6, 5, 5, 1, 0, 1, 1), true),
        ];
        foreach (var (label, g, bias) in convs)
            foreach (var dtype in Floats)
                cases.Add(new($"conv2d {label} {Name(dtype)}", "Conv2d/Conv2dBackward", ctx =>
                {
                    var x = Rand([g.N, g.C, g.H, g.W], dtype, -1, 1, 200);
                    var w = Rand([g.K, g.CPerGroup, g.KH, g.KW], dtype, -1, 1, 201);
                    var b = bias ? Rand([g.K], dtype, -1, 1, 202) : null;
                    var dy = Rand([g.N, g.K, g.OH, g.OW], dtype, -1, 1, 203);
                    int[] ys = [g.N, g.K, g.OH, g.OW];
                    var (yc, dxc, dwc, dbc) = (CpuEmpty(ys, dtype), x.EmptyLike(), w.EmptyLike(), CpuEmpty([g.K], dtype));
                    var (yg, dxg, dwg, dbg) = (ctx.GpuPoisoned(ys, dtype), ctx.GpuPoisoned(x.ShapeCopy(), dtype), ctx.GpuPoisoned(w.ShapeCopy(), dtype), ctx.GpuPoisoned([g.K], dtype));
                    ctx.Cpu.Conv2d(x, w, b, yc, g);
                    ctx.Cpu.Conv2dBackward(x, w, dy, dxc, dwc, dbc, g);
                    var (xg, wgt) = (ToGpu(x), ToGpu(w));
                    ctx.Gpu.Conv2d(xg, wgt, b == null ? null : ToGpu(b), yg, g);
                    ctx.Gpu.Conv2dBackward(xg, wgt, ToGpu(dy), dxg, dwg, dbg, g);
                    double eps = Eps(dtype);
                    double terms = g.ColRows + 1, sums = (double)g.N * g.OH * g.OW;
                    return new ParityCheck($"Conv2d {Name(dtype)}", $"x {Shapes.Format(x.Shape)}, w {Shapes.Format(w.Shape)}, {g}")
                        .Compare("y", yc, yg, 4 * eps * terms, 8 * eps)
                        .Compare("dx", dxc, dxg, 4 * eps * g.K * g.KH * g.KW, 8 * eps)
                        .Compare("dw", dwc, dwg, 4 * eps * sums, 8 * eps)
                        .Compare("db", dbc, dbg, 4 * eps * sums, 8 * eps).Result();
                }));

        (string Label, Pool2dGeometry G)[] pools =
        [
            ("3x3 s2 p1 [2, 3, 9, 11]", PoolGeometry(2, 3, 9, 11, 3, 2, 1)),
            ("2x2 s2 [4, 5, 8, 8]", PoolGeometry(4, 5, 8, 8, 2, 2, 0)),
            ("3x3 s1 p1 [2, 2, 7, 7]", PoolGeometry(2, 2, 7, 7, 3, 1, 1)),
        ];
        foreach (var (label, g) in pools)
            foreach (var dtype in Floats)
            {
                cases.Add(new($"max_pool2d {label} {Name(dtype)}", "MaxPool2d/MaxPool2dBackward", ctx =>
                {
                    var x = RandCoarse([g.N, g.C, g.H, g.W], dtype, -2, 2, 210); // ties: the first maximum wins
                    int[] ys = [g.N, g.C, g.OH, g.OW];
                    var dy = Rand(ys, dtype, -1, 1, 211);
                    var (yc, ic, dxc) = (CpuEmpty(ys, dtype), CpuEmpty(ys, DType.Int32), x.EmptyLike());
                    var (yg, ig, dxg) = (ctx.GpuPoisoned(ys, dtype), ctx.GpuPoisoned(ys, DType.Int32), ctx.GpuPoisoned(x.ShapeCopy(), dtype));
                    ctx.Cpu.MaxPool2d(x, yc, ic, g);
                    ctx.Cpu.MaxPool2dBackward(dy, ic, dxc, g);
                    ctx.Gpu.MaxPool2d(ToGpu(x), yg, ig, g);
                    ctx.Gpu.MaxPool2dBackward(ToGpu(dy), ig, dxg, g);
                    return new ParityCheck($"MaxPool2d {Name(dtype)}", g.ToString())
                        .Compare("y", yc, yg, 0, 0).Compare("indices", ic, ig, 0, 0).Compare("dx", dxc, dxg, 4 * Eps(dtype), 4 * Eps(dtype)).Result();
                }));
                foreach (bool include in (bool[])[true, false])
                    cases.Add(new($"avg_pool2d {label} count_include_pad={include} {Name(dtype)}", "AvgPool2d/AvgPool2dBackward", ctx =>
                    {
                        var x = Rand([g.N, g.C, g.H, g.W], dtype, -1, 1, 212);
                        int[] ys = [g.N, g.C, g.OH, g.OW];
                        var dy = Rand(ys, dtype, -1, 1, 213);
                        var (yc, dxc, yg, dxg) = (CpuEmpty(ys, dtype), x.EmptyLike(), ctx.GpuPoisoned(ys, dtype), ctx.GpuPoisoned(x.ShapeCopy(), dtype));
                        ctx.Cpu.AvgPool2d(x, yc, g, include);
                        ctx.Cpu.AvgPool2dBackward(dy, dxc, g, include);
                        ctx.Gpu.AvgPool2d(ToGpu(x), yg, g, include);
                        ctx.Gpu.AvgPool2dBackward(ToGpu(dy), dxg, g, include);
                        double eps = Eps(dtype);
                        return new ParityCheck($"AvgPool2d {Name(dtype)}", g.ToString())
                            .Compare("y", yc, yg, 16 * eps, 16 * eps).Compare("dx", dxc, dxg, 16 * eps, 16 * eps).Result();
                    }));
            }

        foreach (var (h, w, oh, ow) in new[] { (7, 9, 3, 4), (5, 5, 1, 1), (4, 4, 4, 4) })
            foreach (var dtype in Floats)
                cases.Add(new($"adaptive_avg_pool2d [2, 3, {h}, {w}] -> {oh}x{ow} {Name(dtype)}", "AdaptiveAvgPool2d", ctx =>
                {
                    var x = Rand([2, 3, h, w], dtype, -1, 1, 220);
                    var dy = Rand([2, 3, oh, ow], dtype, -1, 1, 221);
                    var (yc, dxc, yg, dxg) = (CpuEmpty([2, 3, oh, ow], dtype), x.EmptyLike(), ctx.GpuPoisoned([2, 3, oh, ow], dtype), ctx.GpuPoisoned([2, 3, h, w], dtype));
                    ctx.Cpu.AdaptiveAvgPool2d(x, yc);
                    ctx.Cpu.AdaptiveAvgPool2dBackward(dy, dxc);
                    ctx.Gpu.AdaptiveAvgPool2d(ToGpu(x), yg);
                    ctx.Gpu.AdaptiveAvgPool2dBackward(ToGpu(dy), dxg);
                    double eps = Eps(dtype);
                    return new ParityCheck($"AdaptiveAvgPool2d {Name(dtype)}", $"[2, 3, {h}, {w}] -> [{oh}, {ow}]")
                        .Compare("y", yc, yg, 16 * eps, 16 * eps).Compare("dx", dxc, dxg, 16 * eps, 16 * eps).Result();
                }));

        foreach (var dtype in Floats)
            foreach (bool training in (bool[])[true, false])
                cases.Add(new($"batch_norm [6, 7, 37] training={training} {Name(dtype)}", "BatchNorm*", ctx =>
                {
                    int[] shape = [6, 7, 37];
                    var x = Rand(shape, dtype, -2, 3, 230);
                    var dy = Rand(shape, dtype, -1, 1, 231);
                    var weight = Rand([7], dtype, 0.5, 1.5, 232);
                    var bias = Rand([7], dtype, -0.5, 0.5, 233);
                    var (mc, vc, mg, vg) = (CpuEmpty([7], dtype), CpuEmpty([7], dtype), ctx.GpuPoisoned([7], dtype), ctx.GpuPoisoned([7], dtype));
                    ctx.Cpu.BatchNormStats(x, mc, vc);
                    ctx.Gpu.BatchNormStats(ToGpu(x), mg, vg);
                    var inv = (vc + 1e-5).Sqrt().Reciprocal();
                    var (yc, dxc, dwc, dbc) = (x.EmptyLike(), x.EmptyLike(), CpuEmpty([7], dtype), CpuEmpty([7], dtype));
                    var (yg, dxg, dwg, dbg) = (ctx.GpuPoisoned(shape, dtype), ctx.GpuPoisoned(shape, dtype), ctx.GpuPoisoned([7], dtype), ctx.GpuPoisoned([7], dtype));
                    ctx.Cpu.BatchNormForward(x, mc, inv, weight, bias, yc);
                    ctx.Cpu.BatchNormBackward(x, dy, mc, inv, weight, training, dxc, dwc, dbc);
                    var (xg, mcg, invg, wg) = (ToGpu(x), ToGpu(mc), ToGpu(inv), ToGpu(weight));
                    ctx.Gpu.BatchNormForward(xg, mcg, invg, wg, ToGpu(bias), yg);
                    ctx.Gpu.BatchNormBackward(xg, ToGpu(dy), mcg, invg, wg, training, dxg, dwg, dbg);
                    double eps = Eps(dtype), m = 6 * 37;
                    return new ParityCheck($"BatchNorm {Name(dtype)} training={training}", "x [6, 7, 37]")
                        .Compare("mean", mc, mg, 8 * eps, 8 * eps).Compare("var", vc, vg, 8 * eps, 8 * eps)
                        .Compare("y", yc, yg, 16 * eps, 16 * eps).Compare("dx", dxc, dxg, 64 * eps, 16 * eps)
                        .Compare("dweight", dwc, dwg, 4 * eps * m, 8 * eps).Compare("dbias", dbc, dbg, 4 * eps * m, 8 * eps).Result();
                }));
    }
}
