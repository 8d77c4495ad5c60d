using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;
using Pade.Testing;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>
/// One RNN / LSTM / GRU configuration: mode ("RNN_TANH", "RNN_RELU", "LSTM", "GRU"), sizes, layers, bias,
/// batch_first, bidirectional, LSTM's proj_size, sequence length L, batch N (−1: unbatched input), whether h_0 (and
/// c_0) are given, and the seed of the weights, inputs and upstream gradient.
/// </summary>
public sealed record RecurrentCase(string Mode, int In, int Hidden, int Layers, bool Bias, bool BatchFirst, bool Bidirectional,
    int Proj, int L, int N, bool WithHx, ulong Seed)
{
    public int Dirs => Bidirectional ? 2 : 1;
    public int HOut => Proj > 0 ? Proj : Hidden;
    public int Batch => Math.Max(N, 1);
    public bool Unbatched => N < 0;

    /// <summary>The module in float64, weights from the seed.</summary>
    public RNNBase Build()
    {
        var g = new Generator(Seed);
        RNNBase m = Mode switch
        {
            "LSTM" => new LSTM(In, Hidden, Layers, Bias, BatchFirst, 0, Bidirectional, Proj, g),
            "GRU" => new GRU(In, Hidden, Layers, Bias, BatchFirst, 0, Bidirectional, g),
            _ => new RNN(In, Hidden, Layers, Mode == "RNN_RELU" ? "relu" : "tanh", Bias, BatchFirst, 0, Bidirectional, g),
        };
        m.To(dtype: DType.Float64);
        return m;
    }

    /// <summary>x in the module's layout, h_0 and c_0 (null without hx), values in [−1, 1].</summary>
    public (Tensor X, Tensor? H0, Tensor? C0) Inputs()
    {
        var g = new Generator(Seed + 1);
        int[] xs = Unbatched ? [L, In] : BatchFirst ? [N, L, In] : [L, N, In];
        int k = Layers * Dirs;
        int[] hs = Unbatched ? [k, HOut] : [k, N, HOut], cs = Unbatched ? [k, Hidden] : [k, N, Hidden];
        var x = Tensor.Rand(xs, -1, 1, DType.Float64, null, g);
        if (!WithHx) return (x, null, null);
        var h0 = Tensor.Rand(hs, -1, 1, DType.Float64, null, g);
        return (x, h0, Mode == "LSTM" ? Tensor.Rand(cs, -1, 1, DType.Float64, null, g) : null);
    }

    /// <summary>output, h_n and c_n flattened into one vector, as the module returns them.</summary>
    public Tensor Run(RNNBase m, Tensor x, Tensor? h0, Tensor? c0)
    {
        switch (m)
        {
            case LSTM lstm:
            {
                var (o, (h, c)) = lstm.Forward(x, h0 == null ? null : (h0, c0!));
                CheckShapes(o, h, c);
                return Tensor.Concat([o.Flatten(), h.Flatten(), c.Flatten()]);
            }
            case GRU gru:
            {
                var (o, h) = gru.Forward(x, h0);
                CheckShapes(o, h, null);
                return Tensor.Concat([o.Flatten(), h.Flatten()]);
            }
            default:
            {
                var (o, h) = ((RNN)m).Forward(x, h0);
                CheckShapes(o, h, null);
                return Tensor.Concat([o.Flatten(), h.Flatten()]);
            }
        }
    }

    /// <summary>PyTorch's shapes: output [L, N, D·H_out] (batch_first [N, L, ..], unbatched [L, ..]), h_n
    /// [layers·D, N, H_out], c_n [layers·D, N, hidden].</summary>
    private void CheckShapes(Tensor o, Tensor h, Tensor? c)
    {
        int k = Layers * Dirs, d = Dirs * HOut;
        int[] os = Unbatched ? [L, d] : BatchFirst ? [N, L, d] : [L, N, d];
        Assert.That(o.ShapeCopy(), Is.EqualTo(os), $"{this}: output shape");
        Assert.That(h.ShapeCopy(), Is.EqualTo(Unbatched ? new[] { k, HOut } : new[] { k, N, HOut }), $"{this}: h_n shape");
        if (c != null) Assert.That(c.ShapeCopy(), Is.EqualTo(Unbatched ? new[] { k, Hidden } : new[] { k, N, Hidden }), $"{this}: c_n shape");
    }

    public override string ToString() =>
        $"{Mode} in {In} hidden {Hidden} proj {Proj} layers {Layers} bias {Bias} batch_first {BatchFirst} bidirectional {Bidirectional} " +
        $"L {L} N {(Unbatched ? "unbatched" : N)} hx {WithHx} seed {Seed}";
}

