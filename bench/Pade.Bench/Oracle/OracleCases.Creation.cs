using TorchSharp;
using static Pade.Bench.Oracle.OracleGen;
using PTensor = Pade.Engine.Tensor;
using TTensor = TorchSharp.torch.Tensor;

namespace Pade.Bench.Oracle;

/// <summary>
/// The deterministic creation and counting ops against libtorch's: linspace, logspace and eye (in the run's dtype,
/// taken from a dummy input), searchsorted (1-D and batched, left and right), bucketize, bincount (with and without
/// weights, minlength), histc (given range and the data's range), unique_consecutive (flattened and along a dim:
/// values, inverse, counts) and unique along a dim. Values are on a grid of quarters so that ties and exact hits of boundaries and bin edges
/// are common (exact in float32 too), mixed with off-grid values. Results are compared as float64 (int64 indices
/// converted); none is differentiable. The random ops (randint, randperm, multinomial, normal) use Pade's own
/// generator, so they are tested by their distributions in the unit tests, not here.
/// </summary>
public static partial class OracleCases
{
    private static void AddCreation(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7949 + 97);
        var dummy = new OracleInput("dtype", [1], [0], Grad: false);
        for (int i = 0; i < perFamily; i++)
        {
            // linspace / logspace below 8 steps: libtorch's vectorised fill (chunks of 2 vectors) adds the step to a
            // chunk's first value instead of using the symmetric formula, an ulp apart from it; short ranges are scalar.
            double start = Math.Round(g.Values(1, -5, 5)[0], 3), end = g.Coin(0.2) ? start : Math.Round(g.Values(1, -5, 5)[0], 3);
            int steps = g.Int(0, 7);
            double b = g.Pick(10.0, 2.0, 0.5);
            cases.Add(Det("linspace", $"start {start} end {end} steps {steps}", [dummy],
                p => PTensor.Linspace(start, end, steps, p[0].DType), _ => torch.linspace(start, end, steps, torch.float64)));
            cases.Add(Det("logspace", $"start {start} end {end} steps {steps} base {b}", [dummy],
                p => PTensor.Logspace(start, end, steps, b, p[0].DType), _ => torch.logspace(start, end, steps, b, torch.float64)));
            int n = g.Int(0, 5), m = g.Int(0, 5);
            cases.Add(Det("eye", $"n {n} m {m}", [dummy], p => PTensor.Eye(n, m, p[0].DType), _ => torch.eye(n, m, torch.float64)));

            // searchsorted: a sorted 1-D sequence or one sorted row per leading index.
            bool batched = g.Coin();
            int len = g.Int(1, 6);
            int[] lead = batched ? g.Shape(1, 2, 3) : [];
            int rows = lead.Aggregate(1, (a, c) => a * c);
            var seq = Enumerable.Range(0, rows).SelectMany(_ => GridValues(g, len).Order()).ToArray();
            var seqIn = new OracleInput("sorted_sequence", batched ? [.. lead, len] : [len], seq, Grad: false);
            int[] vshape = batched ? [.. lead, g.Int(1, 4)] : g.Shape(1, 3, 4);
            var valIn = new OracleInput("values", vshape, GridValues(g, vshape.Aggregate(1, (a, c) => a * c)), Grad: false);
            bool right = g.Coin();
            string label = $"{Fmt(seqIn.Shape)} values {Fmt(vshape)} right {right}";
            cases.Add(Det("searchsorted", label, [seqIn, valIn],
                p => PTensor.Searchsorted(p[0], p[1], right), t => torch.searchsorted(t[0], t[1], right: right)));
            if (!batched)
                cases.Add(Det("bucketize", $"input {Fmt(vshape)} boundaries {Fmt(seqIn.Shape)} right {right}", [valIn, seqIn],
                    p => p[0].Bucketize(p[1], right), t => torch.bucketize(t[0], t[1], right: right)));

            // bincount
            int count = g.Int(1, 12), minlength = g.Int(0, 9);
            var ints = new OracleInput("input", [count], Enumerable.Range(0, count).Select(_ => (double)g.Int(0, 6)).ToArray(), Grad: false, Indices: true);
            cases.Add(Det("bincount", $"[{count}] minlength {minlength}", [ints],
                p => p[0].Bincount(minlength: minlength), t => t[0].bincount(null, minlength)));
            var weights = new OracleInput("weights", [count], g.Values(count), Grad: false);
            cases.Add(Det("bincount", $"[{count}] weights minlength {minlength}", [ints, weights],
                p => p[0].Bincount(p[1], minlength), t => t[0].bincount(t[1], minlength)));

            // histc: a dyadic range (edges exact) or the data's (min == max); values on the grid hit the edges.
            var hshape = g.Shape(1, 3, 5);
            var hx = new OracleInput("x", hshape, GridValues(g, hshape.Aggregate(1, (a, c) => a * c)), Grad: false);
            int bins = g.Pick(1, 2, 3, 4, 5, 8);
            double lo = g.Coin(0.3) ? 0 : g.Int(-2, 1), hi = lo == 0 && g.Coin() ? 0 : lo + g.Pick(1, 2, 4);
            cases.Add(Det("histc", $"{Fmt(hshape)} bins {bins} min {lo} max {hi}", [hx],
                p => p[0].Histc(bins, lo, hi), t => t[0].histc(bins, (long)lo, (long)hi)));

            // unique_consecutive: values from a few levels so runs are common; flattened and along a dim.
            var ushape = g.Shape(1, 3, 4);
            var ux = new OracleInput("x", ushape, Enumerable.Range(0, ushape.Aggregate(1, (a, c) => a * c)).Select(_ => g.Int(0, 2) * 0.5).ToArray(), Grad: false);
            int? dim = g.Coin() ? g.Int(-ushape.Length, ushape.Length - 1) : null;
            string ul = $"{Fmt(ushape)} dim {dim?.ToString() ?? "none"}";
            cases.Add(Det("unique_consecutive", $"{ul} values", [ux],
                p => p[0].UniqueConsecutive(dim: dim).Values, t => t[0].unique_consecutive(dim: dim).output));
            cases.Add(Det("unique_consecutive", $"{ul} inverse", [ux],
                p => p[0].UniqueConsecutive(returnInverse: true, dim: dim).Inverse!, t => t[0].unique_consecutive(return_inverse: true, dim: dim).inverse_indices!));
            cases.Add(Det("unique_consecutive", $"{ul} counts", [ux],
                p => p[0].UniqueConsecutive(returnCounts: true, dim: dim).Counts!, t => t[0].unique_consecutive(return_counts: true, dim: dim).counts!));
            if (dim is int ud)
            {
                cases.Add(Det("unique_dim", $"{ul} values", [ux], p => p[0].Unique(dim: ud).Values, t => t[0].unique(dim: ud).output));
                cases.Add(Det("unique_dim", $"{ul} inverse", [ux],
                    p => p[0].Unique(returnInverse: true, dim: ud).Inverse!, t => t[0].unique(return_inverse: true, dim: ud).inverse_indices!));
                cases.Add(Det("unique_dim", $"{ul} counts", [ux],
                    p => p[0].Unique(returnCounts: true, dim: ud).Counts!, t => t[0].unique(return_counts: true, dim: ud).counts!));
            }
        }
        // Fixed: NaN values go last in searchsorted; histc's max in the last bin, out-of-range values ignored.
        var nanSeq = new OracleInput("sorted_sequence", [4], [-1, 0, 0, 2], Grad: false);
        var nanVals = new OracleInput("values", [5], [double.NaN, 0, 2, -3, 5], Grad: false);
        foreach (bool right in new[] { false, true })
            cases.Add(Det("searchsorted", $"[4] NaN, ties and outside values right {right}", [nanSeq, nanVals],
                p => PTensor.Searchsorted(p[0], p[1], right), t => torch.searchsorted(t[0], t[1], right: right)));
        var edge = new OracleInput("x", [7], [0, 0.25, 0.5, 1, 1.5, -0.1, 1.1], Grad: false);
        cases.Add(Det("histc", "[7] edges, max and outside, bins 4 min 0 max 1", [edge], p => p[0].Histc(4, 0, 1), t => t[0].histc(4, 0, 1)));
        cases.Add(Det("histc", "[1] one value, default range", [new OracleInput("x", [1], [3], Grad: false)], p => p[0].Histc(5), t => t[0].histc(5)));
    }

    /// <summary>Quarters in [−2, 2] (ties, exact boundary hits), a third of the time an off-grid value in [−2.5, 2.5].</summary>
    private static double[] GridValues(OracleGen g, int n) =>
        Enumerable.Range(0, n).Select(_ => g.Coin(0.3) ? g.Values(1, -2.5, 2.5)[0] : g.Int(-8, 8) / 4.0).ToArray();

    /// <summary>A non-differentiable case compared as float64.</summary>
    private static OracleCase Det(string family, string config, OracleInput[] inputs, Func<PTensor[], PTensor> pade, Func<TTensor[], TTensor> torchOp) =>
        new(family, config, inputs, p => pade(p).To(Pade.Engine.DType.Float64), t => torchOp(t).to_type(torch.ScalarType.Float64),
            Tolerance: 1e-14, Differentiable: false, Tolerance32: 1e-6);
}
