using System.Text;

namespace Pade.Kernels;

/// <summary>A header NVRTC can include: <c>#include "Name"</c> in a kernel file resolves to <see cref="Source"/>.</summary>
public readonly record struct KernelHeader(string Name, string Source);

/// <summary>
/// The CUDA sources under cuda/ travel inside this assembly as embedded resources named "cuda/&lt;file&gt;"
/// (see Kernels.csproj), so a published binary needs no source tree: the kernel files (*.cu), each compiled on
/// its own, and the headers they share (*.cuh, e.g. philox.cuh), handed to NVRTC as in-memory headers. Reading
/// them is plain resource access: no reflection over types, safe to trim.
/// </summary>
public static class KernelSource
{
    private const string Prefix = "cuda/";

    /// <summary>File names of the embedded kernels ("fill_copy.cu", ...), sorted. Headers are not among them.</summary>
    public static IReadOnlyList<string> Names { get; } = Embedded(".cu");

    /// <summary>
    /// The embedded headers (cuda/*.cuh), sorted by name: what <c>#include "philox.cuh"</c> in a kernel file
    /// resolves to when <see cref="NvrtcCompiler"/> compiles it.
    /// </summary>
    public static IReadOnlyList<KernelHeader> Headers { get; } =
        Embedded(".cuh").Select(name => new KernelHeader(name, Read(name))).ToArray();

    /// <summary>The text of one embedded file, kernel or header, e.g. <c>Read("fill_copy.cu")</c>.</summary>
    public static string Read(string fileName)
    {
        using var stream = typeof(KernelSource).Assembly.GetManifestResourceStream(Prefix + fileName)
            ?? throw new FileNotFoundException(
                $"no embedded kernel source '{fileName}'; embedded: {string.Join(", ", Embedded(""))}", fileName);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Embedded file names under cuda/ ending in <paramref name="extension"/>, sorted.</summary>
    private static string[] Embedded(string extension) => typeof(KernelSource).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(extension, StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..])
        .Order(StringComparer.Ordinal)
        .ToArray();
}
