using Pade.Engine.Functional;
using static Pade.Bench.Oracle.OracleGen;
using TF = TorchSharp.torch.nn.functional;

namespace Pade.Bench.Oracle;

/// <summary>
/// layer_norm and group_norm against libtorch's: random batch shapes, 1 to 3 normalised dims (layer norm), groups
/// that divide the channels and 0 to 2 spatial dims (group norm), with or without weight and bias, several ε; then
/// one element per normalisation (x̂ = 0), values far from 0 (the two-pass variance), and a tiny spread where ε
/// dominates. Empty inputs are not compared here (TorchSharp 0.107 cannot build an empty tensor from values): the
/// unit tests check them against the behaviour of libtorch (an empty output; zero weight and bias gradients).
/// </summary>
public static partial class OracleCases
{
    private static void AddNormalization(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7919 + 29);
        for (int i = 0; i < perFamily * 2; i++)
        {
            var batch = g.Shape(0, 2, 4);
            var normalized = g.Shape(1, 3, 5);
            double eps = g.Pick(1e-5, 1e-5, 1e-3, 0.1);
            bool far = g.Coin(0.2);
            cases.Add(LayerNorm(g, batch, normalized, g.Coin(0.7), g.Coin(0.7), eps, far ? 40 : -2, far ? 44 : 2));
        }
        cases.Add(LayerNorm(g, [3], [1], true, true, 1e-5, -2, 2));                    // M = 1: x̂ = 0, y = β
        cases.Add(LayerNorm(g, [2, 2], [1, 1], true, false, 1e-5, -2, 2));
        cases.Add(LayerNorm(g, [], [2, 3], true, true, 1e-5, -2, 2));                  // no batch dims: dγ = g·x̂
        cases.Add(LayerNorm(g, [2], [6], true, true, 0.5, 0.999, 1.001));              // σ² ≪ ε

        for (int i = 0; i < perFamily * 2; i++)
        {
            int n = g.Int(1, 3), groups = g.Int(1, 3), perGroup = g.Pick(1, 1, 2, 3);
            var spatial = g.Shape(0, 2, 5);
            double eps = g.Pick(1e-5, 1e-5, 1e-3, 0.1);
            bool far = g.Coin(0.2);
            cases.Add(GroupNorm(g, [n, groups * perGroup, .. spatial], groups, g.Coin(0.7), g.Coin(0.7), eps, far ? -44 : -2, far ? -40 : 2));
        }
        cases.Add(GroupNorm(g, [2, 3], 3, true, true, 1e-5, -2, 2));                  // one element per group
        cases.Add(GroupNorm(g, [2, 4, 1, 1], 1, true, true, 1e-5, -2, 2));            // one group: layer norm over C
        cases.Add(GroupNorm(g, [1, 6, 3], 6, false, true, 1e-3, -2, 2));              // instance norm
        cases.Add(GroupNorm(g, [2, 4, 3], 2, true, true, 0.5, 0.999, 1.001));         // σ² ≪ ε
    }

    /// <summary>float32: the mean, the variance and the backward's means sum <paramref name="terms"/> values (and
    /// dγ, dβ the batch); x̂ carries the rounding of x − μ relative to σ (values far from 0: |x|/σ ≈ 40).</summary>
    private static double NormTolerance32(long terms, double lo, double hi) =>
        (2e-5 * Math.Sqrt(terms) + 1e-4) * Math.Max(1, Math.Max(Math.Abs(lo), Math.Abs(hi)) / 4);

    private static OracleCase LayerNorm(OracleGen g, int[] batch, int[] normalized, bool weight, bool bias, double eps, double lo, double hi)
    {
        int[] shape = [.. batch, .. normalized];
        var inputs = new List<OracleInput> { g.Input("x", shape, lo, hi) };
        if (weight) inputs.Add(g.Input("weight", normalized, 0.5, 1.5));
        if (bias) inputs.Add(g.Input("bias", normalized));
        int wi = weight ? 1 : -1, bi = bias ? (weight ? 2 : 1) : -1;
        var dims = normalized.Select(d => (long)d).ToArray();
        long terms = Math.Max(normalized.Aggregate(1L, (a, d) => a * d), batch.Aggregate(1L, (a, d) => a * d));
        return new("layer_norm", $"{Fmt(shape)} normalized_shape {Fmt(normalized)} weight {weight} bias {bias} eps {eps} values [{lo}, {hi}]",
            inputs.ToArray(),
            x => F.LayerNorm(x[0], normalized, wi < 0 ? null : x[wi], bi < 0 ? null : x[bi], eps),
            x => TF.layer_norm(x[0], dims, wi < 0 ? null : x[wi], bi < 0 ? null : x[bi], eps),
            Tolerance32: NormTolerance32(terms, lo, hi));
    }

    private static OracleCase GroupNorm(OracleGen g, int[] shape, int groups, bool weight, bool bias, double eps, double lo, double hi)
    {
        int c = shape[1];
        var inputs = new List<OracleInput> { g.Input("x", shape, lo, hi) };
        if (weight) inputs.Add(g.Input("weight", [c], 0.5, 1.5));
        if (bias) inputs.Add(g.Input("bias", [c]));
        int wi = weight ? 1 : -1, bi = bias ? (weight ? 2 : 1) : -1;
        long spatial = shape.Skip(2).Aggregate(1L, (a, d) => a * d);
        long terms = Math.Max(c / groups * spatial, shape[0] * spatial);
        return new("group_norm", $"{Fmt(shape)} groups {groups} weight {weight} bias {bias} eps {eps} values [{lo}, {hi}]",
            inputs.ToArray(),
            x => F.GroupNorm(x[0], groups, wi < 0 ? null : x[wi], bi < 0 ? null : x[bi], eps),
            // TorchSharp 0.107's group_norm fails ("tensor does not have a device") with a bias but no weight: a
            // constant weight of ones stands in (the same function, and no gradient is asked of it).
            x => TF.group_norm(x[0], groups, wi >= 0 ? x[wi] : bi >= 0 ? TorchSharp.torch.ones([c], TorchSharp.torch.float64) : null,
                bi < 0 ? null : x[bi], eps),
            Tolerance32: NormTolerance32(terms, lo, hi));
    }
}
