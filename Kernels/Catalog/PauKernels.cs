using Pade.Engine;
using static Pade.Kernels.Catalog.KernelParam;
using PauFormula = Pade.Kernels.CudaBackend.PauFormula;

namespace Pade.Kernels.Catalog;

/// <summary>
/// cuda/pau.cu: the PAU forward and backward of each denominator formula (<c>pau_&lt;a|b|c&gt;_&lt;pass&gt;_&lt;t&gt;</c>,
/// up to <see cref="MaxCoefficients"/> coefficients each), the written-out (5, 4) specialisation of A and B
/// (<c>pau54_*</c>), and the cross-block reduction of the coefficient gradients.
/// </summary>
public static class PauKernels
{
    public static readonly KernelFile File = new("pau.cu");

    /// <summary>Most coefficients per polynomial the generic kernels take (pau.cu's PAU_MAXA and PAU_MAXB).</summary>
    public const int MaxCoefficients = 8;

    // NAME_forward_<t>(const T* x, T* y, const T* a, const T* b, int na, int nb, long long outer, int channels,
    //                  long long inner, unsigned long long seed, unsigned long long offset, double alpha)
    private static KernelParam[] Forward(ScalarParam _) =>
        [Ptr("x"), Ptr("y"), Ptr("a"), Ptr("b"), I32("na"), I32("nb"), I64("outer"), I32("channels"), I64("inner"),
         U64("seed"), U64("offset"), F64("alpha")];

    // NAME_backward_<t>(const T* x, const T* dy, T* dx, double* partials, const T* a, const T* b, int na, int nb,
    //                   long long outer, int channels, long long inner, unsigned long long seed, unsigned long long offset, double alpha)
    private static KernelParam[] Backward(ScalarParam _) =>
        [Ptr("x"), Ptr("dy"), Ptr("dx"), Ptr("partials"), Ptr("a"), Ptr("b"), I32("na"), I32("nb"), I64("outer"),
         I32("channels"), I64("inner"), U64("seed"), U64("offset"), F64("alpha")];

    private static readonly Dictionary<(PauFormula, bool Fixed54, bool Backward), FloatKernel> Entries = Declare();

    public static readonly FloatKernel CoeffReduce = File.PerFloat("pau_coeff_reduce", _ =>
        [Ptr("partials"), I32("pieces"), Ptr("b"), Ptr("da"), Ptr("db"), I32("na"), I32("nb"), I32("version")]);

    private static Dictionary<(PauFormula, bool, bool), FloatKernel> Declare()
    {
        var entries = new Dictionary<(PauFormula, bool, bool), FloatKernel>();
        foreach (var fixed54 in (bool[])[false, true])
            foreach (var formula in Enum.GetValues<PauFormula>())
            {
                if (fixed54 && formula == PauFormula.C) continue; // C has a constant term: no (5, 4) kernel
                var stem = $"pau{(fixed54 ? "54" : "")}_{formula.ToString().ToLowerInvariant()}";
                entries[(formula, fixed54, false)] = File.PerFloat(stem + "_forward", Forward);
                entries[(formula, fixed54, true)] = File.PerFloat(stem + "_backward", Backward);
            }
        return entries;
    }

    /// <summary>The forward or backward entry point: the (5, 4) specialisation for the paper's degrees without noise
    /// (formulas A and B), else the generic kernel of the formula.</summary>
    public static Kernel For(PauFormula formula, bool backward, int na, int nb, double alpha, DType dtype)
    {
        bool fixed54 = na == 6 && nb == 4 && alpha == 0 && formula != PauFormula.C;
        return Entries[(formula, fixed54, backward)][dtype];
    }
}
