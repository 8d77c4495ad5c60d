using System.Runtime.InteropServices;

namespace Pade.Kernels.Interop;

/// <summary>The one place driver and NVRTC status codes become exceptions.</summary>
public static unsafe class CudaCheck
{
    /// <summary>Throws <see cref="CudaException"/> unless <paramref name="result"/> is success.</summary>
    /// <param name="call">The C function's name (e.g. "cuMemAlloc_v2"), quoted in the message.</param>
    public static void Driver(CuResult result, string call)
    {
        if (result != CuResult.Success) throw new CudaException(result, call);
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
public sealed class CudaException(CuResult result, string call)
    : Exception($"{call} failed: {CudaCheck.DescribeDriver(result)}")
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
