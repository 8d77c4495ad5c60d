using Pade.Engine;

namespace Pade.Kernels.OpCases;

/// <summary>Predicates, logical ops, nan_to_num, clamp with tensor bounds, the NaN-aware reductions, aminmax, cov and
/// corrcoef: compositions of Compare, Where, the reductions and Mm, so no kernel of their own; these cases check that
/// the composition runs the same on every device (NaN and ±∞ placed on the coarse grid's 1.75, 1.5 and −2).</summary>
public static partial class OpSuite
{
    /// <summary>x with NaN where it is 1.75, +∞ where 1.5, −∞ where −2 (a coarse input's grid has all three).</summary>
    private static Tensor Specials(Tensor x)
    {
        Tensor S(double v) => Tensor.Full([], v, x.DType, x.Device);
        var y = Tensor.Where(x.Eq(1.75), S(double.NaN), x);
        y = Tensor.Where(x.Eq(1.5), S(double.PositiveInfinity), y);
        return Tensor.Where(x.Eq(-2), S(double.NegativeInfinity), y);
    }

    private static void AddPredicateCases(List<OpCase> cases)
    {
        cases.Add(new("predicates", "[6, 7]", [Coarse("x", [6, 7]), Coarse("w", [7])], (_, x) =>
        {
            var s = Specials(x[0]);
            return [s.IsNan(), s.IsInf(), s.IsPosInf(), s.IsNegInf(), s.IsFinite(), s.LogicalNot(), s.LogicalAnd(x[1]),
                s.LogicalOr(x[1]), s.LogicalXor(x[1]), s.IsClose(x[1], rtol: 0.1, equalNan: true), s.CountNonzero([0])];
        }) { Backward = false, Tol = Tolerance.Exact });

        cases.Add(new("nan_to_num", "[6, 5]", [Coarse("x", [6, 5])], (_, x) => One(Specials(x[0]).NanToNum(0.5, 3, -3)))
            { Tol = Tolerance.Exact, GradTol = Tolerance.Exact });

        cases.Add(new("clamp tensor", "x [4, 5] min [5] max [4, 1]", [Coarse("x", [4, 5]), Coarse("min", [5], -1, 1), Coarse("max", [4, 1], -1, 2)],
            (_, x) => One(x[0].Clamp(x[1], x[2]))) { Tol = Tolerance.Exact, GradTol = Tolerance.Sum(5) });

        cases.Add(new("nansum", "[7, 9] dim 1 keepdim", [Coarse("x", [7, 9])], (_, x) =>
        {
            var s = Specials(x[0]).NanToNum(double.NaN, 0, 0); // NaN only: an infinity would make the sum NaN
            return [s.Nansum([1], keepDim: true), s.Nanmean([0])];
        }) { Tol = Tolerance.Sum(9, 2), GradTol = Tolerance.Sum(9) });

        cases.Add(new("aminmax", "[5, 6] dim -1", [In("x", [5, 6])], (_, x) =>
        {
            var (lo, hi) = x[0].Aminmax(-1);
            return [lo * 2.0 + hi, lo, hi];
        }) { Tol = Tolerance.Ulps(1) });

        cases.Add(new("cov", "[3, 8] aweights", [In("x", [3, 8]), Fixed("aweights", [8], 0.1, 1)],
            (_, x) => One(x[0].Cov(1, aweights: x[1]))) { Tol = Tolerance.Sum(16, 2), GradTol = Tolerance.Sum(16, 2) });

        cases.Add(new("corrcoef", "[3, 8]", [In("x", [3, 8])], (_, x) => One(x[0].Corrcoef()))
            { Tol = Tolerance.Sum(64, 4), GradTol = Tolerance.Sum(64, 8) });
    }
}
