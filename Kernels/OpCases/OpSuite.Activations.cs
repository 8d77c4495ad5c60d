using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Kernels.OpCases;

/// <summary>The learnable activations (cuda/activations.cu): PReLU, APL, SReLU, SLAF with per-channel parameter
/// gradients reduced per block and then across blocks, Maxout, and RReLU's noise.</summary>
public static partial class OpSuite
{
    private const string Act = "activations.cu:", ChannelReduceK = Act + "channel_reduce_{t}";

    private static void AddActivationCases(List<OpCase> cases)
    {
        // Per channel: x [3, 5, 37], 111 elements per channel (a parameter gradient sums 111 terms); shared: one
        // parameter set for a 4-D input of 120 elements.
        int[] xs = [3, 5, 37], x4 = [2, 3, 4, 5];
        const double perChannel = 111, shared = 120;

        foreach (var (label, shape, c, terms) in new[] { ("per-channel [3, 5, 37]", xs, 5, perChannel), ("shared [2, 3, 4, 5]", x4, 1, shared) })
        {
            cases.Add(new("prelu", label, [In("x", shape, -2, 2), In("w", [c], 0, 0.5)], (_, x) => One(x[0].PRelu(x[1])))
            {
                // y = w·x: one rounding; dw sums x·dy (|x| ≤ 2) over the channel.
                Tol = Tolerance.Ulps(1), GradTols = [Tolerance.Ulps(1), Tolerance.Sum(terms, 2)],
                Kernels = [Act + "prelu_{t}", Act + "prelu_backward_{t}", ChannelReduceK],
            });
            cases.Add(new("srelu", label,
                [In("x", shape, -3, 3), In("tl", [c], -1.2, -0.8), In("al", [c], 0, 0.3), In("tr", [c], 0.8, 1.2), In("ar", [c], 0.8, 1.2)],
                (_, x) => One(x[0].SRelu(x[1], x[2], x[3], x[4])))
            {
                // t + a(x − t): two roundings of values up to 3; parameter gradients sum terms up to |x − t| ≤ 4.2.
                Tol = Tolerance.Ulps(4), GradTols = [Tolerance.Ulps(4), .. Enumerable.Repeat(Tolerance.Sum(terms, 4.2), 4)],
                Kernels = [Act + "srelu_{t}", Act + "srelu_backward_{t}", ChannelReduceK],
            });
        }

        cases.Add(new("apl", "3 hinges per-channel [3, 5, 37]", [In("x", xs, -2, 2), In("a", [3, 5], -0.5, 0.5), In("b", [3, 5])],
            (_, x) => One(x[0].Apl(x[1], x[2])))
        {
            // max(0, x) + Σ_s a_s max(0, b_s − x): 3 products and sums of terms up to 1.5; da sums max(0, b − x) ≤ 3.
            Tol = new(8, 8 * 3), GradTols = [new(8, 8), Tolerance.Sum(perChannel, 3), Tolerance.Sum(perChannel, 1)],
            Kernels = [Act + "apl_{t}", Act + "apl_backward_{t}", ChannelReduceK],
        });
        cases.Add(new("apl", "1 hinge shared [2, 3, 4, 5]", [In("x", x4, -2, 2), In("a", [1, 1], -0.5, 0.5), In("b", [1, 1])],
            (_, x) => One(x[0].Apl(x[1], x[2])))
        {
            Tol = new(8, 8), GradTols = [new(8, 8), Tolerance.Sum(shared, 3), Tolerance.Sum(shared, 1)],
            Kernels = [Act + "apl_{t}", Act + "apl_backward_{t}", ChannelReduceK],
        });

        foreach (var (label, coefficients) in new[] { ("width 4 per-channel [3, 5, 37]", new[] { 5, 4 }), ("width 3 shared [3, 5, 37]", new[] { 3 }) })
            cases.Add(new("slaf", label, [In("x", xs, -2, 2), In("c", coefficients, -0.5, 0.5)], (_, x) => One(x[0].Slaf(x[1])))
            {
                // A cubic at |x| ≤ 2 (terms up to 4): Horner's roundings scale with Σ|a_k x^k| ≤ 7.5; its coefficient
                // gradients sum x^k·dy (≤ 8) over a channel (shared: the whole tensor, 555 terms).
                Tol = new(8, 8 * 7.5), GradTols = [new(8, 8 * 12), Tolerance.Sum(coefficients.Length == 1 ? 555 : perChannel, 8)],
                Kernels = [Act + "slaf_{t}", Act + "slaf_backward_{t}", ChannelReduceK],
            });

        cases.Add(new("maxout", "3 pieces [2, 12, 37]", [Coarse("x", [2, 12, 37])], (_, x) => One(x[0].Maxout(3)))
            { Tol = Tolerance.Exact, Kernels = [Act + "maxout_{t}", Act + "maxout_backward_{t}"] });
        cases.Add(new("maxout", "2 pieces [3, 2]", [Coarse("x", [3, 2])], (_, x) => One(x[0].Maxout(2)))
            { Tol = Tolerance.Exact, Kernels = [Act + "maxout_{t}", Act + "maxout_backward_{t}"] });

        // RReLU in training: slopes from the noise stream of a fixed generator. The reference draws the same
        // numbers itself (number i of the stream, one word per float32 number and two per float64) and applies
        // y = x or r·x with plain ops, so the CPU's fused kernel is checked too.
        const double lower = 1.0 / 8, upper = 1.0 / 3;
        const ulong seed = 42;
        foreach (var shape in (int[][])[[1001], [4, 64]])
            cases.Add(new("rrelu training", Fmt(shape), [In("x", shape, -2, 2)], (e, x) =>
            {
                var gen = new Generator(seed) { Offset = 5 };
                if (!e.IsReference) return One(x[0].RRelu(lower, upper, training: true, generator: gen));
                ulong offset = NoiseStream.Reserve(gen, e.DeviceDType, x[0].Numel);
                bool single = e.DeviceDType == DType.Float32;
                var r = new double[x[0].Numel];
                for (int i = 0; i < r.Length; i++)
                {
                    // The slope as the kernel rounds it to its dtype.
                    double slope = lower + (upper - lower) * NoiseStream.Uniform(seed, offset, (ulong)i, single);
                    r[i] = single ? (float)slope : slope;
                }
                var slopes = Tensor.FromSpan<double>(r, x[0].ShapeCopy());
                return One(Tensor.Where(x[0].Gt(0), x[0], x[0] * slopes));
            })
            {
                Reference = ReferenceKind.Custom, Tol = Tolerance.Ulps(1),
                Kernels = [Act + "rrelu_{t}"],
            });

        // The slopes bit for bit as the CPU's kernel draws them, in the same dtype: lower + (upper − lower)·u rounds
        // twice on the CPU, so the device must not fuse it into one fma (NVRTC does by default: one slope in five
        // was one ulp off in float64 before cuda/activations.cu said __dmul_rn/__dadd_rn).
        cases.Add(new("rrelu training bits", "[100003]", [In("x", [100003], -2, 2)], (e, x) =>
            One(x[0].RRelu(lower, upper, training: true, generator: new Generator(seed) { Offset = 5 })))
        {
            Backward = false, Reference = ReferenceKind.SameDType, Tol = Tolerance.Exact,
            Kernels = [Act + "rrelu_{t}"],
        });
    }
}
