using static TorchSharp.torch;

namespace Pade.Bench;

/// <summary>
/// Memory-bound pointwise ops on 16M float32 elements, out of place as users write them (<c>a + b</c> allocates its
/// result), in GB/s of bytes that must move: reads + writes of 4-byte elements. A parallel
/// <see cref="Span{T}.CopyTo"/> of the same size is the reference bandwidth the ops can at best reach.
/// </summary>
public static class ElementwiseSuite
{
    public const int N = 16 * 1024 * 1024;
    const double Mb = 4.0 * N; // bytes of one operand

    public static IEnumerable<BenchCase> Cases()
    {
        yield return new BenchCase("add (a + b)", "16M", work: 3 * Mb, WorkUnit.Byte)
        {
            Torch = () => { Tensor a = randn(N), b = randn(N); return () => { _ = a + b; }; },
        };
        yield return new BenchCase("mul (a * b)", "16M", work: 3 * Mb, WorkUnit.Byte)
        {
            Torch = () => { Tensor a = randn(N), b = randn(N); return () => { _ = a * b; }; },
        };
        yield return new BenchCase("exp", "16M", work: 2 * Mb, WorkUnit.Byte)
        {
            Torch = () => { Tensor a = randn(N); return () => a.exp(); },
        };
        // The bandwidth reference. Its "Pade" column is plain C# (no engine): a Span.CopyTo split into one chunk per
        // thread; its Torch column is an in-place dst.copy_(src), which allocates nothing.
        yield return new BenchCase("copy (C# Span.CopyTo ref.)", "16M", work: 2 * Mb, WorkUnit.Byte)
        {
            Pade = SpanCopyReference,
            Torch = () => { Tensor src = randn(N), dst = empty(N); return () => dst.copy_(src); },
        };
    }

    /// <summary>Copies 16M floats with <see cref="Span{T}.CopyTo"/>, one contiguous chunk per thread.</summary>
    static Action SpanCopyReference()
    {
        var src = new float[N];
        var dst = new float[N];
        new Random(1).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(src.AsSpan()));
        int threads = Harness.CurrentThreads;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        return () =>
        {
            if (threads == 1) { src.AsSpan().CopyTo(dst); return; }
            int chunk = (N + threads - 1) / threads;
            Parallel.For(0, threads, options, i =>
            {
                int start = i * chunk, length = Math.Min(chunk, N - start);
                src.AsSpan(start, length).CopyTo(dst.AsSpan(start, length));
            });
        };
    }
}
