using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pade.Kernels.Catalog;
using Pade.Kernels.Interop;

namespace Pade.Kernels;

/// <summary>
/// One kernel argument by value, stored inline (up to <see cref="MaxBytes"/> bytes), so a launch can build the
/// <c>void*[]</c> that cuLaunchKernel wants without boxing or heap allocation:
/// <c>device.Launch(kernel, grid, block, 0, stream, dst.Pointer, n, 1.5f)</c>.
/// </summary>
/// <remarks>
/// The C# type decides the width: the driver copies as many bytes as the kernel's parameter declares, so pass
/// exactly the C type of the parameter (<c>long</c> for <c>long long</c>, <c>float</c> for <c>float</c>...).
/// A literal <c>0</c> is an <c>int</c>; write <c>0L</c> for a <c>long long</c>. Unused bytes are zero. Each
/// argument remembers its <see cref="Kind"/> (and a struct its C# type), which <see cref="Kernel.Launch"/> checks
/// against the kernel's declaration before anything reaches the driver.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public readonly struct KernelArg
{
    public const int MaxBytes = 64;

    private readonly Storage _data; // first field: a pointer to the struct is a pointer to the value

    private readonly nint _structType; // type handle of a struct argument, 0 for scalars and pointers

    private KernelArg(Storage data, int size, ParamKind kind, nint structType)
    {
        _data = data;
        _structType = structType;
        Size = size;
        Kind = kind;
    }

    /// <summary>Bytes of the value (for diagnostics; the driver uses the kernel's own parameter sizes).</summary>
    public int Size { get; }

    /// <summary>The C type the value stands for.</summary>
    public ParamKind Kind { get; }

    /// <summary>Whether a struct argument is a <paramref name="type"/> (false for scalars and pointers).</summary>
    public bool IsStructOf(Type type) => Kind == ParamKind.Struct && _structType == type.TypeHandle.Value;

    /// <summary>"long long", "Dims8" (for messages).</summary>
    public string TypeName => Kind == ParamKind.Struct
        ? Type.GetTypeFromHandle(RuntimeTypeHandle.FromIntPtr(_structType))?.Name ?? "struct"
        : KernelParam.CType(Kind, null);

    /// <summary>Any blittable value up to 64 bytes, e.g. a <see cref="Dims8"/> passed to a struct parameter.</summary>
    public static unsafe KernelArg Of<T>(in T value) where T : unmanaged
    {
        if (sizeof(T) > MaxBytes)
            throw new ArgumentException($"{typeof(T).Name} is {sizeof(T)} bytes; a KernelArg holds at most {MaxBytes}");
        Storage data = default;
        Span<ulong> words = data;
        MemoryMarshal.Write(MemoryMarshal.AsBytes(words), in value);
        var kind = KindOf<T>();
        return new KernelArg(data, sizeof(T), kind, kind == ParamKind.Struct ? typeof(T).TypeHandle.Value : 0);
    }

    // The scalar types a kernel takes; any other unmanaged type is a struct by value.
    private static ParamKind KindOf<T>() =>
        typeof(T) == typeof(CuDevicePtr) ? ParamKind.Pointer
        : typeof(T) == typeof(int) ? ParamKind.Int
        : typeof(T) == typeof(long) ? ParamKind.LongLong
        : typeof(T) == typeof(ulong) ? ParamKind.UnsignedLongLong
        : typeof(T) == typeof(float) ? ParamKind.Float
        : typeof(T) == typeof(double) ? ParamKind.Double
        : ParamKind.Struct;

    public static implicit operator KernelArg(CuDevicePtr v) => Of(v);

    public static implicit operator KernelArg(int v) => Of(v);
    public static implicit operator KernelArg(long v) => Of(v);
    public static implicit operator KernelArg(ulong v) => Of(v);
    public static implicit operator KernelArg(float v) => Of(v);
    public static implicit operator KernelArg(double v) => Of(v);

    [InlineArray(MaxBytes / sizeof(ulong))]
    private struct Storage
    {
        private ulong _element; // ulong elements: 8-byte alignment for every scalar
    }
}

/// <summary>
/// Up to eight 64-bit extents or strides, passed by value to a kernel's <c>Dims8</c> struct parameter
/// (cuda/fill_copy.cu declares the same layout: <c>struct Dims8 { long long d[8]; }</c>).
/// </summary>
[InlineArray(MaxRank)]
public struct Dims8
{
    public const int MaxRank = 8;
    private long _element;

    /// <summary>Copies <paramref name="values"/> (at most 8) into a new Dims8, the rest zero.</summary>
    public static Dims8 From(ReadOnlySpan<int> values)
    {
        Check(values.Length);
        var d = new Dims8();
        for (int i = 0; i < values.Length; i++) d[i] = values[i];
        return d;
    }

    /// <inheritdoc cref="From(ReadOnlySpan{int})"/>
    public static Dims8 From(ReadOnlySpan<long> values)
    {
        Check(values.Length);
        var d = new Dims8();
        values.CopyTo(d);
        return d;
    }

    private static void Check(int rank)
    {
        if (rank > MaxRank) throw new ArgumentException($"rank {rank} exceeds the kernels' maximum of {MaxRank}");
    }
}

/// <summary>Grid or block extents of a launch. Converts from an int for 1-D launches.</summary>
public readonly record struct Dim3(uint X, uint Y = 1, uint Z = 1)
{
    public static implicit operator Dim3(int x) =>
        x > 0 ? new Dim3((uint)x) : throw new ArgumentOutOfRangeException(nameof(x), x, "launch extent must be positive");
}

/// <summary>
/// A kernel entry point, its name and file (for error messages), and the limits its compiled form sets: the most
/// threads per block (from <c>__launch_bounds__</c>; 0 when unknown) and its static shared memory.
/// </summary>
public readonly record struct CudaKernel(CuFunction Function, string Name, string FileName, int MaxThreadsPerBlock = 0,
    int StaticSharedBytes = 0);
