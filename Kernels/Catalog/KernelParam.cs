
namespace Pade.Kernels.Catalog;

/// <summary>The C types a kernel parameter can have, as far as a launch is concerned: what the driver copies is
/// decided by the PTX's <c>.param</c> list, so a value of another kind or width is read as garbage.</summary>
public enum ParamKind : byte
{
    /// <summary><c>T*</c>: a device address (<see cref="Interop.CuDevicePtr"/>), <c>.param .u64</c>.</summary>
    Pointer = 1,

    /// <summary><c>int</c>, <c>.param .u32</c>.</summary>
    Int,

    /// <summary><c>long long</c>, <c>.param .u64</c>.</summary>
    LongLong,

    /// <summary><c>unsigned long long</c>, <c>.param .u64</c>.</summary>
    UnsignedLongLong,

    /// <summary><c>float</c>, <c>.param .f32</c>.</summary>
    Float,

    /// <summary><c>double</c>, <c>.param .f64</c>.</summary>
    Double,

    /// <summary>A struct by value (<see cref="Dims8"/>, the conv and pool geometries): <c>.param .align A .b8 p[S]</c>.</summary>
    Struct,
}

/// <summary>
/// One parameter of a kernel's C signature: its name (for messages), kind, width and alignment in bytes, and for a
/// struct the C# type that mirrors it. Built with the helpers below, which read like the C declaration:
/// <c>[Ptr("x"), I64("n"), F32("value")]</c> for <c>(float* x, long long n, float value)</c>.
/// </summary>
public sealed record KernelParam(string Name, ParamKind Kind, int Size, int Align, Type? StructType = null)
{
    /// <summary><c>T* name</c> (const or not: the launch passes the address either way).</summary>
    public static KernelParam Ptr(string name) => new(name, ParamKind.Pointer, 8, 8);

    /// <summary><c>int name</c>.</summary>
    public static KernelParam I32(string name) => new(name, ParamKind.Int, 4, 4);

    /// <summary><c>long long name</c>.</summary>
    public static KernelParam I64(string name) => new(name, ParamKind.LongLong, 8, 8);

    /// <summary><c>unsigned long long name</c>.</summary>
    public static KernelParam U64(string name) => new(name, ParamKind.UnsignedLongLong, 8, 8);

    /// <summary><c>float name</c>.</summary>
    public static KernelParam F32(string name) => new(name, ParamKind.Float, 4, 4);

    /// <summary><c>double name</c>.</summary>
    public static KernelParam F64(string name) => new(name, ParamKind.Double, 8, 8);

    /// <summary>A struct of C# type <typeparamref name="T"/> passed by value (its C twin must have the same layout;
    /// the PTX test checks size and alignment).</summary>
    public static unsafe KernelParam Struct<T>(string name) where T : unmanaged =>
        new(name, ParamKind.Struct, sizeof(T), AlignOf<T>(), typeof(T));

    /// <summary>The C spelling, for messages: "long long n", "Dims8 shape".</summary>
    public override string ToString() => $"{CType(Kind, StructType)} {Name}";

    internal static string CType(ParamKind kind, Type? structType) => kind switch
    {
        ParamKind.Pointer => "T*",
        ParamKind.Int => "int",
        ParamKind.LongLong => "long long",
        ParamKind.UnsignedLongLong => "unsigned long long",
        ParamKind.Float => "float",
        ParamKind.Double => "double",
        ParamKind.Struct => structType?.Name ?? "struct",
        _ => "nothing",
    };

    /// <summary>The largest field alignment of <typeparamref name="T"/>: what the C compiler gives the struct (every
    /// mirrored struct holds only ints or only long longs).</summary>
    private static unsafe int AlignOf<T>() where T : unmanaged => sizeof(AlignProbe<T>) - sizeof(T);

    private struct AlignProbe<T> where T : unmanaged
    {
#pragma warning disable CS0649 // never assigned: only its layout is read
        public byte Pad;
        public T Value;
#pragma warning restore CS0649
    }
}

/// <summary>The scalar type <c>T</c> of a kernel instantiated for float32 and float64: <c>T("alpha")</c> is a
/// <c>float</c> parameter in the _f32 entry point and a <c>double</c> in the _f64 one.</summary>
public delegate KernelParam ScalarParam(string name);
