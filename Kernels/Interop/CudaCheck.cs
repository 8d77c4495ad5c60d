using System.Runtime.InteropServices;
using System.Text;

namespace Pade.Kernels.Interop;

/// <summary>The one place driver and NVRTC status codes become exceptions.</summary>
public static unsafe class CudaCheck
{
    /// <summary>Throws <see cref="CudaException"/> unless <paramref name="result"/> is success.</summary>
    /// <param name="call">The C function's name (e.g. "cuMemAlloc_v2"), quoted in the message.</param>
    public static void Driver(CuResult result, string call)
    {
        if (result != CuResult.Success) throw new CudaException(result, call, Explain(result, call));
    }

    /// <summary>
    /// Errors after which the context cannot be used again (a fault inside a kernel): every later call in the
    /// process returns the same code, so the first report is the one that says where it came from.
    /// </summary>
    public static bool IsSticky(CuResult result) => result is CuResult.IllegalAddress or CuResult.LaunchTimeout
        or CuResult.Assert or CuResult.HardwareStackError or CuResult.IllegalInstruction or CuResult.MisalignedAddress
        or CuResult.InvalidAddressSpace or CuResult.InvalidPc or CuResult.LaunchFailed;

    private static readonly Lock StickyLock = new();
    private static string? _firstSticky;

    /// <summary>Forgets the first sticky error (tests that plant faults on the emulated driver, which can reset).</summary>
    internal static void ForgetStickyError()
    {
        lock (StickyLock) _firstSticky = null;
        LaunchLog.Clear();
    }

    /// <summary>
    /// What the code alone does not say: the driver's own sentence where it has one (the emulated driver names
    /// the kernel, the address and the allocation), and for a sticky error that the context is dead, which call
    /// saw it first and which kernels may have caused it.
    /// </summary>
    internal static string Explain(CuResult result, string call)
    {
        var text = new StringBuilder();
        var detail = DriverDetail();
        if (detail.Length > 0) text.Append("\n  driver: ").Append(detail);
        if (!IsSticky(result)) return text.ToString();
        string? first;
        lock (StickyLock)
        {
            first = _firstSticky;
            _firstSticky ??= $"{call} ({LaunchLog.Describe()})";
        }
        text.Append("\n  The CUDA context is dead: this error is sticky, so every later CUDA call in this process fails ")
            .Append("with it; the process must be restarted to use the GPU again. ");
        text.Append(first == null
            ? $"Kernels launched since the last synchronisation: {LaunchLog.Describe()}; the fault is in one of them " +
              "(PADE_CUDA_SYNC=1 synchronises after every launch and names it)."
            : $"It was first reported by {first}.");
        return text.ToString();
    }

    private static string DriverDetail()
    {
        try
        {
            if (!CudaLibraries.TryGetDriverExport("pade_emu_last_error", out var address)) return "";
            var lastError = (delegate* unmanaged<byte*>)address;
            return Marshal.PtrToStringUTF8((nint)lastError()) ?? "";
        }
        catch (DllNotFoundException) { return ""; }
    }

    /// <summary>Throws <see cref="NvrtcException"/> unless <paramref name="result"/> is success.</summary>
    /// <param name="fileName">The kernel source the call was about, or "" for calls about no file.</param>
    public static void Nvrtc(NvrtcResult result, string call, string fileName = "", string log = "")
    {
        if (result != NvrtcResult.Success) throw new NvrtcException(result, call, fileName, log);
    }

    /// <summary>"CUDA_ERROR_OUT_OF_MEMORY: out of memory", asking the driver; falls back to the enum name.</summary>
    public static string DescribeDriver(CuResult result)
    {
        string? name = null, text = null;
        try
        {
            if (CudaDriver.cuGetErrorName(result, out var n) == CuResult.Success) name = Marshal.PtrToStringUTF8((nint)n);
            if (CudaDriver.cuGetErrorString(result, out var s) == CuResult.Success) text = Marshal.PtrToStringUTF8((nint)s);
        }
        catch (DllNotFoundException) { } // describing an error must not hide it
        return $"{name ?? "CUDA_ERROR_" + result} ({(int)result}): {text ?? "no description from the driver"}";
    }

    /// <summary>NVRTC's text for a status, e.g. "NVRTC_ERROR_COMPILATION".</summary>
    public static string DescribeNvrtc(NvrtcResult result)
    {
        string? text = null;
        try { text = Marshal.PtrToStringUTF8((nint)Interop.Nvrtc.nvrtcGetErrorString(result)); }
        catch (DllNotFoundException) { }
        return $"{text ?? result.ToString()} ({(int)result})";
    }
}

/// <summary>A driver API call failed. The message names the call and the driver's error name and text.</summary>
public sealed class CudaException(CuResult result, string call, string explanation = "")
    : Exception($"{call} failed: {CudaCheck.DescribeDriver(result)}{explanation}")
{
    public CuResult Result { get; } = result;
    public string Call { get; } = call;
}

/// <summary>
/// An NVRTC call failed. For a failed compilation <see cref="Log"/> holds NVRTC's complete log (errors with
/// line numbers in <see cref="FileName"/>), and the message repeats it so a test failure shows everything.
/// </summary>
public sealed class NvrtcException(NvrtcResult result, string call, string fileName, string log)
    : Exception(Format(result, call, fileName, log))
{
    public NvrtcResult Result { get; } = result;
    public string Call { get; } = call;
    public string FileName { get; } = fileName;
    public string Log { get; } = log;

    private static string Format(NvrtcResult result, string call, string fileName, string log)
    {
        var about = fileName.Length > 0 ? $" for {fileName}" : "";
        var tail = log.Length > 0 ? $"\n--- NVRTC log ---\n{log.TrimEnd()}" : "";
        return $"{call}{about} failed: {CudaCheck.DescribeNvrtc(result)}{tail}";
    }
}
