using System.Runtime.InteropServices;
using System.Text;
using Pade.Kernels.Interop;

namespace Pade.Kernels;

/// <summary>
/// Compiler options for the kernels. Defaults favour agreement with the CPU backend over speed:
/// no <c>--use_fast_math</c> (which would flush denormals and use approximate division, sqrt, exp and log).
/// </summary>
public sealed record NvrtcOptions
{
    public static NvrtcOptions Default { get; } = new();

    /// <summary>Language level; the kernels are written against C++17.</summary>
    public string Std { get; init; } = "c++17";

    /// <summary><c>-default-device</c>: functions without an execution-space annotation compile as <c>__device__</c>.</summary>
    public bool DefaultDevice { get; init; } = true;

    /// <summary><c>--use_fast_math</c>. Off by default for CPU/GPU parity.</summary>
    public bool FastMath { get; init; }

    /// <summary><c>-lineinfo</c>: source lines in the PTX, for profilers. Does not change the generated code.</summary>
    public bool LineInfo { get; init; }

    /// <summary>Anything else, passed verbatim after the options above (e.g. <c>-DBLOCK=256</c>).</summary>
    public IReadOnlyList<string> Extra { get; init; } = [];

    /// <summary>The exact command-line NVRTC receives for <paramref name="arch"/>; also the cache key's input.</summary>
    public IReadOnlyList<string> ToArguments(string arch)
    {
        var args = new List<string> { $"--gpu-architecture={arch}", $"--std={Std}" };
        if (DefaultDevice) args.Add("-default-device");
        if (FastMath) args.Add("--use_fast_math");
        if (LineInfo) args.Add("-lineinfo");
        args.AddRange(Extra);
        return args;
    }
}

/// <summary>Compiles CUDA C++ source to PTX with NVRTC. PTX is then JIT-compiled by the driver for the actual GPU.</summary>
public static unsafe class NvrtcCompiler
{
    /// <summary>NVRTC's version, e.g. (11, 8) or (12, 4). Throws <see cref="DllNotFoundException"/> if NVRTC is absent.</summary>
    public static (int Major, int Minor) Version()
    {
        CudaCheck.Nvrtc(Nvrtc.nvrtcVersion(out int major, out int minor), "nvrtcVersion");
        return (major, minor);
    }

    /// <summary>The virtual architectures this NVRTC can target, as numbers (75 = compute_75), ascending.</summary>
    public static int[] SupportedArchs()
    {
        CudaCheck.Nvrtc(Nvrtc.nvrtcGetNumSupportedArchs(out int count), "nvrtcGetNumSupportedArchs");
        var archs = new int[count];
        fixed (int* p = archs) CudaCheck.Nvrtc(Nvrtc.nvrtcGetSupportedArchs(p), "nvrtcGetSupportedArchs");
        return archs;
    }

    /// <summary>
    /// The architecture to compile for on a device of compute capability major.minor: the device's own if this
    /// NVRTC knows it, otherwise the newest older one it knows (PTX runs on any later GPU, JIT-compiled by the
    /// driver). An H100 (9.0) gives "compute_90".
    /// </summary>
    public static string ArchFor(int major, int minor)
    {
        int wanted = major * 10 + minor;
        var usable = SupportedArchs().Where(a => a <= wanted).ToArray();
        if (usable.Length == 0)
            throw new NotSupportedException(
                $"NVRTC {Version()} supports no architecture at or below compute capability {major}.{minor}");
        return $"compute_{usable.Max()}";
    }

    /// <summary>
    /// Compiles <paramref name="source"/> to PTX for <paramref name="arch"/> (e.g. "compute_80").
    /// <paramref name="fileName"/> names the program in NVRTC's diagnostics and in the exception.
    /// <c>#include "name"</c> resolves to <paramref name="headers"/>, by default every embedded cuda/*.cuh
    /// (<see cref="KernelSource.Headers"/>); NVRTC is given nothing else to include.
    /// </summary>
    /// <exception cref="NvrtcException">The source does not compile; <see cref="NvrtcException.Log"/> holds the log.</exception>
    public static string CompileToPtx(string fileName, string source, string arch, NvrtcOptions? options = null,
        IReadOnlyList<KernelHeader>? headers = null)
    {
        if (!arch.StartsWith("compute_", StringComparison.Ordinal) || !int.TryParse(arch.AsSpan(8), out _))
            throw new ArgumentException(
                $"architecture '{arch}' is not a virtual architecture like 'compute_80' (PTX needs compute_XY, not sm_XY)",
                nameof(arch));
        return Compile(fileName, source, arch, options, headers, program => DecodeCString(ReadPtx(program, fileName)));
    }

