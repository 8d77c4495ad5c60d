using Pade.Engine;

namespace Pade.Kernels.OpCases;

/// <summary>How an op case's reference is computed on the CPU.</summary>
public enum ReferenceKind
{
    /// <summary>The same body in float64: the device's float32 (or float64) result against exact-as-possible values.</summary>
    Float64,

    /// <summary>The same body in the device's dtype: for ops whose numbers depend on the dtype (random streams draw
    /// one Philox word per float32 number and two per float64). On the CPU itself that comparison is trivial, so
    /// there only the case's <see cref="OpCase.Property"/> runs.</summary>
    SameDType,

    /// <summary>The body branches on <see cref="OpEnv.IsReference"/> (another formula for the same values, e.g. a
    /// composed reference for a fused op), run in float64.</summary>
    Custom,
}

/// <summary>What an op case's body is told about the run it is part of.</summary>
/// <param name="Device">Where the tensors live.</param>
/// <param name="DType">The float dtype the tensors of this run have.</param>
/// <param name="DeviceDType">The dtype of the run under test (equal to <paramref name="DType"/> except in the
/// float64 reference run), for bodies that must draw the numbers the device draws.</param>
/// <param name="IsReference">True in the CPU reference run.</param>
public readonly record struct OpEnv(Device Device, DType DType, DType DeviceDType, bool IsReference);

/// <summary>How an input is generated (on the CPU, in float64, from a Philox stream seeded by the case name).</summary>
public enum InputKind
{
    /// <summary>Uniform in [Lo, Hi).</summary>
    Uniform,

    /// <summary>Uniform in [Lo, Hi) rounded down to a multiple of 1/4: ties and exact zeros occur (max, argmax,
    /// comparisons, the kinks of ReLU-like functions), and every value is exact in float32.</summary>
    Coarse,

    /// <summary>Int32 class indices in [Lo, Hi).</summary>
    Index,
}

/// <summary>One input of an op case. Float inputs are leaves that require grad (unless <see cref="Grad"/> is false):
/// their gradients are compared. <see cref="View"/> is applied on the device (a transpose, a slice at an odd
/// offset, a broadcast), so the op sees a strided or unaligned operand and the gradient flows back through it.</summary>
public sealed record OpInput(string Name, int[] Shape, InputKind Kind = InputKind.Uniform, double Lo = -1, double Hi = 1)
{
    public bool Grad { get; init; } = true;
    public Func<Tensor, Tensor>? View { get; init; }

    public bool IsIndex => Kind == InputKind.Index;

    public override string ToString() => $"{Name} {Shapes.Format(Shape)}";
}

/// <summary>
/// Tolerance of a compared tensor, in units of the machine epsilon of the dtype under test (2⁻²³ or 2⁻⁵²):
/// an element passes when |device − reference| ≤ Abs·eps + Rel·eps·|reference|.
/// </summary>
public readonly record struct Tolerance(double Rel, double Abs)
{
    /// <summary>Equal values: copies, comparisons, max/min, indices, bit-identical random streams.</summary>
    public static Tolerance Exact => new(0, 0);

    /// <summary>A pointwise result within k roundings of the reference: one rounding of a correctly rounded
    /// operation is ½ ulp; a transcendental function of CUDA's libdevice or .NET adds a few more; values near 0
    /// (where a relative bound means nothing) get k·eps absolute.</summary>
    public static Tolerance Ulps(double k) => new(k, k);

    /// <summary>
    /// A sum of <paramref name="terms"/> terms of magnitude up to <paramref name="magnitude"/>, added in another
    /// order than the reference: each of the n additions rounds a partial sum (random signs keep those near √n·M),
    /// so the error is about √n·√n·M = n·M ulps; 4 for the spread of such errors, and 8 ulps relative for the final
    /// roundings of the result.
    /// </summary>
    public static Tolerance Sum(double terms, double magnitude = 1) => new(8, 4 * Math.Max(1, terms) * magnitude);

    public double AbsFor(DType dtype) => Abs * OpCheck.Eps(dtype);
    public double RelFor(DType dtype) => Rel * OpCheck.Eps(dtype);
}

