using Pade.Engine.Functional;
using static Pade.Bench.Oracle.OracleGen;
using TF = TorchSharp.torch.nn.functional;

namespace Pade.Bench.Oracle;

/// <summary>
/// The 3-D layers against libtorch's: conv3d (random strides, paddings up to the kernel's reach, dilations, groups,
/// "same"), conv_transpose3d (output_padding up to max(stride, dilation) − 1), max_pool3d and avg_pool3d (padding up to
/// half the kernel, dilation, ceil mode, count_include_pad, divisor_override), adaptive_avg_pool3d and
/// adaptive_max_pool3d, batch_norm and instance_norm on 5-D input, interpolate on 5-D input (nearest, nearest-exact,
/// trilinear with and without align_corners, area); then size-1 and unbatched volumes. An empty batch is not compared
/// here (TorchSharp cannot build an empty tensor from values); the unit tests check it.
/// </summary>
public static partial class OracleCases
{
    private static void AddThreeD(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7937 + 73);
        for (int i = 0; i < perFamily * 2; i++)
        {
            int groups = g.Pick(1, 1, 2), cg = g.Int(1, 2), kg = g.Int(1, 2);
            int[] k = [g.Int(1, 3), g.Int(1, 3), g.Int(1, 3)], s = [g.Pick(1, 1, 2), g.Pick(1, 1, 2), g.Pick(1, 1, 2)];
            int[] d = [g.Pick(1, 1, 2), g.Pick(1, 1, 2), g.Pick(1, 1, 2)], p = new int[3], x = new int[3];
            for (int a = 0; a < 3; a++) { p[a] = g.Int(0, d[a] * (k[a] - 1) + 1); x[a] = g.Int(1, 6); }
            if (Enumerable.Range(0, 3).Any(a => x[a] + 2 * p[a] < d[a] * (k[a] - 1) + 1)) { i--; continue; }
            bool same = s.All(v => v == 1) && g.Coin(0.3);
            cases.Add(Conv3d(g, [g.Int(1, 2), cg * groups, .. x], kg * groups, groups, k, s, p, d, same, g.Coin()));
        }
        cases.Add(Conv3d(g, [1, 2, 1, 1, 1], 3, 1, [3, 3, 3], [1, 1, 1], [1, 1, 1], [1, 1, 1], false, true));   // a 1x1x1 volume
        cases.Add(Conv3d(g, [2, 3, 4, 5], 4, 1, [2, 3, 2], [2, 1, 1], [1, 1, 0], [1, 1, 1], false, true));     // unbatched

        for (int i = 0; i < perFamily * 2; i++)
        {
            int groups = g.Pick(1, 1, 2), cig = g.Int(1, 2), cog = g.Int(1, 2);
            int[] k = [g.Int(1, 3), g.Int(1, 3), g.Int(1, 3)], s = [g.Pick(1, 2, 3), g.Pick(1, 2), g.Pick(1, 2)];
            int[] d = [g.Pick(1, 1, 2), g.Pick(1, 1, 2), g.Pick(1, 2)], p = new int[3], op = new int[3], x = new int[3];
            for (int a = 0; a < 3; a++)
            {
                op[a] = g.Int(0, Math.Max(s[a], d[a]) - 1);
                p[a] = g.Int(0, d[a] * (k[a] - 1) + 1);
                x[a] = g.Int(1, 4);
            }
            if (Enumerable.Range(0, 3).Any(a => (x[a] - 1) * s[a] - 2 * p[a] + d[a] * (k[a] - 1) + op[a] < 0)) { i--; continue; }
            cases.Add(ConvTranspose3d(g, [g.Int(1, 2), cig * groups, .. x], cog, groups, k, s, p, op, d, g.Coin()));
        }
        cases.Add(ConvTranspose3d(g, [1, 2, 1, 1, 1], 2, 1, [3, 2, 2], [2, 2, 2], [0, 0, 0], [1, 1, 1], [1, 1, 1], true));   // 1x1x1
        cases.Add(ConvTranspose3d(g, [3, 2, 3, 2], 2, 1, [2, 2, 2], [2, 1, 2], [1, 0, 0], [1, 0, 1], [1, 2, 1], true));      // unbatched