public static class RecurrentGen
{
    private static Gen<RecurrentCase> Make(int maxHidden, int maxLayers, int maxLen, int maxBatch) =>
        from mode in Gen.Elements("RNN_TANH", "RNN_RELU", "LSTM", "GRU")
        from inSize in Gen.Choose(1, 3)
        from hidden in Gen.Frequency((1, Gen.Constant(1)), (4, Gen.Choose(2, maxHidden)))
        from layers in Gen.Frequency((2, Gen.Constant(1)), (2, Gen.Choose(2, maxLayers)))
        from bias in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
        from batchFirst in Gen.Elements(false, true)
        from bidirectional in Gen.Elements(false, true)
        from proj in mode == "LSTM" && hidden > 1 ? Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(1, hidden - 1))) : Gen.Constant(0)
        from len in Gen.Frequency((1, Gen.Constant(1)), (3, Gen.Choose(2, maxLen)))
        from n in Gen.Frequency((1, Gen.Constant(-1)), (1, Gen.Constant(1)), (2, Gen.Choose(2, maxBatch)))
        from withHx in Gen.Elements(false, true)
        from seed in EngineGen.Seed
        select new RecurrentCase(mode, inSize, hidden, layers, bias, batchFirst, bidirectional, proj, len, n, withHx, seed);

    /// <summary>Hidden 1..4, 1..3 layers, L 1..5, N unbatched or 1..3.</summary>
    public static readonly Gen<RecurrentCase> Case = Make(4, 3, 5, 3);

    /// <summary>Smaller, for central differences (two forward passes per weight): hidden ≤ 3, ≤ 2 layers, L ≤ 3.</summary>
    public static readonly Gen<RecurrentCase> Small = Make(3, 2, 3, 2);
}

public static class RecurrentArbitraries
{
    public static Arbitrary<RecurrentCase> Case() => RecurrentGen.Case.ToArbitrary();
    public static Arbitrary<SmallRecurrentCase> Small() => RecurrentGen.Small.Select(c => new SmallRecurrentCase(c)).ToArbitrary();
}

/// <summary>A case small enough for central differences (see <see cref="RecurrentGen.Small"/>).</summary>
public sealed record SmallRecurrentCase(RecurrentCase Case)
{
    public override string ToString() => Case.ToString();
}

/// <summary>
/// RNN, LSTM and GRU against plain float64 loops of the cell equations as PyTorch's documentation writes them (gate
/// order i f g o and r z n, GRU's r ⊙ (W_hn h + b_hn), projections, reversed directions, stacked layers) on random
/// configurations, and their gradients (input, h_0, c_0, every weight) against central differences through the
/// whole sequence.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(RecurrentArbitraries)])]
public class RecurrentProperties
{
    [FsCheck.NUnit.Property(MaxTest = 150)]
    public void LayersMatchTheCellEquations(RecurrentCase c)
    {
        var m = c.Build();
        var (x, h0, c0) = c.Inputs();
        var y = c.Run(m, x, h0, c0);
        var expected = Reference(c, m, x, h0, c0);
        Expect.Close(y, new Nd([expected.Length], expected), 1e-12, 1e-12, c.ToString());
    }

