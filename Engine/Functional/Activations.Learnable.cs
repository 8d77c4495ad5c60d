using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

/// <summary>
/// The learnable activations the PAU paper compares against (its appendix A.2). Parameters are per channel (channel
/// axis 1, as PyTorch's PReLU) with C entries, or shared with C = 1. Each op runs a fused forward kernel and a fused
/// backward kernel that returns dx and every parameter gradient in one pass; Mixture is composed of engine ops.
/// </summary>
public static partial class F
{
    private static void CheckParameter(string op, string name, Tensor x, Tensor p)
    {
        Ops.CheckPair(op, x, p);
        if (!p.DType.IsFloating()) throw new ArgumentException($"{op}: {name} must be floating-point, got {p.DType.TorchName()}");
    }

    /// <summary>
    /// PReLU (He et al. 2015): y = x for x &gt; 0, w_c·x otherwise, with a learnable slope per channel (weight [C]) or
    /// one shared slope (weight [1]). dy/dx = 1 or w_c; dy/dw_c = x for x ≤ 0, else 0.
    /// </summary>
    public static Tensor PRelu(this Tensor x, Tensor weight)
    {
        CheckParameter("prelu", "weight", x, weight);
        if (weight.Rank != 1) throw new ArgumentException($"prelu: weight must be 1-D [channels], got shape {Shapes.Format(weight.Shape)}");
        var layout = ChannelLayout.For("prelu", x, weight.Size(0));
        var xc = x.Contiguous(); var wc = weight.Contiguous();
        var y = xc.EmptyLike();
        x.Backend.PRelu(xc, wc, y, layout);
        return Graph.Record(y, "prelu", [x, weight], g =>
        {
            var dx = xc.EmptyLike();
            var dw = wc.EmptyLike();
            x.Backend.PReluBackward(xc, wc, g.Contiguous(), dx, dw, layout);
            return [dx, dw];
        }, xc, wc);
    }

    /// <summary>
    /// Maxout (Goodfellow et al. 2013) over channel groups: x [N, k·G, ...] → y [N, G, ...], y[:, g] = max over the
    /// k consecutive channels g·k .. g·k + k − 1 (as x.view(N, G, k, ...).max(2) in PyTorch). The gradient goes to
    /// the first maximal piece only. The learnable part is the layer before, which produces k times the channels.
    /// </summary>
    public static Tensor Maxout(this Tensor x, int pieces)
    {
        Ops.CheckFloating("maxout", x);
        if (pieces < 1) throw new ArgumentException($"maxout: the number of pieces must be at least 1, got {pieces}");
        if (x.Rank < 2) throw new ArgumentException($"maxout: needs an input of rank ≥ 2 with channels on axis 1, got shape {Shapes.Format(x.Shape)}");
        int channels = x.Size(1);
        if (channels % pieces != 0)
            throw new ArgumentException($"maxout: {channels} input channels (shape {Shapes.Format(x.Shape)}) are not divisible by {pieces} pieces");
        int groups = channels / pieces;
        long outer = x.Size(0), inner = 1;
        for (int i = 2; i < x.Rank; i++) inner *= x.Size(i);
        var shape = x.ShapeCopy();
        shape[1] = groups;
        var xc = x.Contiguous();
        var y = Tensor.Empty(shape, x.DType, x.Device);
        var argmax = Tensor.Empty(shape, DType.Int32, x.Device);
        x.Backend.Maxout(xc, y, argmax, pieces, outer, groups, inner);
        return Graph.Record(y, "maxout", [x], g =>
        {
            var dx = xc.EmptyLike();
            x.Backend.MaxoutBackward(g.Contiguous(), argmax, dx, pieces, outer, groups, inner);
            return [dx];
        }, argmax);
    }

    /// <summary>
    /// APL, adaptive piecewise linear unit (Agostinelli et al. 2015): y = max(0, x) + Σ_{s=1..S} a_s max(0, b_s − x)
    /// (the paper's max(0, −x + b_s)), with a and b [S, C] (per channel) or [S, 1].
    /// dy/dx = 1[x &gt; 0] − Σ_s a_s 1[x &lt; b_s]; dy/da_s = max(0, b_s − x); dy/db_s = a_s 1[x &lt; b_s].
    /// </summary>
    public static Tensor Apl(this Tensor x, Tensor a, Tensor b)
    {
        CheckParameter("apl", "a", x, a);
        CheckParameter("apl", "b", x, b);
        if (a.Rank != 2 || !Shapes.SameShape(a.Shape, b.Shape))
            throw new ArgumentException($"apl: a and b must both be [hinges, channels], got {Shapes.Format(a.Shape)} and {Shapes.Format(b.Shape)}");
        var layout = ChannelLayout.For("apl", x, a.Size(1));
        var xc = x.Contiguous(); var ac = a.Contiguous(); var bc = b.Contiguous();
        var y = xc.EmptyLike();
        x.Backend.Apl(xc, ac, bc, y, layout);
        return Graph.Record(y, "apl", [x, a, b], g =>
        {
            var dx = xc.EmptyLike(); var da = ac.EmptyLike(); var db = bc.EmptyLike();
            x.Backend.AplBackward(xc, ac, bc, g.Contiguous(), dx, da, db, layout);
            return [dx, da, db];
        }, xc, ac, bc);
    }

