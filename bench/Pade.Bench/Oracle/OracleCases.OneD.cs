using Pade.Engine.Functional;
using static Pade.Bench.Oracle.OracleGen;
using TF = TorchSharp.torch.nn.functional;

namespace Pade.Bench.Oracle;

/// <summary>
/// The 1-D layers against libtorch's: conv1d (random strides, paddings some wider than the kernel's reach, dilations,
/// groups and depthwise, "same" and "valid"), conv_transpose1d (output_padding up to max(stride, dilation) − 1),
/// max_pool1d and avg_pool1d (padding up to half the kernel, dilation, ceil mode, count_include_pad),
/// adaptive_avg_pool1d and adaptive_max_pool1d (shrinking, keeping and growing); then length-1 and unbatched inputs.
/// An empty batch is not compared here (TorchSharp 0.107 cannot build an empty tensor from values); the unit tests
/// check it.
/// </summary>
public static partial class OracleCases
{
    private static void AddOneD(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7927 + 61);
        for (int i = 0; i < perFamily * 3; i++)
        {
            int groups = g.Pick(1, 1, 2, 3), cg = g.Int(1, 3), kg = g.Int(1, 3);
            if (g.Coin(0.25)) { cg = 1; kg = 1; groups = g.Int(1, 5); }   // depthwise
            int k = g.Int(1, 5), stride = g.Pick(1, 1, 2, 3), dil = g.Pick(1, 1, 2, 3), pad = g.Int(0, dil * (k - 1) + 2), l = g.Int(1, 12);
            if (l + 2 * pad < dil * (k - 1) + 1) { i--; continue; }
            string? mode = stride == 1 && g.Coin(0.25) ? g.Pick("same", "valid") : null;
            if (mode == "valid" && l < dil * (k - 1) + 1) mode = "same";
            cases.Add(Conv1d(g, [g.Int(1, 3), cg * groups, l], kg * groups, groups, k, stride, pad, mode, dil, g.Coin()));
        }
        cases.Add(Conv1d(g, [2, 3, 1], 2, 1, 3, 1, 2, null, 2, true));        // L = 1, the kernel reaching past it
        cases.Add(Conv1d(g, [3, 5], 4, 1, 3, 2, 1, null, 1, true));           // unbatched
        cases.Add(Conv1d(g, [4, 7], 4, 4, 4, 1, 0, "same", 1, false));        // unbatched, depthwise, even kernel "same"

        for (int i = 0; i < perFamily * 3; i++)
        {
            int groups = g.Pick(1, 1, 2, 3), cig = g.Int(1, 3), cog = g.Int(1, 3);
            if (g.Coin(0.2)) { cig = 1; cog = 1; groups = g.Int(1, 5); }
            int k = g.Int(1, 4), stride = g.Pick(1, 1, 2, 3), dil = g.Pick(1, 1, 2, 3);
            int op = g.Int(0, Math.Max(stride, dil) - 1), pad = g.Int(0, dil * (k - 1) + 2), l = g.Int(1, 8);
            if ((l - 1) * stride - 2 * pad + dil * (k - 1) + op < 0) { i--; continue; }
            cases.Add(ConvTranspose1d(g, [g.Int(1, 3), cig * groups, l], cog, groups, k, stride, pad, op, dil, g.Coin()));
        }
        cases.Add(ConvTranspose1d(g, [2, 3, 1], 2, 1, 3, 2, 0, 1, 1, true));    // L = 1
        cases.Add(ConvTranspose1d(g, [1, 2, 3], 2, 1, 2, 1, 0, 1, 2, true));    // output_padding ≥ stride
        cases.Add(ConvTranspose1d(g, [3, 5], 2, 1, 3, 2, 1, 1, 1, true));       // unbatched

