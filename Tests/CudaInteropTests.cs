using System.Runtime.InteropServices;
using NUnit.Framework;
using Pade.Kernels;
using Pade.Kernels.Catalog;
using Pade.Kernels.Interop;

namespace Pade.Tests;

/// <summary>
/// The driver layer on a real GPU: launches, copies, the allocator, events. Ignored (with the reason) where no
/// driver or device exists; the first tests need neither.
/// </summary>
public class CudaInteropTests
{
    [TestCase(0, 512)]
    [TestCase(1, 512)]
    [TestCase(513, 1024)]
    [TestCase(4096, 4096)]
    [TestCase((1 << 20) - 1, 1 << 20)]
    [TestCase(1 << 20, 2 << 20)]
    [TestCase((2 << 20) + 1, 4 << 20)]
    [TestCase(5 << 20, 6 << 20)]
    public void SizeClassesRoundUpAsDocumented(long bytes, long expected) =>
        Assert.That(CachingAllocator.SizeClass(bytes), Is.EqualTo(expected));

    [Test]
    public unsafe void KernelArgStoresValueBytesInline()
    {
        var arg = KernelArg.Of(0x0102030405060708L);
        Assert.That(arg.Size, Is.EqualTo(8));
        Assert.That(*(long*)&arg, Is.EqualTo(0x0102030405060708L)); // the launch passes &arg as the value pointer
        KernelArg f = 1.5f;
        Assert.That((*(float*)&f, *((int*)&f + 1)), Is.EqualTo((1.5f, 0))); // unused bytes are zero
        var dims = Dims8.From([2, 3, 4]);
        var d = KernelArg.Of(dims);
        Assert.That(d.Size, Is.EqualTo(64));
        Assert.That(new ReadOnlySpan<long>(&d, 8).ToArray(), Is.EqualTo(new long[] { 2, 3, 4, 0, 0, 0, 0, 0 }));
        Assert.Throws<ArgumentException>(() => Dims8.From(new int[9]));
        Assert.That(sizeof(KernelArg), Is.EqualTo(KernelArg.MaxBytes + 16)); // + struct type, size, kind
    }

    [Test]
    public void DeviceReportsProperties()
    {
        var dev = CudaTestEnvironment.RequireDevice();
        TestContext.Out.WriteLine($"{dev}; arch {dev.Arch}; NVRTC {NvrtcCompiler.Version()}");
        Assert.That(dev.Name, Is.Not.Empty);
        Assert.That(dev.MultiprocessorCount, Is.GreaterThan(0));
        Assert.That(dev.ComputeCapability.Major, Is.GreaterThanOrEqualTo(5));
        Assert.That(dev.TotalMemory, Is.GreaterThan(1L << 30));
        Assert.That(dev.WarpSize, Is.EqualTo(32));
        var (free, total) = dev.MemoryInfo();
        Assert.That(free, Is.InRange(1, total));
    }

    [TestCase(1)]
    [TestCase(1000)]
    [TestCase(1_000_003)]
    public void FillSetsEveryElement(int n)
    {
        var dev = CudaTestEnvironment.RequireDevice();
        using var y32 = dev.Allocator.Allocate(n * 4L);
        using var y64 = dev.Allocator.Allocate(n * 8L);
        dev.Memset(y32.Pointer, 0xFF, n * 4L);
        FillCopyKernels.FillF32.LaunchOver(dev, n, y32.Pointer, (long)n, 2.5f);
        FillCopyKernels.FillF64.LaunchOver(dev, n, y64.Pointer, (long)n, -1.25);
        var h32 = new float[n];
        var h64 = new double[n];
        dev.CopyToHost(y32.Pointer, h32.AsSpan());
        dev.CopyToHost(y64.Pointer, h64.AsSpan());
        Assert.That(h32, Is.All.EqualTo(2.5f));
        Assert.That(h64, Is.All.EqualTo(-1.25));
    }

    [Test]
    public void FillStopsAtN()
    {
        var dev = CudaTestEnvironment.RequireDevice();
        using var y = dev.Allocator.Allocate(1024 * 4);
        dev.Memset32(y.Pointer, BitConverter.SingleToUInt32Bits(7f), 1024);
        FillCopyKernels.FillF32.Launch(dev, 4, y.Pointer, 1000L, 1f);
        var h = new float[1024];
        dev.CopyToHost(y.Pointer, h.AsSpan());
        Assert.That(h[..1000], Is.All.EqualTo(1f));
        Assert.That(h[1000..], Is.All.EqualTo(7f));
    }

    // (shape, strides, offset) views of a 4x5x6 source: identity, transpose, slice, broadcast, scalar.
    private static readonly object[] Views =
    [
        new object[] { new[] { 4, 5, 6 }, new[] { 30, 6, 1 }, 0L },
        new object[] { new[] { 6, 5, 4 }, new[] { 1, 6, 30 }, 0L },
        new object[] { new[] { 2, 3, 2 }, new[] { 30, 6, 2 }, 37L },
        new object[] { new[] { 3, 7, 6 }, new[] { 0, 0, 1 }, 12L },
        new object[] { new[] { 2, 1, 1, 1, 1, 1, 1, 3 }, new[] { 60, 0, 0, 0, 0, 0, 0, 1 }, 5L },
        new object[] { Array.Empty<int>(), Array.Empty<int>(), 42L },
    ];

    [TestCaseSource(nameof(Views))]
    public void CopyStridedGathersTheView(int[] shape, int[] strides, long offset)
    {
        var dev = CudaTestEnvironment.RequireDevice();
        var source = Enumerable.Range(0, 120).Select(i => i * 0.5).ToArray();
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var expected = new double[n];
        for (long i = 0; i < n; i++)
        {
            long at = offset, rest = i;
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                at += rest % shape[d] * strides[d];
                rest /= shape[d];
            }
            expected[i] = source[at];
        }

