using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pade.Engine.Cpu;

/// <summary>The body of a pointwise loop: element i of the output, as a vector (lanes i..i+w) or a scalar. Lanes
/// must be independent (lane j depends on the inputs at j only) so a lane may be computed twice.</summary>
public interface IVectorBody<T> where T : unmanaged
{
    Vector512<T> Vector(nint i);
    T Scalar(nint i);
}

/// <summary>
/// Runs a pointwise body over a contiguous output. Large outputs are written with non-temporal (streaming) stores:
/// a result that cannot stay in cache anyway then skips the read-for-ownership of its cache lines, so y = a + b
/// moves 12 bytes per float instead of 16.
/// </summary>
public static unsafe class VectorLoop
{
    /// <summary>Outputs at least this large (bytes, whole op) are streamed; smaller ones stay in cache for the next op.</summary>
    public const long StreamingBytes = 16L << 20;

    /// <summary>Whether an op writing this many elements of T should stream its stores.</summary>
    public static bool ShouldStream<T>(long elements) where T : unmanaged =>
        elements * sizeof(T) >= StreamingBytes && CpuIsa.Vectors && Sse.IsSupported;

    /// <summary>y[i] = body(i) for i in [0, len).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<T, TB>(T* y, nint len, TB body, bool stream) where T : unmanaged where TB : struct, IVectorBody<T>
    {
        nint w = Vector512<T>.Count, i = 0;
        if (stream && len >= 2 * w)
        {
            // Streaming stores need 64-byte alignment. The unaligned first and last vectors are computed before any
            // store, so an in-place op (y == x) still reads only original inputs; the aligned loop rewrites part of
            // them with the same values.
            var first = body.Vector(0);
            var last = body.Vector(len - w);
            for (i = (nint)((64 - ((nuint)y & 63)) & 63) / sizeof(T); i <= len - w; i += w)
                body.Vector(i).StoreAlignedNonTemporal(y + i);
            first.Store(y);
            last.Store(y + len - w);
            // Streaming stores are weakly ordered: fence before another thread may read the result.
            Sse.StoreFence();
            return;
        }
        if (CpuIsa.Vectors)
            for (; i <= len - w; i += w) body.Vector(i).Store(y + i);
        for (; i < len; i++) y[i] = body.Scalar(i);
    }
}
