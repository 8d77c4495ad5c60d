using Pade.Engine.Functional;
using TorchSharp;
using static Pade.Bench.Oracle.OracleGen;
using TF = TorchSharp.torch.nn.functional;

namespace Pade.Bench.Oracle;

/// <summary>
/// pad (constant with a value, reflect, replicate, circular) against libtorch's: 1 to 3 padded dims, batched and
/// unbatched inputs, random pads within each mode's limits (pad = size − 1 for reflect, = size for circular, negative
/// pads), then fixed edge cases; and Conv2d with padding_mode reflect, replicate and circular (sizes and "same")
/// against libtorch's F.pad with PyTorch's _reversed_padding_repeated_twice, then conv2d with padding 0 (the module's
/// weight and bias are loaded from the inputs, so their gradients are compared through the convolution only: the
/// input's gradient goes through the padding). An empty batch is not compared here (TorchSharp 0.107 cannot build an
/// empty tensor from values); the unit tests check it.
/// </summary>
public static partial class OracleCases
{
    private static void AddPad(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7919 + 47);
        for (int i = 0; i < perFamily * 4; i++)
        {
            string mode = g.Pick("constant", "reflect", "replicate", "circular");
            int k = g.Int(1, 3);
            int[] spatial = Enumerable.Range(0, k).Select(_ => g.Int(1, 5)).ToArray();
            int[] lead = g.Coin(0.3) ? [g.Int(1, 3)] : [g.Int(1, 2), g.Int(1, 3)];
            var pad = new int[2 * k];
            for (int d = 0; d < k; d++)
            {
                int n = spatial[k - 1 - d];
                (pad[2 * d], pad[2 * d + 1]) = OraclePads(g, mode, n);
            }
            cases.Add(Pad(g, [.. lead, .. spatial], pad, mode, mode == "constant" && g.Coin() ? g.Pick(1.5, -0.25) : 0));
        }
        cases.Add(Pad(g, [2, 3, 4], [3, 3], "reflect", 0));                     // pad = size − 1
        cases.Add(Pad(g, [1, 2, 3, 5], [5, 5, 3, 3], "circular", 0));           // pad = size
        cases.Add(Pad(g, [1, 2, 4], [-1, 3], "reflect", 0));                    // a negative pad beside a positive one
        cases.Add(Pad(g, [2, 1, 4], [2, -1], "replicate", 0));
        cases.Add(Pad(g, [1, 2, 5], [-1, 2], "circular", 0));                   // wraps around the cropped 4
        cases.Add(Pad(g, [1, 2, 5], [2, -2], "circular", 0));
        cases.Add(Pad(g, [2, 2, 1, 1], [4, 2, 0, 3], "replicate", 0));          // size-1 dims
        cases.Add(Pad(g, [2, 1, 3, 2, 4], [1, 2, 1, 1, 2, 0], "reflect", 0));   // 3-D, batched
        cases.Add(Pad(g, [3, 4], [2, -3], "constant", 2.5));

