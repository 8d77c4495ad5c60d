using System.Collections.Concurrent;
using System.Text;
using Pade.Kernels.Catalog;
using Pade.Kernels.Interop;

namespace Pade.Kernels;

/// <summary>
/// One GPU through the driver API: its primary context, its properties, the kernel modules loaded on it, a
/// caching allocator, and launch and copy helpers. Every method makes the context current on the calling thread
/// first (the driver keeps a "current context" per thread), so any thread may use the device.
/// </summary>
public sealed unsafe partial class CudaDevice : IDisposable
{
    private readonly Dictionary<string, CuModule> _modules = new();
    private readonly Dictionary<(string File, string Kernel), CudaKernel> _kernels = new();
    private readonly Lock _lock = new();

    // Launches per (file, kernel) in this process, all devices: the op tests check that each case reaches the
    // kernels it declares. One dictionary update per launch, small beside the launch itself.
    private static readonly ConcurrentDictionary<(string File, string Kernel), long> Launches = new();
    private string? _arch;
    private bool _disposed;

    private CudaDevice(int ordinal)
    {
        Ordinal = ordinal;
        CudaCheck.Driver(CudaDriver.cuDeviceGet(out var device, ordinal), "cuDeviceGet");
        Handle = device;
        Name = ReadName(device);
        ComputeCapability = (Attribute(CuDeviceAttribute.ComputeCapabilityMajor),
            Attribute(CuDeviceAttribute.ComputeCapabilityMinor));
        MultiprocessorCount = Attribute(CuDeviceAttribute.MultiprocessorCount);
        MaxThreadsPerBlock = Attribute(CuDeviceAttribute.MaxThreadsPerBlock);
        MaxSharedMemoryPerBlock = Attribute(CuDeviceAttribute.MaxSharedMemoryPerBlock);
        MaxBlock = ((uint)Attribute(CuDeviceAttribute.MaxBlockDimX), (uint)Attribute(CuDeviceAttribute.MaxBlockDimY),
            (uint)Attribute(CuDeviceAttribute.MaxBlockDimZ));
        MaxGrid = ((uint)Attribute(CuDeviceAttribute.MaxGridDimX), (uint)Attribute(CuDeviceAttribute.MaxGridDimY),
            (uint)Attribute(CuDeviceAttribute.MaxGridDimZ));
        WarpSize = Attribute(CuDeviceAttribute.WarpSize);
        CudaCheck.Driver(CudaDriver.cuDeviceTotalMem_v2(out nuint total, device), "cuDeviceTotalMem_v2");
        TotalMemory = (long)total;
        CudaCheck.Driver(CudaDriver.cuDriverGetVersion(out int version), "cuDriverGetVersion");
        DriverVersion = version;
        CudaCheck.Driver(CudaDriver.cuDevicePrimaryCtxRetain(out var context, device), "cuDevicePrimaryCtxRetain");
        Context = context;
        Allocator = new CachingAllocator(context);
        MakeCurrent();
    }

    /// <summary>Opens device <paramref name="ordinal"/>; false with a one-paragraph reason when impossible.</summary>
    public static bool TryOpen(out CudaDevice? device, out string why, int ordinal = 0)
    {
        device = null;
        if (!CudaLibraries.TryLoadDriver(out why)) return false;
        try
        {
            var init = CudaDriver.cuInit(0);
            if (init != CuResult.Success)
            {
                why = $"cuInit failed: {CudaCheck.DescribeDriver(init)}";
                return false;
            }
            CudaCheck.Driver(CudaDriver.cuDeviceGetCount(out int count), "cuDeviceGetCount");
            if (ordinal >= count)
            {
                why = count == 0 ? "the CUDA driver reports no device" : $"device {ordinal} requested, {count} present";
                return false;
            }
            device = new CudaDevice(ordinal);
            why = "";
            return true;
        }
        catch (CudaException e)
        {
            why = e.Message;
            return false;
        }
    }

    /// <summary>Opens device <paramref name="ordinal"/> or throws <see cref="InvalidOperationException"/> saying why not.</summary>
    public static CudaDevice Open(int ordinal = 0) =>
        TryOpen(out var device, out var why, ordinal) ? device! : throw new InvalidOperationException(why);

    public int Ordinal { get; }
    public CuDevice Handle { get; }
    public CuContext Context { get; }
    public string Name { get; }
    public (int Major, int Minor) ComputeCapability { get; }
    public int MultiprocessorCount { get; }
    public int MaxThreadsPerBlock { get; }
    public int MaxSharedMemoryPerBlock { get; }
    public int WarpSize { get; }

    /// <summary>The largest block extents (x, y, z) the device accepts.</summary>
    public (uint X, uint Y, uint Z) MaxBlock { get; }

