using Pade.Engine.Functional;
using static Pade.Bench.Oracle.OracleGen;
using static TorchSharp.torch;
using TF = TorchSharp.torch.nn.functional;
using PTensor = Pade.Engine.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// instance_norm, local_response_norm, normalize, cosine_similarity, pairwise_distance and embedding's max_norm
/// against libtorch's: random shapes with size-1 dims, negative dims, broadcasting, p = 1, 1.5, 2, 3, ∞, several ε;
/// then the edges: zero vectors (the norm at 0, clamped by ε), vectors shorter than ε (cosine similarity's gradient
/// through the unclamped norm), 1-D inputs of pairwise_distance, LRN windows wider than the channels, instance norm's
/// running statistics after the update (appended to the output, so they are compared too) and its evaluation form.
/// </summary>
public static partial class OracleCases
{
    private static void AddNormsDistances(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7723 + 61);
        for (int i = 0; i < perFamily * 2; i++)
        {
            int n = g.Int(1, 3), c = g.Int(1, 4);
            var spatial = g.Coin() ? [g.Int(2, 7)] : new[] { g.Int(1, 4), g.Int(2, 4) };
            bool running = g.Coin(0.5), useInput = !running || g.Coin(0.6);
            cases.Add(InstanceNorm(g, [n, c, .. spatial], g.Coin(0.6), g.Coin(0.6), running, useInput,
                g.Pick(0.1, 0.1, 0.3), g.Pick(1e-5, 1e-5, 1e-3, 0.1)));
        }
        cases.Add(InstanceNorm(g, [2, 3, 2], true, true, true, true, 0.1, 1e-5));          // two positions each
        cases.Add(InstanceNorm(g, [1, 1, 5], false, false, false, true, 0.1, 1e-5));

        for (int i = 0; i < perFamily * 2; i++)
        {
            var shape = new[] { g.Int(1, 3), g.Int(1, 6) }.Concat(g.Shape(1, 3, 4)).ToArray();
            cases.Add(Lrn(g, shape, g.Int(1, 6), g.Pick(1e-4, 0.1, 1.0), g.Pick(0.75, 0.5, 2.0), g.Pick(1.0, 2.0, 0.5)));
        }
        cases.Add(Lrn(g, [2, 3, 4], 7, 1.0, 0.75, 1.0));                                  // window wider than C
        cases.Add(Lrn(g, [1, 1, 3], 1, 0.5, 0.75, 1.0));

        for (int i = 0; i < perFamily * 2; i++)
        {
            var shape = g.Shape(1, 4, 5);
            int axis = g.Int(0, shape.Length - 1);
            cases.Add(Normalize(g, shape, g.Coin() ? axis : axis - shape.Length, g.Pick(1.0, 2.0, 2.0, 3.0, 1.5, double.PositiveInfinity),
                g.Pick(1e-12, 1e-12, 0.5), zeroSlice: g.Coin(0.2)));
        }
        cases.Add(Normalize(g, [3, 4], 1, 2, 1e-12, zeroSlice: true));                 // a zero row: y = 0, dx = 1/ε·g
        cases.Add(Normalize(g, [2], 0, 2, 1e-12, zeroSlice: false));

        for (int i = 0; i < perFamily * 2; i++)
        {
            var full = g.Shape(1, 4, 5);
            var a = g.Coin(0.3) ? Ones(g, full) : full;
            var b = g.Coin(0.3) ? Ones(g, full) : full;
            if (g.Coin(0.2)) b = b[g.Int(0, b.Length - 1)..];
            int rank = Math.Max(a.Length, b.Length), axis = g.Int(0, rank - 1);
            cases.Add(Cosine(g, a, b, g.Coin() ? axis : axis - rank, g.Pick(1e-8, 1e-8, 0.1), 1));
        }
        cases.Add(Cosine(g, [3, 4], [3, 4], 1, 1e-8, 0));                              // zero vectors in x1
        cases.Add(Cosine(g, [2, 5], [5], -1, 1.0, 0.05));                              // ‖x‖ < ε: gradient through the norm
        cases.Add(Cosine(g, [4], [4], 0, 1e-8, 1));