        for (int i = 0; i < perFamily * 3; i++)
        {
            int n = g.Int(1, 2), c = g.Int(1, 3), k = g.Int(1, 4), s = g.Int(1, 3), p = g.Int(0, k / 2), d = g.Pick(1, 1, 2);
            bool ceil = g.Coin();
            int l = g.Int(1, 12);
            if (OutputSize(l, k, s, p, d, ceil) < 1) { i--; continue; }
            int[] shape = g.Coin(0.2) ? [c, l] : [n, c, l];
            var label = $"{Fmt(shape)} k{k} s{s} p{p} ceil_mode {ceil}";
            var distinct = new OracleInput("x", shape, g.Distinct(shape.Aggregate(1L, (a, b) => a * b)));
            cases.Add(new("max_pool1d", $"{label} dilation {d}", [distinct],
                x => F.MaxPool1d(x[0], k, s, p, d, ceil), x => TF.max_pool1d(x[0], k, s, p, d, ceil),
                OracleWrong: HasEmptyWindow(l, k, s, p, d, ceil) ? EmptyPoolWindow : null));
            if (OutputSize(l, k, s, p, 1, ceil) >= 1)
            {
                bool include = g.Coin();
                cases.Add(new("avg_pool1d", $"{label} count_include_pad {include}", [g.Input("x", shape)],
                    x => F.AvgPool1d(x[0], k, s, p, ceil, include), x => TF.avg_pool1d(x[0], k, s, p, ceil, include)));
            }
            int o = g.Int(1, l + 2);
            cases.Add(new("adaptive_avg_pool1d", $"{Fmt(shape)} -> {o}", [g.Input("x", shape)],
                x => F.AdaptiveAvgPool1d(x[0], o), x => TF.adaptive_avg_pool1d(x[0], o)));
            cases.Add(new("adaptive_max_pool1d", $"{Fmt(shape)} -> {o}", [new OracleInput("x", shape, g.Distinct(shape.Aggregate(1L, (a, b) => a * b)))],
                x => F.AdaptiveMaxPool1d(x[0], o), x => TF.adaptive_max_pool1d(x[0], o)));
        }
    }

    private static OracleCase Conv1d(OracleGen g, int[] xs, int k, int groups, int kw, int stride, int pad, string? mode, int dil, bool bias)
    {
        int c = xs[^2];
        int[] ws = [k, c / groups, kw];
        OracleInput[] inputs = bias ? [g.Input("x", xs), g.Input("weight", ws), g.Input("bias", [k])] : [g.Input("x", xs), g.Input("weight", ws)];
        ConvPadding1d padding = mode ?? (ConvPadding1d)pad;
        return new("conv1d", $"x {Fmt(xs)} w {Fmt(ws)} stride {stride} padding {padding} dilation {dil} groups {groups}", inputs,
            x => F.Conv1d(x[0], x[1], bias ? x[2] : null, stride, padding, dil, groups),
            x => mode == null
                ? TF.conv1d(x[0], x[1], bias ? x[2] : null, stride, pad, dil, groups)
                : TF.conv1d_padding(x[0], x[1], bias ? x[2] : null, stride, mode == "same" ? TorchSharp.Padding.Same : TorchSharp.Padding.Valid, dil, groups));
    }

    private static OracleCase ConvTranspose1d(OracleGen g, int[] xs, int cog, int groups, int kw, int stride, int pad, int op, int dil, bool bias)
    {
        int cin = xs[^2], cout = cog * groups;
        int[] ws = [cin, cog, kw];
        OracleInput[] inputs = bias ? [g.Input("x", xs), g.Input("weight", ws), g.Input("bias", [cout])] : [g.Input("x", xs), g.Input("weight", ws)];
        return new("conv_transpose1d",
            $"x {Fmt(xs)} w {Fmt(ws)} stride {stride} padding {pad} output_padding {op} dilation {dil} groups {groups}", inputs,
            x => F.ConvTranspose1d(x[0], x[1], bias ? x[2] : null, stride, pad, op, groups, dil),
            x => TF.conv_transpose1d(x[0], x[1], bias ? x[2] : null, stride, pad, op, dil, groups));
    }
}
