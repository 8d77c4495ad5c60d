namespace Pade.Engine.IO;

/// <summary>
/// The element types of the safetensors format: their names as written in the header, their sizes in bytes, and
/// the order in which the reference writer lays tensors out.
/// </summary>
/// <remarks>
/// Sub-byte types of recent versions (F4, F6_E2M3, F6_E3M2: several elements per byte) are not supported; the
/// reader rejects them by name rather than as unknown.
/// </remarks>
public static class SafetensorsDType
{
    // Listed in the order of the reference implementation's Dtype enum (huggingface/safetensors, tensor.rs),
    // which is by increasing alignment. The writer places tensors by DEcreasing rank, so after an 8-byte aligned
    // header the 8-byte types come first, then 4-, 2- and 1-byte ones: every tensor starts at a multiple of its
    // element size and can be viewed in place without copying. C64 and F8_E8M0, added later, sit with their sizes.
    static readonly (string Name, int Size)[] Table =
    [
        ("BOOL", 1), ("U8", 1), ("I8", 1), ("F8_E5M2", 1), ("F8_E4M3", 1), ("F8_E8M0", 1),
        ("I16", 2), ("U16", 2), ("F16", 2), ("BF16", 2),
        ("I32", 4), ("U32", 4), ("F32", 4),
        ("C64", 8), ("F64", 8), ("I64", 8), ("U64", 8),
    ];

    static readonly string[] SubByte = ["F4", "F6_E2M3", "F6_E3M2"];

    public const string F32 = "F32";
    public const string F64 = "F64";
    public const string F16 = "F16";
    public const string BF16 = "BF16";
    public const string I64 = "I64";
    public const string I32 = "I32";
    public const string U8 = "U8";

    /// <summary>All supported names.</summary>
    public static IEnumerable<string> Names => Table.Select(t => t.Name);

    /// <summary>True when <paramref name="dtype"/> is a supported name (case-sensitive, as in the format).</summary>
    public static bool IsKnown(string dtype) => Rank(dtype) >= 0;

    /// <summary>Bytes per element of <paramref name="dtype"/>; throws <see cref="ArgumentException"/> if unknown.</summary>
    public static int SizeOf(string dtype)
    {
        int r = Rank(dtype);
        if (r < 0) throw new ArgumentException(UnknownMessage(dtype), nameof(dtype));
        return Table[r].Size;
    }

    /// <summary>Position in the reference order (higher = laid out first), -1 if unknown.</summary>
    internal static int Rank(string dtype)
    {
        for (int i = 0; i < Table.Length; i++)
            if (Table[i].Name == dtype) return i;
        return -1;
    }

    internal static string UnknownMessage(string dtype) =>
        SubByte.Contains(dtype)
            ? $"dtype \"{dtype}\" packs several elements per byte and is not supported"
            : $"unknown dtype \"{dtype}\"; expected one of {string.Join(", ", Names)}";

    /// <summary>The dtype name of a .NET element type, or null when the format has none.</summary>
    public static string? Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? "F32"
        : typeof(T) == typeof(double) ? "F64"
        : typeof(T) == typeof(Half) ? "F16"
        : typeof(T) == typeof(long) ? "I64"
        : typeof(T) == typeof(int) ? "I32"
        : typeof(T) == typeof(short) ? "I16"
        : typeof(T) == typeof(sbyte) ? "I8"
        : typeof(T) == typeof(ulong) ? "U64"
        : typeof(T) == typeof(uint) ? "U32"
        : typeof(T) == typeof(ushort) ? "U16"
        : typeof(T) == typeof(byte) ? "U8"
        : typeof(T) == typeof(bool) ? "BOOL"
        : null;
}