        for (int i = 0; i < perFamily * 2; i++)
        {
            int[] k = [g.Int(1, 3), g.Int(1, 3), g.Int(1, 3)], s = [g.Int(1, 3), g.Int(1, 3), g.Int(1, 2)], d = [g.Pick(1, 1, 2), g.Pick(1, 1, 2), 1];
            int[] p = [g.Int(0, k[0] / 2), g.Int(0, k[1] / 2), g.Int(0, k[2] / 2)], x = [g.Int(1, 6), g.Int(1, 6), g.Int(1, 6)];
            bool ceil = g.Coin();
            if (Enumerable.Range(0, 3).Any(a => OutputSize(x[a], k[a], s[a], p[a], d[a], ceil) < 1)) { i--; continue; }
            int[] shape = g.Coin(0.2) ? [g.Int(1, 2), .. x] : [g.Int(1, 2), g.Int(1, 2), .. x];
            var label = $"{Fmt(shape)} k{Fmt(k)} s{Fmt(s)} p{Fmt(p)} ceil_mode {ceil}";
            bool empty = Enumerable.Range(0, 3).Any(a => HasEmptyWindow(x[a], k[a], s[a], p[a], d[a], ceil));
            cases.Add(new("max_pool3d", $"{label} dilation {Fmt(d)}", [new OracleInput("x", shape, g.Distinct(shape.Aggregate(1L, (a, b) => a * b)))],
                t => F.MaxPool3d(t[0], (k[0], k[1], k[2]), (s[0], s[1], s[2]), (p[0], p[1], p[2]), (d[0], d[1], d[2]), ceil),
                t => TF.max_pool3d(t[0], L(k), L(s), L(p), L(d), ceil), Differentiable: !empty));
            // A window that reads only padding: libtorch 2.10's max_pool3d backward then writes the gradient of its −∞
            // output through index −1, outside the input, and the process dies ("double free or corruption"). Such a
            // case compares the forward only (both give −∞); the unit tests check Pade's zero gradient there.
            // libtorch's avg_pool3d also wants the unpadded input to hold the kernel (its check_input_size).
            if (Enumerable.Range(0, 3).All(a => OutputSize(x[a], k[a], s[a], p[a], 1, ceil) >= 1 && x[a] >= k[a]))
            {
                bool include = g.Coin();
                int? over = g.Coin(0.25) ? g.Int(1, 9) : null;
                cases.Add(new("avg_pool3d", $"{label} count_include_pad {include} divisor_override {over?.ToString() ?? "None"}", [g.Input("x", shape)],
                    t => F.AvgPool3d(t[0], (k[0], k[1], k[2]), (s[0], s[1], s[2]), (p[0], p[1], p[2]), ceil, include, over),
                    t => TF.avg_pool3d(t[0], L(k), L(s), L(p), ceil, include, over)));
            }
            int[] o = [g.Int(1, x[0] + 1), g.Int(1, x[1] + 1), g.Int(1, x[2] + 1)];
            cases.Add(new("adaptive_avg_pool3d", $"{Fmt(shape)} -> {Fmt(o)}", [g.Input("x", shape)],
                t => F.AdaptiveAvgPool3d(t[0], (o[0], o[1], o[2])), t => TF.adaptive_avg_pool3d(t[0], L(o))));
            cases.Add(new("adaptive_max_pool3d", $"{Fmt(shape)} -> {Fmt(o)}", [new OracleInput("x", shape, g.Distinct(shape.Aggregate(1L, (a, b) => a * b)))],
                t => F.AdaptiveMaxPool3d(t[0], (o[0], o[1], o[2])), t => AdaptiveMaxByWindows(t[0], o)));
        }

        for (int i = 0; i < perFamily; i++)
        {
            int c = g.Int(1, 3);
            int[] shape = [g.Int(1, 3), c, g.Int(1, 3), g.Int(1, 3), g.Int(2, 3)];
            bool training = g.Coin(0.7);
            cases.Add(new("batch_norm3d", $"{Fmt(shape)} training {training}",
                [g.Input("x", shape), g.Input("weight", [c]), g.Input("bias", [c]), g.Input("running_mean", [c], grad: false), g.Input("running_var", [c], 0.5, 2, grad: false)],
                t => F.BatchNorm(t[0], t[3].Clone(), t[4].Clone(), t[1], t[2], training),
                t => TF.batch_norm(t[0], t[3].clone(), t[4].clone(), t[1], t[2], training, 0.1, 1e-5)));
            cases.Add(new("instance_norm3d", $"{Fmt(shape)}", [g.Input("x", shape), g.Input("weight", [c]), g.Input("bias", [c])],
                t => F.InstanceNorm(t[0], weight: t[1], bias: t[2]),
                t => TF.instance_norm(t[0], weight: t[1], bias: t[2])));
        }