    [FsCheck.NUnit.Property(MaxTest = 25)]
    public void GradientsMatchCentralDifferences(SmallRecurrentCase small)
    {
        var c = small.Case;
        var m = c.Build();
        var (x, h0, c0) = c.Inputs();
        var leaves = new List<(string, Tensor)> { ("input", x) };
        if (h0 != null) leaves.Add(("h_0", h0));
        if (c0 != null) leaves.Add(("c_0", c0));
        leaves.AddRange(m.NamedParameters());
        foreach (var (_, t) in leaves) t.RequiresGrad = true;
        CentralDifferences(c.ToString(), () => c.Run(m, x, h0, c0), leaves, c.Seed);
    }

    /// <summary>Σ f ⊙ u differentiated by Backward against (L(v + ε) − L(v − ε)) / 2ε for every element of every
    /// leaf, changing the leaf's values in place (the module's weights included).</summary>
    internal static void CentralDifferences(string what, Func<Tensor> f, List<(string Name, Tensor Leaf)> leaves, ulong seed)
    {
        const double eps = 1e-6;
        var y = f();
        var u = Tensor.Rand(y.ShapeCopy(), -1, 1, DType.Float64, null, new Generator(seed + 2));
        foreach (var (_, t) in leaves) t.Grad = null;
        (y * u).Sum().Backward();
        double Loss()
        {
            using var _ = Tensor.NoGrad();
            return (f() * u).Sum().ToArray<double>()[0];
        }
        foreach (var (name, t) in leaves)
        {
            var analytic = t.Grad?.ToArray<double>() ?? new double[t.Numel];
            var values = t.ToArray<double>();
            var shape = t.ShapeCopy();
            void Set(double[] v) { using var _ = Tensor.NoGrad(); t.Detach().CopyFrom(Tensor.FromArray(v).Reshape(shape)); }
            for (int j = 0; j < values.Length; j++)
            {
                double keep = values[j];
                values[j] = keep + eps; Set(values);
                double plus = Loss();
                values[j] = keep - eps; Set(values);
                double minus = Loss();
                values[j] = keep; Set(values);
                double numeric = (plus - minus) / (2 * eps);
                if (!Expect.Near(analytic[j], numeric, 1e-6 + 1e-4 * Math.Abs(numeric)))
                    Assert.Fail($"{what}: d{name}[{j}] analytic {analytic[j]:R}, numeric {numeric:R}");
            }
        }
    }