/// <summary>
/// One op test, run on any device in the spirit of tinygrad's helper_test_op: the body applies public Engine ops
/// (with autograd) to the inputs; <see cref="OpCheck"/> runs it on the device under test and on the CPU in float64,
/// then compares every output and every input gradient (from a random upstream gradient on output 0).
/// </summary>
/// <param name="Family">The op ("conv2d", "unary Exp"): the start of the test name.</param>
/// <param name="Detail">Shapes and parameters ("[2, 3, 7, 9] k3 s2 p1"): the end of the test name.</param>
/// <param name="Inputs">The inputs, generated afresh for every run from the case's name.</param>
/// <param name="Body">The op. Output 0 is differentiated when <see cref="Backward"/>; other outputs (state such as
/// running statistics or optimizer buffers) are compared as values.</param>
public sealed record OpCase(string Family, string Detail, OpInput[] Inputs, Func<OpEnv, Tensor[], Tensor[]> Body)
{
    /// <summary>Tolerance of every output, and of the gradients unless <see cref="GradTol"/> is given.</summary>
    public Tolerance Tol { get; init; } = Tolerance.Ulps(4);

    /// <summary>Tolerance of the input gradients (a sum over the output's elements has a bound of its own).</summary>
    public Tolerance? GradTol { get; init; }

    /// <summary>Per-output tolerances where outputs differ in how they are computed (null: <see cref="Tol"/>).</summary>
    public Tolerance[]? OutputTols { get; init; }

    /// <summary>Per-input gradient tolerances (null: <see cref="GradTol"/>).</summary>
    public Tolerance[]? GradTols { get; init; }

    public DType[] DTypes { get; init; } = [DType.Float32, DType.Float64];
    public bool Backward { get; init; } = true;
    public ReferenceKind Reference { get; init; } = ReferenceKind.Float64;

    /// <summary>Names of the outputs in messages (default y, y1, y2, ...).</summary>
    public string[]? OutputNames { get; init; }

    /// <summary>A check of the device's outputs that needs no reference (a distribution's moments, a range),
    /// returning null or what is wrong; the inputs are passed too. Runs on every device.</summary>
    public Func<Tensor[], Tensor[], string?>? Property { get; init; }

    /// <summary>
    /// The CUDA entry points this case is meant to launch, as "file.cu:name" with {t} for the dtype's suffix
    /// (f32, f64). On CUDA the run fails when one of them was not launched; without a GPU the union of all cases'
    /// declarations is checked against <see cref="Catalog.KernelCatalog"/>, so every kernel has a case.
    /// </summary>
    public string[] Kernels { get; init; } = [];

    /// <summary>"conv2d f32 [2, 3, 7, 9] k3 s2 p1": the case for one dtype, as tests and `pade gpu check` name it.</summary>
    public string NameFor(DType dtype) => $"{Family} {CudaBackend.Suffix(dtype)} {Detail}".TrimEnd();

    /// <summary>The declared kernels for <paramref name="dtype"/>, as (file, entry point).</summary>
    public IEnumerable<(string File, string Kernel)> KernelsFor(DType dtype) =>
        Kernels.Select(k => OpCheck.ParseKernel(k, dtype));

    /// <summary>The dtypes worth running on <paramref name="device"/>: on the CPU a run in the reference's own dtype
    /// would compare the CPU with itself, so it is left out unless the case has a property or its own reference.</summary>
    public IEnumerable<DType> DTypesOn(Device device) =>
        device.Type != DeviceType.Cpu ? DTypes : DTypes.Where(t => !ComparesCpuWithItself(t) || Property != null);

    internal bool ComparesCpuWithItself(DType dtype) =>
        Reference != ReferenceKind.Custom && (Reference == ReferenceKind.SameDType || dtype == DType.Float64);
}
