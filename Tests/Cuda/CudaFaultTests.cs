using NUnit.Framework;
using Pade.Kernels;
using Pade.Kernels.Interop;

namespace Pade.Tests.Cuda;

/// <summary>
/// Planted defects (Tests/cuda/faults.cu) on the emulated driver: each must fail with a message that names the
/// kernel and the cause, and a sticky error must make the next call say that the context is dead and why. Only the
/// emulator can run these in a shared test process: after a sticky error on hardware the process has to exit.
/// </summary>
[NonParallelizable]
public unsafe class CudaFaultTests
{
    private static CudaKernel Kernel(CudaDevice device, string name) => FaultKernels.Get(device, name);

    /// <summary>Runs <paramref name="body"/>, which must end in a sticky error, and forgets the error afterwards.</summary>
    private static CudaException ExpectStickyError(CudaDevice device, Action body)
    {
        try
        {
            var e = Assert.Throws<CudaException>(() => body())!;
            TestContext.Out.WriteLine(e.Message);
            // The context stays dead: the next, unrelated call fails too, and says where the error came from.
            var next = Assert.Throws<CudaException>(() => device.Synchronize())!;
            TestContext.Out.WriteLine(next.Message);
            Assert.That(next.Result, Is.EqualTo(e.Result));
            Assert.That(next.Message, Does.Contain("context is dead").And.Contain("first reported by"));
            return e;
        }
        finally
        {
            CudaTestEnvironment.ForgetPlantedFault();
        }
    }

    [Test]
    public void ReadPastTheEndIsAnIllegalAddressNamingKernelAndAllocation()
    {
        var device = CudaTestEnvironment.RequireEmulatedDevice();
        var kernel = Kernel(device, "fault_read_past_end");
        const int n = 1024;
        using var x = DeviceMemory.Allocate(device.Context, n * sizeof(float));
        using var y = DeviceMemory.Allocate(device.Context, n * sizeof(float));
        var e = ExpectStickyError(device, () =>
        {
            device.Launch(kernel, 4, 256, 0, CuStream.Default, x.Pointer, y.Pointer, n); // the launch itself succeeds
            var host = new float[n];
            device.CopyToHost<float>(y.Pointer, host); // the fault surfaces at the next synchronising call
        });
        Assert.That(e.Result, Is.EqualTo(CuResult.IllegalAddress));
        Assert.That(e.Message, Does.Contain("cuMemcpyDtoH_v2").And.Contain("kernel fault_read_past_end")
            .And.Contain("0 bytes past the end of a 4096-byte allocation").And.Contain("fault_read_past_end; the fault is in one of them"));
    }

    [Test]
    public void ReadOfAFreedBlockIsAnIllegalAddress()
    {
        var device = CudaTestEnvironment.RequireEmulatedDevice();
        var kernel = Kernel(device, "fault_bounded");
        var x = DeviceMemory.Allocate(device.Context, 512 * sizeof(float));
        var stale = x.Pointer;
        x.Dispose();
        using var y = DeviceMemory.Allocate(device.Context, 512 * sizeof(float));
        var e = ExpectStickyError(device, () =>
        {
            device.Launch(kernel, 4, 128, 0, CuStream.Default, stale, y.Pointer, 512);
            device.Synchronize();
        });
        Assert.That(e.Message, Does.Contain("kernel fault_bounded").And.Contain("has been freed"));
    }

    [Test]
    public void SynchronousLaunchesNameTheFaultingKernelAtItsLaunch()
    {
        var device = CudaTestEnvironment.RequireEmulatedDevice();
        var kernel = Kernel(device, "fault_read_past_end");
        using var x = DeviceMemory.Allocate(device.Context, 1024 * sizeof(float));
        device.SynchronousLaunches = true;
        try
        {
            var e = ExpectStickyError(device, () => device.Launch(kernel, 4, 256, 0, CuStream.Default, x.Pointer, x.Pointer, 1024));
            Assert.That(e.Call, Is.EqualTo("cuCtxSynchronize after fault_read_past_end (synchronous launches)"));
        }
        finally
        {
            device.SynchronousLaunches = false;
        }
    }