    /// <summary>The largest grid extents (x, y, z) the device accepts (y and z: 65535 on every GPU so far).</summary>
    public (uint X, uint Y, uint Z) MaxGrid { get; }

    /// <summary>
    /// Synchronise after every launch, so that a fault inside a kernel is reported with that kernel's name instead
    /// of at the next copy. Slow; for hunting faults. Starts as <c>PADE_CUDA_SYNC=1</c> says.
    /// </summary>
    public bool SynchronousLaunches { get; set; } = Environment.GetEnvironmentVariable("PADE_CUDA_SYNC") == "1";
    public long TotalMemory { get; }

    /// <summary>The newest CUDA version the driver supports, encoded as 1000·major + 10·minor (12040 = 12.4).</summary>
    public int DriverVersion { get; }
    public string DriverVersionText => $"{DriverVersion / 1000}.{DriverVersion % 1000 / 10}";

    /// <summary>Device memory for tensors; freed blocks are reused.</summary>
    public CachingAllocator Allocator { get; }

    /// <summary>
    /// Where compiled PTX is cached (the process-wide <see cref="KernelCache.Shared"/> unless replaced).
    /// Replacing it, like <see cref="CompileOptions"/>, affects only modules loaded afterwards.
    /// </summary>
    public KernelCache Cache { get; set; } = KernelCache.Shared;

    /// <summary>Options every kernel on this device is compiled with.</summary>
    public NvrtcOptions CompileOptions { get; set; } = NvrtcOptions.Default;

    /// <summary>The NVRTC target, e.g. "compute_90" (see <see cref="NvrtcCompiler.ArchFor"/>). Needs NVRTC.</summary>
    public string Arch => _arch ??= NvrtcCompiler.ArchFor(ComputeCapability.Major, ComputeCapability.Minor);