        for (int i = 0; i < perFamily * 2; i++)
        {
            string mode = g.Pick("reflect", "replicate", "circular");
            int groups = g.Pick(1, 1, 2), cg = g.Int(1, 2), kg = g.Int(1, 2), kh = g.Int(1, 3), kw = g.Int(1, 3);
            (int H, int W) dil = (g.Pick(1, 1, 2), g.Pick(1, 1, 2));
            int h = g.Int(2, 6), w = g.Int(2, 6);
            bool same = g.Coin(0.3);
            (int H, int W) stride = same ? (1, 1) : (g.Pick(1, 1, 2), g.Pick(1, 2));
            int limH = mode == "reflect" ? h - 1 : h, limW = mode == "reflect" ? w - 1 : w;
            (int H, int W) p = same ? (0, 0) : (g.Int(0, Math.Min(2, limH)), g.Int(0, Math.Min(2, limW)));
            int th = dil.H * (kh - 1), tw = dil.W * (kw - 1);
            if (same ? th - th / 2 > limH || tw - tw / 2 > limW : h + 2 * p.H <= th || w + 2 * p.W <= tw) { i--; continue; }
            int[] xs = g.Coin(0.2) ? [cg * groups, h, w] : [g.Int(1, 2), cg * groups, h, w];
            cases.Add(ConvPaddingMode(g, xs, kg * groups, groups, kh, kw, stride, same ? null : p, dil, mode, g.Coin()));
        }
    }

    /// <summary>(before, after) within the mode's limits, as the unit tests' generator.</summary>
    private static (int, int) OraclePads(OracleGen g, string mode, int n)
    {
        int Between(int lo, int hi) => lo > hi ? lo : g.Coin(0.25) ? hi : g.Int(lo, hi);
        int l, r;
        switch (mode)
        {
            case "reflect": l = Between(-(n - 1), n - 1); r = Between(Math.Max(-(n - 1), 1 - n - l), n - 1); break;
            case "replicate": l = Between(-(n - 1), 4); r = Between(1 - n - l, 4); break;
            case "circular":
                l = Between(-n, n);
                r = l >= 0 ? Between(l - n, n) : Between(-(n + l), n + l);
                if (n + l + r == 0) (l, r) = (0, 0);   // TorchSharp cannot hand back an empty output's values
                break;
            default: l = Between(-n + 1, 3); r = Between(1 - n - Math.Min(l, 0), 3); break;
        }
        return (l, r);
    }

    private static OracleCase Pad(OracleGen g, int[] shape, int[] pad, string mode, double value)
    {
        var torchMode = mode switch
        {
            "reflect" => PaddingModes.Reflect,
            "replicate" => PaddingModes.Replicate,
            "circular" => PaddingModes.Circular,
            _ => PaddingModes.Constant,
        };
        long[] pads = pad.Select(v => (long)v).ToArray();
        return new("pad", $"{mode} {Fmt(shape)} pad [{string.Join(",", pad)}]" + (value != 0 ? $" value {value}" : ""), [g.Input("x", shape)],
            x => F.Pad(x[0], pad, mode, value), x => TF.pad(x[0], pads, torchMode, value));
    }

    private static OracleCase ConvPaddingMode(OracleGen g, int[] xs, int k, int groups, int kh, int kw, (int H, int W) stride,
        (int H, int W)? padding, (int H, int W) dil, string mode, bool bias)
    {
        int c = xs[^3];
        int[] ws = [k, c / groups, kh, kw];
        // PyTorch's _reversed_padding_repeated_twice: (left, right, top, bottom); "same" puts the odd one after.
        int th = dil.H * (kh - 1), tw = dil.W * (kw - 1);
        long[] pads = padding is (int ph, int pw) ? [pw, pw, ph, ph] : [tw / 2, tw - tw / 2, th / 2, th - th / 2];
        var torchMode = mode switch { "reflect" => PaddingModes.Reflect, "replicate" => PaddingModes.Replicate, _ => PaddingModes.Circular };
        OracleInput[] inputs = bias
            ? [g.Input("x", xs), g.Input("weight", ws, grad: false), g.Input("bias", [k], grad: false)]
            : [g.Input("x", xs), g.Input("weight", ws, grad: false)];
        string pad = padding is (int a, int b) ? $"({a},{b})" : "same";
        return new("conv2d_padding_mode",
            $"{mode} x {Fmt(xs)} w {Fmt(ws)} stride ({stride.H},{stride.W}) padding {pad} dilation ({dil.H},{dil.W}) groups {groups}" + (bias ? "" : " no bias"),
            inputs,
            x =>
            {
                var layer = new Pade.Layers.Conv2d(c, k, (kh, kw), stride, padding is (int ph, int pw) ? new Size2(ph, pw) : "same", dil, groups, bias, mode);
                layer.To(dtype: x[0].DType);
                var state = new Dictionary<string, Pade.Engine.Tensor> { ["weight"] = x[1] };
                if (bias) state["bias"] = x[2];
                layer.LoadStateDict(state);
                return layer.Call(x[0]);
            },
            x => TF.conv2d(TF.pad(x[0], pads, torchMode), x[1], bias ? x[2] : null, [stride.H, stride.W], [0, 0], [dil.H, dil.W], groups));
    }
}
