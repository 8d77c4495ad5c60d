namespace Pade.Engine;

/// <summary>Element type of a tensor. Arithmetic is written once over .NET generic math and runs for Float32 and
/// Float64; Int32 holds class labels and indices (creation, copies, comparisons, no gradients).</summary>
public enum DType { Float32, Float64, Int32 }

public static class DTypeExtensions
{
    public static int SizeInBytes(this DType d) => d switch { DType.Float64 => 8, _ => 4 };

    public static bool IsFloating(this DType d) => d is DType.Float32 or DType.Float64;

    /// <summary>PyTorch's result type of two dtypes: float64 over float32 over int32.</summary>
    public static DType Promote(this DType a, DType b) =>
        a == DType.Float64 || b == DType.Float64 ? DType.Float64 : a == DType.Float32 || b == DType.Float32 ? DType.Float32 : a;

    /// <summary>PyTorch's spelling, used in ToString and error messages.</summary>
    public static string TorchName(this DType d) => d switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        _ => "int32",
    };

    public static DType Of<T>() =>
        typeof(T) == typeof(float) ? DType.Float32 :
        typeof(T) == typeof(double) ? DType.Float64 :
        typeof(T) == typeof(int) ? DType.Int32 :
        throw new NotSupportedException($"no tensor dtype for element type {typeof(T).Name}");
}