        for (int i = 0; i < perFamily * 2; i++)
        {
            string mode = g.Pick("nearest", "nearest-exact", "trilinear", "trilinear", "area");
            int[] shape = [g.Int(1, 2), g.Int(1, 2), g.Int(1, 4), g.Int(1, 4), g.Int(1, 4)];
            bool? align = mode == "trilinear" ? g.Pick<bool?>(null, false, true) : null;
            if (g.Coin())
                cases.Add(Interpolate(g, shape, [g.Int(1, 6), g.Int(1, 6), g.Int(1, 6)], null, mode, align, false));
            else
            {
                double[] scale = [g.Pick(0.5, 1.5, 2.0, 3.0), g.Pick(1.0, 2.0, 2.5), g.Pick(0.75, 2.0, 3.0)];
                if (Enumerable.Range(0, 3).Any(a => Math.Floor(shape[2 + a] * scale[a]) < 1)) { i--; continue; }
                cases.Add(Interpolate(g, shape, null, scale, mode, align, g.Coin(0.2)));
            }
        }
    }

    /// <summary>libtorch's adaptive max pool by its definition: TorchSharp 0.107's adaptive_max_pool3d (and its
    /// _with_indices form) reach libtorch's adaptive_max_pool1d, which rejects the input, so each window
    /// ⌊o·I/O⌋ .. ⌈(o+1)·I/O⌉ − 1 per axis is cut with narrow and reduced with amax (distinct values: no ties whose
    /// gradient amax would split), the outputs stacked in row-major order.</summary>
    private static TorchSharp.torch.Tensor AdaptiveMaxByWindows(TorchSharp.torch.Tensor x, int[] o)
    {
        var parts = new List<TorchSharp.torch.Tensor>();
        long[] size = [x.shape[^3], x.shape[^2], x.shape[^1]];
        long Lo(int a, long i) => i * size[a] / o[a];
        long Hi(int a, long i) => ((i + 1) * size[a] + o[a] - 1) / o[a];
        for (int d = 0; d < o[0]; d++)
            for (int h = 0; h < o[1]; h++)
                for (int w = 0; w < o[2]; w++)
                    parts.Add(x.narrow(-3, Lo(0, d), Hi(0, d) - Lo(0, d)).narrow(-2, Lo(1, h), Hi(1, h) - Lo(1, h))
                        .narrow(-1, Lo(2, w), Hi(2, w) - Lo(2, w)).amax([-3, -2, -1]));
        long[] lead = x.shape[..^3];
        return TorchSharp.torch.stack(parts, -1).reshape([.. lead, o[0], o[1], o[2]]);
    }

    private static long[] L(int[] v) => [.. v.Select(x => (long)x)];

    private static OracleCase Conv3d(OracleGen g, int[] xs, int k, int groups, int[] kern, int[] s, int[] p, int[] d, bool same, bool bias)
    {
        int c = xs[^4];
        int[] ws = [k, c / groups, .. kern];
        OracleInput[] inputs = bias ? [g.Input("x", xs), g.Input("weight", ws), g.Input("bias", [k])] : [g.Input("x", xs), g.Input("weight", ws)];
        ConvPadding3 padding = same ? "same" : new Size3(p[0], p[1], p[2]);
        return new("conv3d", $"x {Fmt(xs)} w {Fmt(ws)} stride {Fmt(s)} padding {padding} dilation {Fmt(d)} groups {groups}", inputs,
            x => F.Conv3d(x[0], x[1], bias ? x[2] : null, (s[0], s[1], s[2]), padding, (d[0], d[1], d[2]), groups),
            x => same
                ? TF.conv3d_padding(x[0], x[1], bias ? x[2] : null, L(s), TorchSharp.Padding.Same, L(d), groups)
                : TF.conv3d(x[0], x[1], bias ? x[2] : null, L(s), L(p), L(d), groups));
    }

    private static OracleCase ConvTranspose3d(OracleGen g, int[] xs, int cog, int groups, int[] kern, int[] s, int[] p, int[] op, int[] d, bool bias)
    {
        int cin = xs[^4], cout = cog * groups;
        int[] ws = [cin, cog, .. kern];
        OracleInput[] inputs = bias ? [g.Input("x", xs), g.Input("weight", ws), g.Input("bias", [cout])] : [g.Input("x", xs), g.Input("weight", ws)];
        return new("conv_transpose3d",
            $"x {Fmt(xs)} w {Fmt(ws)} stride {Fmt(s)} padding {Fmt(p)} output_padding {Fmt(op)} dilation {Fmt(d)} groups {groups}", inputs,
            x => F.ConvTranspose3d(x[0], x[1], bias ? x[2] : null, (s[0], s[1], s[2]), (p[0], p[1], p[2]), (op[0], op[1], op[2]), groups, (d[0], d[1], d[2])),
            x => TF.conv_transpose3d(x[0], x[1], bias ? x[2] : null, L(s), L(p), L(op), L(d), groups));
    }
}