    /// <summary>Makes this device's context current on the calling thread (cheap when it already is).</summary>
    public void MakeCurrent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        DeviceMemory.MakeCurrent(Context);
    }

    /// <summary>The loaded entry point of a declared kernel (its module compiled and loaded on first use).</summary>
    public CudaKernel GetKernel(Kernel declaration) => GetKernel(declaration.File, declaration.Name);

    /// <summary>The <c>extern "C"</c> kernel <paramref name="kernelName"/> of embedded file <paramref name="fileName"/>
    /// (launch through a <see cref="Kernel"/> declaration: this name is not checked against one).</summary>
    internal CudaKernel GetKernel(string fileName, string kernelName)
    {
        lock (_lock)
        {
            if (_kernels.TryGetValue((fileName, kernelName), out var kernel)) return kernel;
            var module = LoadModule(fileName);
            MakeCurrent();
            CudaCheck.Driver(CudaDriver.cuModuleGetFunction(out var function, module, kernelName),
                $"cuModuleGetFunction({fileName}: {kernelName})");
            CudaCheck.Driver(CudaDriver.cuFuncGetAttribute(out int maxThreads, CuFunctionAttribute.MaxThreadsPerBlock, function),
                $"cuFuncGetAttribute({kernelName}: MAX_THREADS_PER_BLOCK)");
            CudaCheck.Driver(CudaDriver.cuFuncGetAttribute(out int shared, CuFunctionAttribute.SharedSizeBytes, function),
                $"cuFuncGetAttribute({kernelName}: SHARED_SIZE_BYTES)");
            kernel = new CudaKernel(function, kernelName, fileName, maxThreads, shared);
            _kernels[(fileName, kernelName)] = kernel;
            return kernel;
        }
    }

    /// <summary>
    /// Launches <paramref name="kernel"/> asynchronously on <paramref name="stream"/>. <paramref name="args"/> must
    /// match the kernel's parameters one for one, each of the exact C type (see <see cref="KernelArg"/>): nothing
    /// here checks them, so code launches through <see cref="Kernel.Launch"/>, which does; this is the raw path
    /// under it (and the fault tests' path to kernels of their own).
    /// Errors inside the kernel surface at the next synchronising call, not here (unless
    /// <see cref="SynchronousLaunches"/>). A grid or block the device cannot run throws
    /// <see cref="ArgumentException"/> naming the kernel and the limit, before anything is launched.
    /// </summary>
    internal void Launch(CudaKernel kernel, Dim3 grid, Dim3 block, uint sharedBytes, CuStream stream,
        params ReadOnlySpan<KernelArg> args)
    {
        CheckLaunch(kernel, grid, block, sharedBytes);
        MakeCurrent();
        // cuLaunchKernel wants one pointer per parameter, each to that parameter's value; the values stay
        // pinned in the caller's span for the duration of the call, which is all the driver needs.
        void** pointers = stackalloc void*[Math.Max(args.Length, 1)];
        fixed (KernelArg* values = args)
        {
            for (int i = 0; i < args.Length; i++) pointers[i] = values + i;
            var result = CudaDriver.cuLaunchKernel(kernel.Function, grid.X, grid.Y, grid.Z,
                block.X, block.Y, block.Z, sharedBytes, stream, pointers, null);
            // The call's name is built only on failure: this runs for every kernel of every op.
            if (result != CuResult.Success) CudaCheck.Driver(result, $"cuLaunchKernel({kernel.Name})");
        }
        Launches.AddOrUpdate((kernel.FileName, kernel.Name), 1, static (_, n) => n + 1);
        LaunchLog.Record(kernel.Name);
        if (SynchronousLaunches)
        {
            CudaCheck.Driver(CudaDriver.cuCtxSynchronize(), $"cuCtxSynchronize after {kernel.Name} (synchronous launches)");
            LaunchLog.Clear();
        }
    }

    /// <summary>The limits the driver would reject a launch for, checked here so that the message names them.</summary>
    private void CheckLaunch(CudaKernel kernel, Dim3 grid, Dim3 block, uint sharedBytes)
    {
        string? problem = null;
        long threads = (long)block.X * block.Y * block.Z;
        if (grid.X == 0 || grid.Y == 0 || grid.Z == 0 || block.X == 0 || block.Y == 0 || block.Z == 0)
            problem = "an extent is 0";
        else if (grid.X > MaxGrid.X || grid.Y > MaxGrid.Y || grid.Z > MaxGrid.Z)
            problem = $"the grid exceeds the device's limits ({MaxGrid.X}, {MaxGrid.Y}, {MaxGrid.Z})";
        else if (block.X > MaxBlock.X || block.Y > MaxBlock.Y || block.Z > MaxBlock.Z || threads > MaxThreadsPerBlock)
            problem = $"the block exceeds the device's limits ({MaxBlock.X}, {MaxBlock.Y}, {MaxBlock.Z}; {MaxThreadsPerBlock} threads)";
        else if (kernel.MaxThreadsPerBlock > 0 && threads > kernel.MaxThreadsPerBlock)
            problem = $"{threads} threads per block exceed the kernel's limit of {kernel.MaxThreadsPerBlock} (its __launch_bounds__)";
        else if (sharedBytes + (long)kernel.StaticSharedBytes > MaxSharedMemoryPerBlock)
            problem = $"{sharedBytes} bytes of dynamic and {kernel.StaticSharedBytes} of static shared memory exceed {MaxSharedMemoryPerBlock} per block";
        if (problem != null)
            throw new ArgumentException(
                $"cannot launch {kernel.Name} ({kernel.FileName}) with grid ({grid.X}, {grid.Y}, {grid.Z}) and block " +
                $"({block.X}, {block.Y}, {block.Z}): {problem}");
    }

    /// <summary>How many times each kernel was launched in this process (on any device), as a snapshot.</summary>
    public static Dictionary<(string File, string Kernel), long> LaunchCounts() => new(Launches);

    /// <summary>
    /// Blocks for a 1-D grid-stride kernel over <paramref name="n"/> elements: enough to cover n, capped at 32
    /// blocks per multiprocessor (the loop inside the kernel does the rest).
    /// </summary>
    public Dim3 GridFor(long n, int threadsPerBlock = 256)
    {
        long blocks = Math.Max(1, (n + threadsPerBlock - 1) / threadsPerBlock);
        return new Dim3((uint)Math.Min(blocks, 32L * MultiprocessorCount));
    }

    /// <summary>Waits for all work on this device's context.</summary>
    public void Synchronize()
    {
        MakeCurrent();
        CudaCheck.Driver(CudaDriver.cuCtxSynchronize(), "cuCtxSynchronize");
        LaunchLog.Clear();
    }

    public override string ToString() =>
        $"{Name} (compute {ComputeCapability.Major}.{ComputeCapability.Minor}, {MultiprocessorCount} SMs, " +
        $"{TotalMemory / (double)(1L << 30):F1} GiB, driver CUDA {DriverVersionText})";

    public void Dispose()
    {
        if (_disposed) return;
        MakeCurrent();
        lock (_lock)
        {
            foreach (var module in _modules.Values) CudaDriver.cuModuleUnload(module);
            _modules.Clear();
            _kernels.Clear();
        }
        Allocator.Dispose();
        _disposed = true;
        CudaDriver.cuDevicePrimaryCtxRelease_v2(Handle);
    }

    private int Attribute(CuDeviceAttribute attribute)
    {
        CudaCheck.Driver(CudaDriver.cuDeviceGetAttribute(out int value, attribute, Handle),
            $"cuDeviceGetAttribute({attribute})");
        return value;
    }

    private static string ReadName(CuDevice device)
    {
        byte* buffer = stackalloc byte[256];
        CudaCheck.Driver(CudaDriver.cuDeviceGetName(buffer, 256, device), "cuDeviceGetName");
        return new string((sbyte*)buffer);
    }
}