    [Test]
    public void MissingSyncthreadsIsReportedAsADataRaceByRacecheck()
    {
        var device = CudaTestEnvironment.RequireEmulatedDevice();
        var kernel = Kernel(device, "fault_block_sum");
        const int blocks = 3;
        var values = Enumerable.Range(0, blocks * 256).Select(i => (float)(i % 7)).ToArray();
        using var x = DeviceMemory.Allocate(device.Context, values.Length * sizeof(float));
        using var y = DeviceMemory.Allocate(device.Context, blocks * sizeof(float));
        device.CopyToDevice<float>(values, x.Pointer);
        bool was = CudaTestEnvironment.SetRacecheck(true);
        try
        {
            // With the barrier the kernel is correct, and racecheck says nothing.
            device.Launch(kernel, blocks, 256, 0, CuStream.Default, x.Pointer, y.Pointer, 1);
            var sums = new float[blocks];
            device.CopyToHost<float>(y.Pointer, sums);
            for (int b = 0; b < blocks; b++) Assert.That(sums[b], Is.EqualTo(values.Skip(256 * b).Take(256).Sum()));
            // Without it, thread 0 may read partial sums not yet written: a result that depends on scheduling.
            var e = ExpectStickyError(device, () =>
            {
                device.Launch(kernel, blocks, 256, 0, CuStream.Default, x.Pointer, y.Pointer, 0);
                device.Synchronize();
            });
            Assert.That(e.Result, Is.EqualTo(CuResult.LaunchFailed));
            Assert.That(e.Message, Does.Contain("kernel fault_block_sum: data race").And.Contain("missing __syncthreads"));
        }
        finally
        {
            CudaTestEnvironment.SetRacecheck(was);
        }
    }

    [Test]
    public void MissingSyncthreadsChangesTheResultEvenWithoutRacecheck()
    {
        // The fibers of a block run in order between barriers, so thread 0 sums before the others have written:
        // the defect shows as a wrong value even when racecheck is off (and the op tests would catch it).
        var device = CudaTestEnvironment.RequireEmulatedDevice();
        var kernel = Kernel(device, "fault_block_sum");
        var values = Enumerable.Range(0, 256).Select(i => 1f + i).ToArray();
        using var x = DeviceMemory.Allocate(device.Context, 256 * sizeof(float));
        using var y = DeviceMemory.Allocate(device.Context, sizeof(float));
        device.CopyToDevice<float>(values, x.Pointer);
        device.Memset(y.Pointer, 0, sizeof(float));
        device.Launch(kernel, 1, 256, 0, CuStream.Default, x.Pointer, y.Pointer, 0);
        var sum = new float[1];
        device.CopyToHost<float>(y.Pointer, sum);
        Assert.That(sum[0], Is.Not.EqualTo(values.Sum()));
    }

    [Test]
    public void AShuffleThatHalfTheWarpSkipsIsADeadlockNotAHang()
    {
        var device = CudaTestEnvironment.RequireEmulatedDevice();
        var kernel = Kernel(device, "fault_divergent_shuffle");
        using var y = DeviceMemory.Allocate(device.Context, 32 * sizeof(float));
        var e = ExpectStickyError(device, () =>
        {
            device.Launch(kernel, 1, 32, 0, CuStream.Default, y.Pointer);
            device.Synchronize();
        });
        Assert.That(e.Message, Does.Contain("kernel fault_divergent_shuffle").And.Contain("deadlock")
            .And.Contain("16 of 32 threads wait at __syncthreads and 16 at a warp shuffle"));
    }

    [Test]
    public void GridYAbove65535IsRefusedNamingKernelAndLimit()
    {
        var device = CudaTestEnvironment.RequireDevice();
        var kernel = Kernel(device, "fault_bounded");
        using var x = DeviceMemory.Allocate(device.Context, 512);
        var e = Assert.Throws<ArgumentException>(() =>
            device.Launch(kernel, new Dim3(1, 70000), 128, 0, CuStream.Default, x.Pointer, x.Pointer, 0))!;
        Assert.That(e.Message, Does.Contain("fault_bounded").And.Contain("(1, 70000, 1)").And.Contain("65535"));
        // The driver refuses it too, with the code hardware gives, and the context stays usable.
        var r = RawLaunch(kernel, new Dim3(1, 70000), new Dim3(128), x.Pointer);
        Assert.That(r, Is.EqualTo(CuResult.InvalidValue));
        device.Synchronize();
    }

