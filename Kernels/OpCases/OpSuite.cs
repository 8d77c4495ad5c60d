using Pade.Engine;
using Pade.Kernels.Parity;

namespace Pade.Kernels.OpCases;

/// <summary>
/// Every op the CUDA backend implements, as <see cref="OpCase"/>s through the public Engine API with autograd: run
/// by the op tests on <c>cpu</c> and <c>cuda</c> (Tests/OpTests.cs) and by `pade gpu check` on real hardware.
/// </summary>
/// <remarks>
/// Shapes are small (hundreds to a few thousand elements: the tests also run on an emulated GPU) and chosen for the
/// kernels' edge paths: size-1 dims, odd sizes, counts that are not multiples of 256, 32 or 4 (scalar tails), counts
/// that are multiples of 4 at aligned addresses (16-byte packs), views at an odd offset (unaligned pointers),
/// transposed and broadcast operands. A few cases are larger where a path needs it (multi-pass reductions).
/// </remarks>
public static partial class OpSuite
{
    private static readonly Lazy<IReadOnlyList<OpCase>> All = new(Build);

    /// <summary>All cases, in a fixed order.</summary>
    public static IReadOnlyList<OpCase> Cases => All.Value;

    private static IReadOnlyList<OpCase> Build()
    {
        var cases = new List<OpCase>();
        AddTensorCases(cases);
        AddUnaryCases(cases);
        AddBinaryCases(cases);
        AddReductionCases(cases);
        AddLossCases(cases);
        AddLinearCases(cases);
        AddRandomAndOptimizerCases(cases);
        AddActivationCases(cases);
        AddPauCases(cases);
        AddLayerCases(cases);
        AddIndexingCases(cases);
        AddConvTransposeCases(cases);
        AddOneDCases(cases);
        AddCumulativeCases(cases);
        AddAdaptiveOptimizerCases(cases);
        AddPadCases(cases);
        AddMoreLossCases(cases);
        AddNormsDistancesCases(cases);
        AddSortCases(cases);
        AddTensorOpCases(cases);
        AddMathOpCases(cases);
        AddThreeDCases(cases);
        AddScanCases(cases);
        AddScatterCases(cases);
        AddModules2Cases(cases);
        AddVisionCases(cases);
        AddPredicateCases(cases);
        AddShapeCases(cases);
        var names = cases.SelectMany(c => c.DTypes.Select(c.NameFor)).ToList();
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null) throw new InvalidOperationException($"op case name '{duplicate.Key}' is used twice");
        return cases;
    }

    /// <summary>Every case and dtype on CUDA, as rows of `pade gpu check`.</summary>
    public static IEnumerable<ParityCase> OnCuda() =>
        Cases.SelectMany(c => c.DTypes.Select(t => new ParityCase(c.NameFor(t), c.Family,
            _ => OpCheck.Run(c, Device.Cuda, t))));

    // ---- kernel names ({t}: the dtype's suffix; * any run of characters, for the GEMM tile the backend picks) ----

    private const string Elementwise = "elementwise.cu:", Reduce = "reduce.cu:", FillCopy = "fill_copy.cu:";
    private const string UnaryK = Elementwise + "unary_{t}", UnaryBackwardK = Elementwise + "unary_backward_{t}";
    private const string BinaryK = Elementwise + "binary_{t}", WhereK = Elementwise + "where_{t}";
    private const string RowsK = Reduce + "reduce_rows_{t}", StridedK = Reduce + "reduce_strided_{t}";
    private const string CopyK = FillCopy + "copy_{t}_{t}";
    private const string GemmNN = "gemm.cu:gemm_{t}_*_nn", GemmNT = "gemm.cu:gemm_{t}_*_nt", GemmTN = "gemm.cu:gemm_{t}_*_tn";

    // ---- inputs -------------------------------------------------------------------------------------------------

    private static OpInput In(string name, int[] shape, double lo = -1, double hi = 1) => new(name, shape, InputKind.Uniform, lo, hi);

    private static OpInput Coarse(string name, int[] shape, double lo = -2, double hi = 2) => new(name, shape, InputKind.Coarse, lo, hi);

    private static OpInput Fixed(string name, int[] shape, double lo = -1, double hi = 1) => In(name, shape, lo, hi) with { Grad = false };

    private static OpInput Indices(string name, int[] shape, int classes) => new(name, shape, InputKind.Index, 0, classes);

    private static string Fmt(int[] shape) => Shapes.Format(shape);

    private static Tensor[] One(Tensor y) => [y];
}