        for (int i = 0; i < perFamily * 2; i++)
        {
            int d = g.Int(1, 6), rows = g.Int(1, 5);
            int[] a = g.Pick(0, 1, 1, 2) switch { 0 => [d], 1 => [rows, d], _ => [g.Int(1, 3), rows, d] };
            int[] b = g.Coin(0.3) ? [d] : g.Coin(0.2) ? [1, d] : a;
            cases.Add(Pairwise(g, a, b, g.Pick(1.0, 2.0, 2.0, 3.0, 1.5, double.PositiveInfinity), g.Pick(1e-6, 1e-6, 0.1), g.Coin(0.3)));
        }
        cases.Add(Pairwise(g, [5], [5], 2, 1e-6, false));                               // 1-D: a 0-d distance
        cases.Add(Pairwise(g, [5], [5], 1, 1e-6, true));

        for (int i = 0; i < perFamily * 2; i++)
        {
            int n = g.Int(1, 10), d = g.Int(1, 6);
            cases.Add(EmbeddingMaxNorm(g, n, d, g.Shape(1, 2, 6), g.Pick(0.5, 1.0, 2.0), g.Pick(1.0, 2.0, 2.0, 3.0)));
        }
        cases.Add(EmbeddingMaxNorm(g, 4, 3, [8], 0.125, 2));                             // every row referenced, repeats
        cases.Add(EmbeddingMaxNorm(g, 4, 3, [8], 0.1, 2) with
        {
            OracleWrong = "TorchSharp 0.107 hands max_norm to libtorch as a float32: 0.1 becomes 0.100000001490116, so libtorch's " +
                          "rows are 1.49e-8 (relative) longer than max_norm = 0.1 gives (Pade's rows times 0.1f/0.1 equal libtorch's)",
        });
    }

    private static int[] Ones(OracleGen g, int[] full) => full.Select(d => g.Coin(0.4) ? 1 : d).ToArray();

    private static OracleCase InstanceNorm(OracleGen g, int[] shape, bool weight, bool bias, bool running, bool useInput, double momentum, double eps)
    {
        int c = shape[1];
        var inputs = new List<OracleInput> { g.Input("x", shape) };
        int wi = -1, bi = -1, mi = -1, vi = -1;
        if (weight) { wi = inputs.Count; inputs.Add(g.Input("weight", [c], 0.5, 1.5)); }
        if (bias) { bi = inputs.Count; inputs.Add(g.Input("bias", [c])); }
        if (running)
        {
            mi = inputs.Count; inputs.Add(g.Input("running_mean", [c], grad: false));
            vi = inputs.Count; inputs.Add(g.Input("running_var", [c], 0.5, 2, grad: false));
        }
        long positions = shape.Skip(2).Aggregate(1L, (a, b) => a * b);
        return new("instance_norm", $"{Fmt(shape)} weight {weight} bias {bias} running {running} use_input_stats {useInput} momentum {momentum} eps {eps}",
            inputs.ToArray(),
            x =>
            {
                var y = F.InstanceNorm(x[0], mi < 0 ? null : x[mi], vi < 0 ? null : x[vi], wi < 0 ? null : x[wi], bi < 0 ? null : x[bi], useInput, momentum, eps);
                // The running statistics after the update, appended: compared as part of the output.
                return running ? PTensor.Concat([y.Reshape(-1), x[mi], x[vi]]) : y;
            },
            x =>
            {
                var y = TF.instance_norm(x[0], mi < 0 ? null : x[mi], vi < 0 ? null : x[vi], wi < 0 ? null : x[wi], bi < 0 ? null : x[bi], useInput, momentum, eps);
                return running ? cat([y.flatten(), x[mi], x[vi]]) : y;
            },
            Tolerance32: NormTolerance32(Math.Max(positions, shape[0]), -2, 2));
    }

    private static OracleCase Lrn(OracleGen g, int[] shape, int size, double alpha, double beta, double k) =>
        new("local_response_norm", $"{Fmt(shape)} size {size} alpha {alpha} beta {beta} k {k}",
            [g.Input("x", shape)],
            x => F.LocalResponseNorm(x[0], size, alpha, beta, k),
            x => TF.local_response_norm(x[0], size, alpha, beta, k),
            Tolerance32: 2e-5 * size + 1e-5);

    /// <summary>An input whose vector along <paramref name="axis"/> at index 0 of the other axes is zero (when asked).</summary>
    private static OracleInput WithZeroSlice(OracleGen g, string name, int[] shape, int axis, bool zero, double scale = 1)
    {
        var input = g.Input(name, shape, -2 * scale, 2 * scale, avoid: 1e-3 * scale);
        if (!zero) return input;
        int a = axis < 0 ? axis + shape.Length : axis;
        int inner = shape.Skip(a + 1).Aggregate(1, (p, d) => p * d);
        var v = (double[])input.Values.Clone();
        // The vector along the axis at index 0 of every other axis: flat indices j·inner.
        for (int j = 0; j < shape[a]; j++) v[j * inner] = 0;
        return input with { Values = v };
    }

    private static OracleCase Normalize(OracleGen g, int[] shape, int dim, double p, double eps, bool zeroSlice)
    {
        var x0 = WithZeroSlice(g, "x", shape, dim, zeroSlice);
        return new("normalize", $"{Fmt(shape)} p {p} dim {dim} eps {eps} zero vector {zeroSlice}",
            [x0],
            x => F.Normalize(x[0], p, dim, eps),
            x => TF.normalize(x[0], p, dim, eps),
            Tolerance32: 1e-5 * shape[dim < 0 ? dim + shape.Length : dim] + 2e-5);
    }

    /// <summary>x1 scaled by <paramref name="scale"/> (0: its first vector along dim zeroed; small: shorter than ε).</summary>
    private static OracleCase Cosine(OracleGen g, int[] a, int[] b, int dim, double eps, double scale)
    {
        // The zero case keeps x1 at the broadcast rank, so dim names the same axis of x1.
        var x1 = scale == 0 ? WithZeroSlice(g, "x1", a, dim, true)
                            : g.Input("x1", a, -2 * scale, 2 * scale, avoid: 1e-3 * scale);
        var x2 = g.Input("x2", b);
        int rank = Math.Max(a.Length, b.Length);
        return new("cosine_similarity", $"{Fmt(a)} and {Fmt(b)} dim {dim} eps {eps} x1 scale {scale}",
            [x1, x2],
            x => F.CosineSimilarity(x[0], x[1], dim, eps),
            x => TF.cosine_similarity(x[0], x[1], dim, eps),
            Tolerance32: 2e-5 * rank * 5 + 2e-5);
    }

    private static OracleCase Pairwise(OracleGen g, int[] a, int[] b, double p, double eps, bool keepDim) =>
        new("pairwise_distance", $"{Fmt(a)} and {Fmt(b)} p {p} eps {eps} keepdim {keepDim}",
            [g.Input("x1", a), g.Input("x2", b)],
            x => F.PairwiseDistance(x[0], x[1], p, eps, keepDim),
            x => TF.pairwise_distance(x[0], x[1], p, eps, keepDim),
            Tolerance32: 1e-5 * a[^1] + 2e-5);

    private static OracleCase EmbeddingMaxNorm(OracleGen g, int n, int d, int[] indices, double maxNorm, double normType) =>
        new("embedding_max_norm", $"weight [{n},{d}] indices {Fmt(indices)} max_norm {maxNorm} norm_type {normType}",
            [g.Classes("input", indices, n), g.Input("weight", [n, d])],
            // The weight after the renormalisation, appended to the lookup: the rows not referenced must keep their values.
            x => PTensor.Concat([F.Embedding(x[0], x[1], null, maxNorm, normType).Reshape(-1), x[1].Detach().Reshape(-1)]),
            x =>
            {
                var y = nn.Embedding_from_pretrained(x[1], freeze: false, max_norm: maxNorm, norm_type: normType).forward(x[0]);
                return cat([y.flatten(), x[1].detach().flatten()]);
            },
            Tolerance32: 2e-6 * d + 1e-6);
}