        CheckCopy(dev, FillCopyKernels.CopyStrided.F64, source, expected, shape, strides, offset);
        CheckCopy(dev, FillCopyKernels.CopyStrided.F32, source.Select(v => (float)v).ToArray(),
            expected.Select(v => (float)v).ToArray(), shape, strides, offset);
    }

    private static void CheckCopy<T>(CudaDevice dev, Kernel kernel, T[] source, T[] expected,
        int[] shape, int[] strides, long offset) where T : unmanaged
    {
        int size = Marshal.SizeOf<T>();
        using var x = dev.Allocator.Allocate(source.Length * size);
        using var y = dev.Allocator.Allocate(Math.Max(1, expected.Length) * size);
        dev.CopyToDevice<T>(source, x.Pointer);
        kernel.LaunchOver(dev, expected.Length, x.Pointer, y.Pointer, (long)expected.Length, shape.Length,
            KernelArg.Of(Dims8.From(shape)), KernelArg.Of(Dims8.From(strides)), offset);
        var actual = new T[expected.Length];
        dev.CopyToHost(y.Pointer, actual.AsSpan());
        Assert.That(actual, Is.EqualTo(expected), kernel.Name);
    }

    [Test]
    public void AllocatorReusesFreedBlocks()
    {
        var dev = CudaTestEnvironment.RequireDevice();
        using var allocator = new CachingAllocator(dev.Context);
        var a = allocator.Allocate(3000); // class 4096
        var address = a.Pointer;
        Assert.That(allocator.Stats(), Is.EqualTo(new AllocatorStats(4096, 0, 0, 1)));
        allocator.Free(a);
        Assert.That(allocator.Stats(), Is.EqualTo(new AllocatorStats(4096, 4096, 0, 1)));
        Assert.Throws<InvalidOperationException>(() => allocator.Free(a));

        var b = allocator.Allocate(4000); // same class: the same block comes back
        Assert.That(b, Is.SameAs(a));
        Assert.That(b.Pointer, Is.EqualTo(address));
        var c = allocator.Allocate(3 << 20); // another class: a fresh block
        Assert.That(allocator.Stats(), Is.EqualTo(new AllocatorStats(4096 + (4 << 20), 0, 1, 2)));
        Assert.That(allocator.Stats().InUseBytes, Is.EqualTo(4096 + (4 << 20)));

        allocator.Free(b);
        allocator.Free(c);
        allocator.EmptyCache();
        Assert.That(allocator.Stats(), Is.EqualTo(new AllocatorStats(0, 0, 1, 2)));
        Assert.That(b.IsClosed, Is.True);
        Assert.Throws<ArgumentException>(() => dev.Allocator.Free(DeviceMemory.Allocate(dev.Context, 16)));
    }

    [Test]
    public unsafe void StreamsEventsAndAsyncCopiesWork()
    {
        var dev = CudaTestEnvironment.RequireDevice();
        const int n = 1 << 20;
        using var a = dev.Allocator.Allocate(n * 4L);
        using var b = dev.Allocator.Allocate(n * 4L);
        CudaCheck.Driver(CudaDriver.cuStreamCreate(out var stream, CudaDriver.StreamNonBlocking), "cuStreamCreate");
        CudaCheck.Driver(CudaDriver.cuEventCreate(out var start, 0), "cuEventCreate");
        CudaCheck.Driver(CudaDriver.cuEventCreate(out var stop, 0), "cuEventCreate");
        try
        {
            var host = Enumerable.Range(0, n).Select(i => (float)i).ToArray();
            var back = new float[n];
            CudaCheck.Driver(CudaDriver.cuEventRecord(start, stream), "cuEventRecord");
            fixed (float* h = host)
                CudaCheck.Driver(CudaDriver.cuMemcpyHtoDAsync_v2(a.Pointer, h, n * 4, stream), "cuMemcpyHtoDAsync_v2");
            CudaCheck.Driver(CudaDriver.cuMemcpyDtoDAsync_v2(b.Pointer, a.Pointer, n * 4, stream), "cuMemcpyDtoDAsync_v2");
            fixed (float* h = back)
            {
                CudaCheck.Driver(CudaDriver.cuMemcpyDtoHAsync_v2(h, b.Pointer, n * 4, stream), "cuMemcpyDtoHAsync_v2");
                CudaCheck.Driver(CudaDriver.cuEventRecord(stop, stream), "cuEventRecord");
                CudaCheck.Driver(CudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
            }
            CudaCheck.Driver(CudaDriver.cuEventSynchronize(stop), "cuEventSynchronize");
            CudaCheck.Driver(CudaDriver.cuEventElapsedTime(out float ms, start, stop), "cuEventElapsedTime");
            Assert.That(ms, Is.GreaterThanOrEqualTo(0));
            Assert.That(back, Is.EqualTo(host));
        }
        finally
        {
            CudaDriver.cuEventDestroy_v2(start);
            CudaDriver.cuEventDestroy_v2(stop);
            CudaDriver.cuStreamDestroy_v2(stream);
        }
    }

    [Test]
    public void DriverErrorsNameTheCallAndTheError()
    {
        var dev = CudaTestEnvironment.RequireDevice();
        var e = Assert.Throws<CudaException>(() => dev.GetKernel("fill_copy.cu", "no_such_kernel"))!;
        Assert.That(e.Result, Is.EqualTo(CuResult.NotFound));
        Assert.That(e.Message, Does.Contain("no_such_kernel").And.Contain("CUDA_ERROR_NOT_FOUND"));
    }
}
