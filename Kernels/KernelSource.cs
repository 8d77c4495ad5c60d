using System.Text;

namespace Pade.Kernels;

/// <summary>
/// The CUDA sources under cuda/ travel inside this assembly as embedded resources named "cuda/&lt;file&gt;.cu"
/// (see Kernels.csproj), so a published binary needs no source tree. Reading them is plain resource access:
/// no reflection over types, safe to trim.
/// </summary>
public static class KernelSource
{
    private const string Prefix = "cuda/";

    /// <summary>File names of the embedded kernels ("fill_copy.cu", ...), sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = typeof(KernelSource).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".cu", StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..])
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>The text of one embedded kernel file, e.g. <c>Read("fill_copy.cu")</c>.</summary>
    public static string Read(string fileName)
    {
        using var stream = typeof(KernelSource).Assembly.GetManifestResourceStream(Prefix + fileName)
            ?? throw new FileNotFoundException(
                $"no embedded kernel source '{fileName}'; embedded: {string.Join(", ", Names)}", fileName);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