    /// <summary>
    /// Compiles <paramref name="source"/> to SASS (a cubin) for the real architecture <paramref name="arch"/>
    /// ("sm_90"): what the GPU runs, with no JIT step in the driver, so a driver older than this NVRTC's PTX ISA
    /// can still load it. Otherwise as <see cref="CompileToPtx"/>.
    /// </summary>
    public static byte[] CompileToCubin(string fileName, string source, string arch, NvrtcOptions? options = null,
        IReadOnlyList<KernelHeader>? headers = null)
    {
        if (!arch.StartsWith("sm_", StringComparison.Ordinal) || !int.TryParse(arch.AsSpan(3), out _))
            throw new ArgumentException($"architecture '{arch}' is not a real architecture like 'sm_90'", nameof(arch));
        return Compile(fileName, source, arch, options, headers, program =>
        {
            CudaCheck.Nvrtc(Nvrtc.nvrtcGetCUBINSize(program, out nuint size), "nvrtcGetCUBINSize", fileName);
            var bytes = new byte[(int)size];
            fixed (byte* p = bytes) CudaCheck.Nvrtc(Nvrtc.nvrtcGetCUBIN(program, p), "nvrtcGetCUBIN", fileName);
            return bytes;
        });
    }

    /// <summary>The real architecture of a device ("sm_90") if this NVRTC can compile for it, else null.</summary>
    public static string? SassArchFor(int major, int minor) =>
        SupportedArchs().Contains(major * 10 + minor) ? $"sm_{major}{minor}" : null;

    private static T Compile<T>(string fileName, string source, string arch, NvrtcOptions? options,
        IReadOnlyList<KernelHeader>? headers, Func<nint, T> read)
    {
        var args = (options ?? NvrtcOptions.Default).ToArguments(arch);
        headers ??= KernelSource.Headers;
        nint program = CreateProgram(fileName, source, headers);
        try
        {
            var compiled = CompileWithOptions(program, args);
            var log = ReadLog(program, fileName);
            CudaCheck.Nvrtc(compiled, "nvrtcCompileProgram", fileName,
                log + $"\n(options: {string.Join(' ', args)})");
            return read(program);
        }
        finally
        {
            Nvrtc.nvrtcDestroyProgram(ref program);
        }
    }

    /// <summary>A program of <paramref name="source"/> with the <paramref name="headers"/> it may include.
    /// NVRTC copies the strings, so they are freed as soon as the program exists.</summary>
    private static nint CreateProgram(string fileName, string source, IReadOnlyList<KernelHeader> headers)
    {
        using var texts = new Utf8Strings(headers.Select(h => h.Source));
        using var names = new Utf8Strings(headers.Select(h => h.Name));
        fixed (nint* t = texts.Pointers)
        fixed (nint* n = names.Pointers)
        {
            var created = Nvrtc.nvrtcCreateProgram(out nint program, source, fileName,
                headers.Count, (byte**)t, (byte**)n);
            CudaCheck.Nvrtc(created, "nvrtcCreateProgram", fileName);
            return program;
        }
    }

    private static NvrtcResult CompileWithOptions(nint program, IReadOnlyList<string> args)
    {
        using var options = new Utf8Strings(args);
        fixed (nint* p = options.Pointers) return Nvrtc.nvrtcCompileProgram(program, args.Count, (byte**)p);
    }

    private static string ReadLog(nint program, string fileName)
    {
        CudaCheck.Nvrtc(Nvrtc.nvrtcGetProgramLogSize(program, out nuint size), "nvrtcGetProgramLogSize", fileName);
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes) CudaCheck.Nvrtc(Nvrtc.nvrtcGetProgramLog(program, p), "nvrtcGetProgramLog", fileName);
        return DecodeCString(bytes);
    }

    private static byte[] ReadPtx(nint program, string fileName)
    {
        CudaCheck.Nvrtc(Nvrtc.nvrtcGetPTXSize(program, out nuint size), "nvrtcGetPTXSize", fileName);
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes) CudaCheck.Nvrtc(Nvrtc.nvrtcGetPTX(program, p), "nvrtcGetPTX", fileName);
        return bytes;
    }

    /// <summary>NVRTC's sizes count the terminating NUL; drop it (and anything after it).</summary>
    private static string DecodeCString(byte[] bytes)
    {
        int end = Array.IndexOf(bytes, (byte)0);
        return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }
}

/// <summary>NUL-terminated UTF-8 copies of strings in unmanaged memory, for NVRTC's <c>const char**</c>
/// parameters.</summary>
internal sealed class Utf8Strings : IDisposable
{
    /// <summary>One pointer per string, in order; pin the array (<c>fixed</c>) to pass it as <c>byte**</c>.</summary>
    public nint[] Pointers { get; }

    public Utf8Strings(IEnumerable<string> strings)
    {
        var list = strings.ToList();
        Pointers = new nint[list.Count];
        try
        {
            for (int i = 0; i < list.Count; i++) Pointers[i] = Marshal.StringToCoTaskMemUTF8(list[i]);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        for (int i = 0; i < Pointers.Length; i++)
        {
            Marshal.FreeCoTaskMem(Pointers[i]); // FreeCoTaskMem(0) does nothing
            Pointers[i] = 0;
        }
    }
}
