using System.Runtime.InteropServices;
using System.Text;
using Pade.Kernels.Interop;

namespace Pade.Kernels;

/// <summary>
/// Loading kernel modules: SASS (a cubin NVRTC compiled for this GPU's own architecture) where NVRTC knows the
/// architecture and the driver takes it, else PTX, which the driver JIT-compiles. SASS first because it needs no
/// JIT in the driver, so a driver older than NVRTC's PTX ISA still loads it, and the first launch is not slowed
/// by compilation. Every load passes the JIT's error log buffer, so a refused image says why.
/// </summary>
public sealed unsafe partial class CudaDevice
{
    private readonly Dictionary<string, string> _moduleFormats = new();

    /// <summary>Try SASS before PTX (default). Off: always PTX (<c>PADE_CUDA_PTX_ONLY=1</c> starts it off).</summary>
    public bool PreferSass { get; set; } = Environment.GetEnvironmentVariable("PADE_CUDA_PTX_ONLY") != "1";

    /// <summary>
    /// How each module loaded so far reached the GPU, by file: "SASS sm_90", or "PTX compute_90" with the reason
    /// SASS was not used ("PTX compute_80 (SASS sm_80 refused: CUDA_ERROR_NO_BINARY_FOR_GPU ...)").
    /// </summary>
    public IReadOnlyDictionary<string, string> ModuleFormats
    {
        get { lock (_lock) return new Dictionary<string, string>(_moduleFormats); }
    }

    /// <summary>The real architecture SASS is compiled for ("sm_90"), or null when this NVRTC does not know the GPU's.</summary>
    public string? SassArch =>
        (_sassArch ??= NvrtcCompiler.SassArchFor(ComputeCapability.Major, ComputeCapability.Minor) ?? "") is { Length: > 0 } a ? a : null;
    private string? _sassArch;

    // Set when the driver refused a cubin: it will refuse the next one too, so later modules go straight to PTX.
    private string? _sassRefused;

    /// <summary>The module of an embedded kernel file ("fill_copy.cu"), compiled (or taken from the cache) and loaded once.</summary>
    public CuModule LoadModule(string fileName)
    {
        lock (_lock)
        {
            if (_modules.TryGetValue(fileName, out var module)) return module;
            module = LoadModuleFromSource(fileName, KernelSource.Read(fileName));
            _modules[fileName] = module;
            return module;
        }
    }

    /// <summary>Compiles and loads arbitrary source. The caller owns the module (<see cref="UnloadModule"/>).</summary>
    public CuModule LoadModuleFromSource(string fileName, string source)
    {
        string? sassProblem = _sassRefused;
        if (PreferSass && SassArch is { } sm && sassProblem == null)
        {
            try
            {
                var cubin = Cache.GetCubin(fileName, source, sm, CompileOptions);
                var module = LoadImage(cubin, $"cuModuleLoadDataEx({fileName}, {sm} SASS, NVRTC {NvrtcText}, driver {DriverVersionText})");
                Record(fileName, $"SASS {sm}");
                return module;
            }
            catch (CudaException e) when (!CudaCheck.IsSticky(e.Result))
            {
                sassProblem = _sassRefused = $"SASS {sm} refused: {CudaCheck.DescribeDriver(e.Result)}";
            }
            catch (Exception e) when (e is NvrtcException or EntryPointNotFoundException)
            {
                sassProblem = $"SASS {sm} not compiled: {e.Message.Split('\n')[0]}";
            }
        }
        var ptx = Cache.GetPtx(fileName, source, Arch, CompileOptions);
        // A driver older than NVRTC rejects its PTX with CUDA_ERROR_UNSUPPORTED_PTX_VERSION: the versions in the
        // call text say which side to upgrade.
        var loaded = LoadImage(Encoding.UTF8.GetBytes(ptx + "\0"), // the driver reads PTX up to its NUL
            $"cuModuleLoadDataEx({fileName}, {Arch} PTX, NVRTC {NvrtcText}, driver {DriverVersionText})");
        Record(fileName, sassProblem == null ? $"PTX {Arch}" : $"PTX {Arch} ({sassProblem})");
        return loaded;
    }

    public void UnloadModule(CuModule module)
    {
        MakeCurrent();
        CudaCheck.Driver(CudaDriver.cuModuleUnload(module), "cuModuleUnload");
    }

    private static string NvrtcText => $"{NvrtcCompiler.Version().Major}.{NvrtcCompiler.Version().Minor}";

    private void Record(string fileName, string format)
    {
        lock (_lock) _moduleFormats[fileName] = format;
    }

    /// <summary>cuModuleLoadDataEx with the JIT's error and info logs; a failure carries the error log.</summary>
    private CuModule LoadImage(byte[] image, string call)
    {
        const int LogBytes = 16 * 1024;
        MakeCurrent();
        var errorLog = (byte*)NativeMemory.AllocZeroed(LogBytes);
        var infoLog = (byte*)NativeMemory.AllocZeroed(LogBytes);
        try
        {
            var options = stackalloc CudaDriver.JitOption[]
            {
                CudaDriver.JitOption.ErrorLogBuffer, CudaDriver.JitOption.ErrorLogBufferSizeBytes,
                CudaDriver.JitOption.InfoLogBuffer, CudaDriver.JitOption.InfoLogBufferSizeBytes,
            };
            var values = stackalloc void*[] { errorLog, (void*)LogBytes, infoLog, (void*)LogBytes };
            CuResult result;
            CuModule module;
            fixed (byte* p = image) result = CudaDriver.cuModuleLoadDataEx(out module, p, 4, options, values);
            if (result == CuResult.Success) return module;
            var log = Marshal.PtrToStringUTF8((nint)errorLog)?.TrimEnd() ?? "";
            throw new CudaException(result, call,
                CudaCheck.Explain(result, call) + (log.Length > 0 ? $"\n--- JIT error log ---\n{log}" : "\n(the JIT wrote no error log)"));
        }
        finally
        {
            NativeMemory.Free(errorLog);
            NativeMemory.Free(infoLog);
        }
    }
}