    /// <summary>
    /// SReLU, S-shaped ReLU (Jin et al. 2016), per channel thresholds t_l, t_r and slopes a_l, a_r (each [C] or [1]):
    /// y = t_r + a_r(x − t_r) for x ≥ t_r; x for t_l &lt; x &lt; t_r; t_l + a_l(x − t_l) for x ≤ t_l.
    /// Right piece: dy/dx = a_r, dy/dt_r = 1 − a_r, dy/da_r = x − t_r; left piece likewise with t_l, a_l; middle: dy/dx = 1.
    /// </summary>
    public static Tensor SRelu(this Tensor x, Tensor tLeft, Tensor aLeft, Tensor tRight, Tensor aRight)
    {
        Tensor[] ps = [tLeft, aLeft, tRight, aRight];
        string[] names = ["t_left", "a_left", "t_right", "a_right"];
        for (int i = 0; i < 4; i++)
        {
            CheckParameter("srelu", names[i], x, ps[i]);
            if (ps[i].Rank != 1 || ps[i].Size(0) != tLeft.Numel)
                throw new ArgumentException($"srelu: {names[i]} must be 1-D with {tLeft.Numel} entries like t_left, got shape {Shapes.Format(ps[i].Shape)}");
        }
        var layout = ChannelLayout.For("srelu", x, tLeft.Size(0));
        var xc = x.Contiguous();
        var pc = ps.Select(p => p.Contiguous()).ToArray();
        var y = xc.EmptyLike();
        x.Backend.SRelu(xc, pc[0], pc[1], pc[2], pc[3], y, layout);
        return Graph.Record(y, "srelu", [x, .. ps], g =>
        {
            var dx = xc.EmptyLike();
            var dp = pc.Select(p => p.EmptyLike()).ToArray();
            x.Backend.SReluBackward(xc, pc[0], pc[1], pc[2], pc[3], g.Contiguous(), dx, dp[0], dp[1], dp[2], dp[3], layout);
            return [dx, .. dp];
        }, [xc, .. pc]);
    }

    /// <summary>
    /// SLAF, self-learnable activation (Goyal et al. 2019): the polynomial y = Σ_{k=0..K} a_k x^k with learnable a,
    /// coefficients [K + 1] (shared) or [C, K + 1] (per channel). dy/dx = Σ_k k a_k x^(k−1); dy/da_k = x^k.
    /// Unbounded: a polynomial of degree ≥ 2 can overflow in training (the PAU paper reports SLAF diverging);
    /// the Slaf module checks its output for that.
    /// </summary>
    public static Tensor Slaf(this Tensor x, Tensor coefficients)
    {
        CheckParameter("slaf", "coefficients", x, coefficients);
        if (coefficients.Rank is < 1 or > 2 || coefficients.Size(-1) < 1)
            throw new ArgumentException($"slaf: coefficients must be [K + 1] or [channels, K + 1] with K ≥ 0, got shape {Shapes.Format(coefficients.Shape)}");
        var c2 = coefficients.Rank == 1 ? coefficients.Reshape(1, coefficients.Size(0)) : coefficients;
        var layout = ChannelLayout.For("slaf", x, c2.Size(0));
        var xc = x.Contiguous(); var cc = c2.Contiguous();
        var y = xc.EmptyLike();
        x.Backend.Slaf(xc, cc, y, layout);
        var inShape = coefficients.ShapeCopy();
        return Graph.Record(y, "slaf", [x, coefficients], g =>
        {
            var dx = xc.EmptyLike(); var dc = cc.EmptyLike();
            x.Backend.SlafBackward(xc, cc, g.Contiguous(), dx, dc, layout);
            return [dx, dc.Reshape(inShape)];
        }, xc, cc);
    }

    /// <summary>
    /// Mixture of activations (Manessi and Rozza 2018): y = Σ_i w_i f_i(x), weights [n] (one per function, shared)
    /// or [n, C] (per channel). Composed of engine ops, so its gradient comes from theirs:
    /// dy/dx = Σ_i w_i f_i'(x), dy/dw_i = f_i(x).
    /// </summary>
    public static Tensor Mixture(this Tensor x, Tensor weights, IReadOnlyList<Func<Tensor, Tensor>> functions)
    {
        CheckParameter("mixture", "weights", x, weights);
        if (functions.Count == 0) throw new ArgumentException("mixture: no functions given");
        if (weights.Rank is < 1 or > 2 || weights.Size(0) != functions.Count)
            throw new ArgumentException($"mixture: weights must be [{functions.Count}] or [{functions.Count}, channels] for {functions.Count} functions, got shape {Shapes.Format(weights.Shape)}");
        int channels = weights.Rank == 2 ? weights.Size(1) : 1;
        ChannelLayout.For("mixture", x, channels);
        var bshape = ChannelLayout.BroadcastShape(x, channels);
        Tensor? y = null;
        for (int i = 0; i < functions.Count; i++)
        {
            var term = weights.Select(0, i).Reshape(bshape) * functions[i](x);
            y = y == null ? term : y + term;
        }
        return y!;
    }
}