    // ---- reference: plain float64 loops ----------------------------------------------------------------------------

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    /// <summary>output, h_n, c_n flattened, from the module's weights, by the equations one element at a time.</summary>
    internal static double[] Reference(RecurrentCase c, RNNBase m, Tensor x, Tensor? h0, Tensor? c0)
    {
        var p = m.NamedParameters().ToDictionary(q => q.Name, q => q.Parameter.ToArray<double>());
        int len = c.L, n = c.Batch, dirs = c.Dirs, hs = c.Hidden, ho = c.HOut, k = c.Layers * dirs;
        var xv = x.ToArray<double>();
        // x as [L, N, in] whatever the layout.
        double X(int t, int b, int i) => c.Unbatched ? xv[t * c.In + i] : c.BatchFirst ? xv[(b * len + t) * c.In + i] : xv[(t * n + b) * c.In + i];
        var layerIn = new double[len * n * c.In];
        for (int t = 0; t < len; t++) for (int b = 0; b < n; b++) for (int i = 0; i < c.In; i++) layerIn[(t * n + b) * c.In + i] = X(t, b, i);
        int inSize = c.In;
        var hv = h0?.ToArray<double>();
        var cv = c0?.ToArray<double>();
        var hN = new double[k * n * ho];
        var cN = new double[k * n * hs];
        for (int layer = 0; layer < c.Layers; layer++)
        {
            var output = new double[len * n * dirs * ho];
            for (int d = 0; d < dirs; d++)
            {
                int kk = layer * dirs + d;
                string s = $"_l{layer}" + (d == 1 ? "_reverse" : "");
                var wih = p["weight_ih" + s];
                var whh = p["weight_hh" + s];
                var bih = p.GetValueOrDefault("bias_ih" + s);
                var bhh = p.GetValueOrDefault("bias_hh" + s);
                var whr = p.GetValueOrDefault("weight_hr" + s);
                int gates = whh.Length / ho;
                for (int b = 0; b < n; b++)
                {
                    var h = new double[ho];
                    var cell = new double[hs];
                    if (hv != null) for (int j = 0; j < ho; j++) h[j] = hv[(kk * n + b) * ho + j];
                    if (cv != null) for (int j = 0; j < hs; j++) cell[j] = cv[(kk * n + b) * hs + j];
                    for (int step = 0; step < len; step++)
                    {
                        int t = d == 0 ? step : len - 1 - step;
                        var gi = new double[gates];
                        var gh = new double[gates];
                        for (int g = 0; g < gates; g++)
                        {
                            double a = bih?[g] ?? 0, e = bhh?[g] ?? 0;
                            for (int i = 0; i < inSize; i++) a += wih[g * inSize + i] * layerIn[(t * n + b) * inSize + i];
                            for (int j = 0; j < ho; j++) e += whh[g * ho + j] * h[j];
                            gi[g] = a;
                            gh[g] = e;
                        }
                        var hNew = new double[ho];
                        switch (c.Mode)
                        {
                            case "RNN_TANH": for (int j = 0; j < hs; j++) hNew[j] = Math.Tanh(gi[j] + gh[j]); break;
                            case "RNN_RELU": for (int j = 0; j < hs; j++) hNew[j] = Math.Max(0, gi[j] + gh[j]); break;
                            case "LSTM":
                            {
                                var full = new double[hs];
                                for (int j = 0; j < hs; j++)
                                {
                                    double ig = Sigmoid(gi[j] + gh[j]), fg = Sigmoid(gi[hs + j] + gh[hs + j]);
                                    double gg = Math.Tanh(gi[2 * hs + j] + gh[2 * hs + j]), og = Sigmoid(gi[3 * hs + j] + gh[3 * hs + j]);
                                    cell[j] = fg * cell[j] + ig * gg;
                                    full[j] = og * Math.Tanh(cell[j]);
                                }
                                if (whr == null) full.CopyTo(hNew, 0);
                                else
                                    for (int q = 0; q < ho; q++)
                                        for (int j = 0; j < hs; j++) hNew[q] += whr[q * hs + j] * full[j];
                                break;
                            }
                            default:
                                for (int j = 0; j < hs; j++)
                                {
                                    double r = Sigmoid(gi[j] + gh[j]), z = Sigmoid(gi[hs + j] + gh[hs + j]);
                                    double nn = Math.Tanh(gi[2 * hs + j] + r * gh[2 * hs + j]);
                                    hNew[j] = (1 - z) * nn + z * h[j];
                                }
                                break;
                        }
                        h = hNew;
                        for (int j = 0; j < ho; j++) output[(t * n + b) * dirs * ho + d * ho + j] = h[j];
                    }
                    for (int j = 0; j < ho; j++) hN[(kk * n + b) * ho + j] = h[j];
                    for (int j = 0; j < hs; j++) cN[(kk * n + b) * hs + j] = cell[j];
                }
            }
            layerIn = output;
            inSize = dirs * ho;
        }
        // The output in the module's layout: [N, L, D] with batch_first (unbatched [L, D] is [L, 1, D]'s order).
        var outLayout = layerIn;
        if (c.BatchFirst && !c.Unbatched)
        {
            int w = dirs * ho;
            outLayout = new double[layerIn.Length];
            for (int t = 0; t < len; t++) for (int b = 0; b < n; b++) for (int j = 0; j < w; j++)
                outLayout[(b * len + t) * w + j] = layerIn[(t * n + b) * w + j];
        }
        return c.Mode == "LSTM" ? [.. outLayout, .. hN, .. cN] : [.. outLayout, .. hN];
    }
}