    [Test]
    public void BlockOf2048ThreadsIsRefused()
    {
        var device = CudaTestEnvironment.RequireDevice();
        var kernel = Kernel(device, "fault_bounded");
        using var x = DeviceMemory.Allocate(device.Context, 512);
        var e = Assert.Throws<ArgumentException>(() =>
            device.Launch(kernel, 1, 2048, 0, CuStream.Default, x.Pointer, x.Pointer, 0))!;
        Assert.That(e.Message, Does.Contain("fault_bounded").And.Contain("(2048, 1, 1)").And.Contain("1024"));
        Assert.That(RawLaunch(kernel, new Dim3(1), new Dim3(2048), x.Pointer), Is.EqualTo(CuResult.InvalidValue));
        device.Synchronize();
    }

    [Test]
    public void BlockAboveTheKernelsLaunchBoundsIsRefused()
    {
        var device = CudaTestEnvironment.RequireDevice();
        var kernel = Kernel(device, "fault_bounded");
        Assert.That(kernel.MaxThreadsPerBlock, Is.EqualTo(128)); // read from the compiled module's .maxntid
        using var x = DeviceMemory.Allocate(device.Context, 1024);
        var e = Assert.Throws<ArgumentException>(() =>
            device.Launch(kernel, 1, 256, 0, CuStream.Default, x.Pointer, x.Pointer, 0))!;
        Assert.That(e.Message, Does.Contain("fault_bounded").And.Contain("__launch_bounds__"));
        Assert.That(RawLaunch(kernel, new Dim3(1), new Dim3(256), x.Pointer), Is.EqualTo(CuResult.LaunchOutOfResources));
        device.Synchronize();
    }

    [Test]
    public void ModuleWithAnEntryTheEmulatorLacksFailsToLoadNamingIt()
    {
        var device = CudaTestEnvironment.RequireEmulatedDevice();
        const string source = "extern \"C\" __global__ void no_such_twin(float* y) { y[threadIdx.x] = 1; }\n";
        var e = Assert.Throws<CudaException>(() => device.LoadModuleFromSource("no_twin.cu", source))!;
        Assert.That(e.Message, Does.Contain("no_such_twin").And.Contain("no emulated twin"));
        device.Synchronize(); // a load error is not sticky
    }

    // cuLaunchKernel without CudaDevice's own checks: what the driver itself answers.
    private static CuResult RawLaunch(CudaKernel kernel, Dim3 grid, Dim3 block, CuDevicePtr p)
    {
        ulong a = p.Address, b = p.Address;
        int n = 0;
        void** args = stackalloc void*[3];
        args[0] = &a;
        args[1] = &b;
        args[2] = &n;
        return CudaDriver.cuLaunchKernel(kernel.Function, grid.X, grid.Y, grid.Z, block.X, block.Y, block.Z, 0,
            CuStream.Default, args, null);
    }
}

/// <summary>The emulator's fault handler takes only faults inside kernels: the .NET runtime's own (a null
/// dereference in managed code, which it turns into a NullReferenceException) must still reach the runtime.</summary>
public class EmulatorFaultHandlerChainingTests
{
    private sealed class Box
    {
        public int Value = 1;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int Read(Box? box) => box!.Value; // an implicit null check: a SIGSEGV the runtime handles

    [Test]
    public void ANullDereferenceInManagedCodeIsStillANullReferenceException()
    {
        CudaTestEnvironment.RequireEmulatedDevice(); // the emulator's handlers are installed by now (cuInit)
        Assert.Throws<NullReferenceException>(() => Read(null));
        Assert.That(Read(new Box()), Is.EqualTo(1));
    }
}
