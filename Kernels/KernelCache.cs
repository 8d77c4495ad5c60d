using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Pade.Kernels;

/// <summary>
/// Caches PTX so each kernel file is compiled once per (source, headers, architecture, options, NVRTC version):
/// in memory for the process, and on disk across runs, as <c>&lt;key&gt;.ptx</c> under <see cref="DefaultDirectory"/>.
/// </summary>
/// <remarks>
/// The key is the SHA-256 of everything that determines the PTX, so editing a kernel or a header it may include,
/// changing an option or upgrading NVRTC simply misses; stale entries are never read and can be deleted at any
/// time. Files are written to a temporary name and renamed into place, so a reader (another process) sees the
/// whole file or none. The disk cache is an optimisation: if the folder cannot be written, compilation still
/// succeeds.
/// </remarks>
public sealed class KernelCache
{
    private const string FormatTag = "pade-ptx/3";  // 2: headers in the key; 3: cubins beside PTX
    private readonly ConcurrentDictionary<string, byte[]> _memory = new();
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<byte[], string> _texts = new();
    private long _memoryHits, _diskHits, _compilations;

    /// <summary>The process-wide cache, on disk at <see cref="DefaultDirectory"/>.</summary>
    public static KernelCache Shared { get; } = new(DefaultDirectory());

    /// <param name="directory">Where PTX files go; null keeps the cache in memory only.</param>
    public KernelCache(string? directory) => Directory = directory;

    /// <summary>The on-disk folder, or null for a memory-only cache.</summary>
    public string? Directory { get; }

    public long MemoryHits => Interlocked.Read(ref _memoryHits);
    public long DiskHits => Interlocked.Read(ref _diskHits);
    public long Compilations => Interlocked.Read(ref _compilations);

    /// <summary>
    /// <c>$PADE_PTX_CACHE</c> if set ("off" disables the disk cache), else <c>$XDG_CACHE_HOME/pade/ptx</c>,
    /// else <c>~/.cache/pade/ptx</c>; null when none can be determined.
    /// </summary>
    public static string? DefaultDirectory()
    {
        var over = Environment.GetEnvironmentVariable("PADE_PTX_CACHE");
        if (over is { Length: > 0 }) return over is "off" or "0" ? null : over;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (xdg is { Length: > 0 }) return Path.Combine(xdg, "pade", "ptx");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return home.Length > 0 ? Path.Combine(home, ".cache", "pade", "ptx") : null;
    }

    /// <summary>
    /// Hex SHA-256 over the format tag, NVRTC version, architecture, options, source and every header the source
    /// could include (all of them, names and texts: which ones it does include is NVRTC's business).
    /// </summary>
    public static string Key(string source, IReadOnlyList<KernelHeader> headers, string arch,
        IReadOnlyList<string> arguments, (int Major, int Minor) nvrtc)
    {
        var text = new StringBuilder()
            .Append(FormatTag).Append('\n')
            .Append("nvrtc ").Append(nvrtc.Major).Append('.').Append(nvrtc.Minor).Append('\n')
            .Append(arch).Append('\n');
        foreach (var a in arguments) text.Append(a).Append('\n');
        text.Append('\0').Append(source.Length).Append('\n').Append(source);
        // Lengths first, so that no two different lists of texts run together into the same string.
        foreach (var h in headers)
            text.Append('\0').Append(h.Name).Append('\n').Append(h.Source.Length).Append('\n').Append(h.Source);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// PTX for <paramref name="source"/>: from memory, else from disk, else compiled (and stored in both).
    /// <paramref name="headers"/> as for <see cref="NvrtcCompiler.CompileToPtx"/>: by default the embedded cuda/*.cuh.
    /// </summary>
    public string GetPtx(string fileName, string source, string arch, NvrtcOptions? options = null,
        IReadOnlyList<KernelHeader>? headers = null)
    {
        var bytes = Get(".ptx", fileName, source, arch, options, headers,
            // Every PTX module declares its ISA version; a file without one is not ours or was truncated.
            valid: b => Encoding.UTF8.GetString(b).Contains(".version", StringComparison.Ordinal),
            compile: () => Encoding.UTF8.GetBytes(NvrtcCompiler.CompileToPtx(fileName, source, arch, options, headers)));
        // One string per cached image: a memory hit returns the very same string (no decoding per load).
        return _texts.GetValue(bytes, b => Encoding.UTF8.GetString(b));
    }

    /// <summary>SASS (a cubin) for the real architecture <paramref name="arch"/> ("sm_90"), cached as PTX is.</summary>
    public byte[] GetCubin(string fileName, string source, string arch, NvrtcOptions? options = null,
        IReadOnlyList<KernelHeader>? headers = null) =>
        Get(".cubin", fileName, source, arch, options, headers,
            valid: b => b.Length > 4 && b[0] == 0x7f && b[1] == (byte)'E' && b[2] == (byte)'L' && b[3] == (byte)'F',
            compile: () => NvrtcCompiler.CompileToCubin(fileName, source, arch, options, headers));

    private byte[] Get(string extension, string fileName, string source, string arch, NvrtcOptions? options,
        IReadOnlyList<KernelHeader>? headers, Func<byte[], bool> valid, Func<byte[]> compile)
    {
        var args = (options ?? NvrtcOptions.Default).ToArguments(arch);
        headers ??= KernelSource.Headers;
        var key = Key(source, headers, arch, args, NvrtcCompiler.Version()) + extension;
        if (_memory.TryGetValue(key, out var image))
        {
            Interlocked.Increment(ref _memoryHits);
            return image;
        }
        image = ReadDisk(key, valid);
        if (image != null) Interlocked.Increment(ref _diskHits);
        else
        {
            image = compile();
            Interlocked.Increment(ref _compilations);
            WriteDisk(key, image);
        }
        return _memory.GetOrAdd(key, image);
    }

    /// <summary>Forgets the in-memory entries (disk files stay); for tests of the disk path.</summary>
    public void ClearMemory() => _memory.Clear();

    private string? PathFor(string key) => Directory == null ? null : Path.Combine(Directory, key);

    private byte[]? ReadDisk(string key, Func<byte[], bool> valid)
    {
        var path = PathFor(key);
        if (path == null || !File.Exists(path)) return null;
        try
        {
            var bytes = File.ReadAllBytes(path);
            return valid(bytes) ? bytes : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private void WriteDisk(string key, byte[] image)
    {
        var path = PathFor(key);
        if (path == null) return;
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Directory!);
            File.WriteAllBytes(temp, image);
            File.Move(temp, path, overwrite: true); // rename(2): atomic within one file system
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
