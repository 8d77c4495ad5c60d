using Pade.Engine;
using Pade.Engine.Functional;
using PauFormula = Pade.Kernels.CudaBackend.PauFormula;

namespace Pade.Kernels.Catalog;

/// <summary>
/// The numbers and layouts cuda/ shares with C#: op codes (enum values passed as <c>int op</c>), PAU formula codes,
/// limits that size arrays in the kernels, block sizes, and the structs passed by value. C# is the reference: the
/// .cu files repeat the values, and Tests/KernelConstantsTests.cs reads their sources and fails on any difference,
/// and on any integer <c>#define</c>, <c>enum</c> or by-value struct in cuda/ that is not listed here.
/// </summary>
public static class KernelConstants
{
    /// <summary>An <c>enum</c> of a kernel file whose enumerators are <c>Prefix_Name = value</c> for C# enum members.</summary>
    public sealed record SharedEnum(string File, string CName, string Prefix, IReadOnlyDictionary<string, int> Codes);

    public static IReadOnlyList<SharedEnum> Enums { get; } =
    [
        new("elementwise.cu", "UnaryOpCode", "U", Codes<UnaryOp>(CudaBackend.IsCoreUnary)),
        new("elementwise.cu", "BinaryOpCode", "B", Codes<BinaryOp>()),
        new("activations.cu", "ActivationOpCode", "U", Codes<UnaryOp>(CudaBackend.IsActivationUnary)),
        new("reduce.cu", "ReduceOpCode", "R", Codes<ReduceOp>()),
        new("random.cu", "DistributionCode", "D", Codes<Distribution>()),
    ];

    /// <summary>Integer <c>#define</c>s of the kernel files and the C# value each must equal.</summary>
    public static IReadOnlyList<(string File, string Name, int Value)> Defines { get; } =
    [
        ("activations.cu", "ACT_THREADS", ActivationKernels.PReluBackward.F32.Threads),
        ("activations.cu", "ACT_MAXP", ActivationKernels.MaxChannelParameters),
        ("batchnorm.cu", "BN_THREADS", BatchNormKernels.Stats.F32.Threads),
        ("conv.cu", "CONV_THREADS", ConvKernels.DepthwiseBackwardWeight.F32.Threads),
        ("pau.cu", "PAU_MAXA", PauKernels.MaxCoefficients),
        ("pau.cu", "PAU_MAXB", PauKernels.MaxCoefficients),
        ("pau.cu", "PAU_THREADS", PauKernels.CoeffReduce.F32.Threads),
        ("pau.cu", "PAU_VA", (int)PauFormula.A),
        ("pau.cu", "PAU_VB", (int)PauFormula.B),
        ("pau.cu", "PAU_VC", (int)PauFormula.C),
    ];

    /// <summary>Structs passed to kernels by value, and the C# type with the same fields in the same order.</summary>
    public static IReadOnlyList<(string File, string CName, Type Type)> Structs { get; } =
    [
        ("conv.cu", "ConvGeometry", typeof(Conv2dGeometry)),
        ("pool.cu", "PoolGeometry", typeof(Pool2dGeometry)),
        ("common.cuh", "Dims8", typeof(Dims8)),
    ];

    private static Dictionary<string, int> Codes<T>(Func<T, bool>? where = null) where T : struct, Enum =>
        Enum.GetValues<T>().Where(v => where?.Invoke(v) ?? true).ToDictionary(v => v.ToString(), v => Convert.ToInt32(v));
}
