using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Pade.Training.Runs;

/// <summary>
/// Small typed accessors over <see cref="JsonDocument"/> and a writer helper. Pade reads and writes its JSON by
/// hand (no reflection-based serializer) so the trimmed, single-file <c>pade</c> keeps working; errors name the
/// file and the key.
/// </summary>
public static class Json
{
    /// <summary>Builds a JSON document with <paramref name="write"/> and returns its UTF-8 bytes (indented).</summary>
    public static byte[] Build(Action<Utf8JsonWriter> write)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
            write(w);
        ms.WriteByte((byte)'\n');
        return ms.ToArray();
    }

    public static JsonDocument Parse(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try { return JsonDocument.Parse(bytes); }
        catch (JsonException e) { throw new FormatException($"{path}: not valid JSON: {e.Message}", e); }
    }

    static JsonElement? Get(JsonElement o, string key) =>
        o.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    static FormatException Wrong(string source, string key, string expected, JsonElement v) =>
        new($"{source}: \"{key}\" must be {expected}, found {v.ValueKind} {Truncate(v.GetRawText())}");

    static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "...";

    public static string? String(JsonElement o, string key, string source) => Get(o, key) is { } v
        ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw Wrong(source, key, "a string", v)
        : null;

    public static int? Int(JsonElement o, string key, string source) => Get(o, key) is { } v
        ? v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : throw Wrong(source, key, "a 32-bit integer", v)
        : null;

    public static long? Long(JsonElement o, string key, string source) => Get(o, key) is { } v
        ? v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long i) ? i : throw Wrong(source, key, "a 64-bit integer", v)
        : null;

    public static double? Double(JsonElement o, string key, string source) => Get(o, key) is { } v
        ? v.ValueKind == JsonValueKind.Number ? v.GetDouble()
          : v.ValueKind == JsonValueKind.String && v.GetString() is "NaN" or "Infinity" or "-Infinity"
              ? double.Parse(v.GetString()!, CultureInfo.InvariantCulture)
              : throw Wrong(source, key, "a number", v)
        : null;

    public static bool? Bool(JsonElement o, string key, string source) => Get(o, key) is { } v
        ? v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Wrong(source, key, "true or false", v)
        : null;

    /// <summary>A 64-bit unsigned integer written as a decimal string (or a number that fits exactly).</summary>
    public static ulong? UInt64(JsonElement o, string key, string source) => Get(o, key) is { } v
        ? v.ValueKind == JsonValueKind.String && ulong.TryParse(v.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong s) ? s
          : v.ValueKind == JsonValueKind.Number && v.TryGetUInt64(out ulong n) ? n
          : throw Wrong(source, key, "an unsigned 64-bit integer (as a decimal string)", v)
        : null;

    public static JsonElement Require(JsonElement o, string key, string source) =>
        Get(o, key) ?? throw new FormatException($"{source}: missing \"{key}\"");

    /// <summary>Writes a double that may be NaN or infinite (JSON has no literal for them: they become strings).</summary>
    public static void WriteDouble(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteString(name, value.ToString(CultureInfo.InvariantCulture));
    }

    public static string ToText(byte[] utf8) => Encoding.UTF8.GetString(utf8);
}
