using Pade.Engine;
using Pade.Engine.Cpu;
using Pade.Kernels.Catalog;
using Pade.Kernels.Interop;

namespace Pade.Kernels;

/// <summary>
/// The CUDA backend: every <see cref="Backend"/> kernel as NVRTC-compiled CUDA (the sources in cuda/, one file per
/// family), on one GPU, which tensors call <c>cuda</c> (<see cref="Device.Cuda"/>). Each method mirrors the
/// <see cref="CpuBackend"/> method of the same name; the .cu file heading each family states the formula.
/// </summary>
/// <remarks>
/// <para>Start-up: <see cref="Register()"/> installs a resolver, so the GPU is opened (and fails, saying why) the
/// first time a tensor asks for <c>cuda</c>; the Engine itself never references this assembly.</para>
/// <para>Execution: every kernel is launched on the legacy default stream, so launches run in order and a freed
/// block can be reused at once; copies to the host wait for the work before them. Launch errors surface at the
/// next synchronising call.</para>
/// <para>One GPU: the Engine keys backends by device type, so <c>cuda:N</c> for any N is this backend's GPU.</para>
/// </remarks>
public sealed partial class CudaBackend : Backend
{
    /// <summary>Threads per block of the 1-D kernels (a multiple of the warp size: the warp-per-row kernels need it).</summary>
    internal const int Threads = KernelFile.DefaultThreads;

    private static readonly Lock RegistrationLock = new();
    private static CudaBackend? _current;
    private long _collectAbove;

    private CudaBackend(CudaDevice device)
    {
        CudaDevice = device;
        _collectAbove = Math.Max(512L << 20, device.TotalMemory / 4);
    }

    /// <summary>The GPU this backend launches on.</summary>
    public CudaDevice CudaDevice { get; }

    public override Device Device => Device.Cuda;

    // ---- registration -------------------------------------------------------------------------------------------

    /// <summary>
    /// Makes <c>cuda</c> tensors possible: the first time one is asked for, GPU <paramref name="ordinal"/> is opened
    /// and its backend registered. Never throws here; without a driver or GPU the first CUDA tensor throws an
    /// <see cref="InvalidOperationException"/> giving the reason.
    /// </summary>
    public static void Register(int ordinal = 0)
    {
        Backend.Resolver = device => device.Type == DeviceType.Cuda ? Current ?? Use(Open(ordinal)) : null;
    }

    /// <summary>Registers a backend on an already opened device (tests, `pade gpu check`) and returns it. A later
    /// call with the same device returns the same backend.</summary>
    public static CudaBackend Use(CudaDevice device)
    {
        lock (RegistrationLock)
        {
            if (_current?.CudaDevice == device) return _current;
            _current = new CudaBackend(device);
            Backend.Register(_current);
            return _current;
        }
    }

    /// <summary>The registered CUDA backend, or null before the first CUDA tensor.</summary>
    public static CudaBackend? Current
    {
        get { lock (RegistrationLock) return _current; }
    }

    /// <summary>Opens GPU <paramref name="ordinal"/> for tensors, or throws saying why it cannot (no driver, no
    /// device, no NVRTC).</summary>
    public static CudaDevice Open(int ordinal = 0)
    {
        if (!CudaDevice.TryOpen(out var device, out var why, ordinal))
            throw new InvalidOperationException($"device cuda:{ordinal} is not available: {why}");
        if (!CudaLibraries.TryLoadNvrtc(out var nvrtc))
            throw new InvalidOperationException($"device cuda:{ordinal} needs NVRTC to compile its kernels: {nvrtc}");
        return device!;
    }

    // ---- storage and host transfers -----------------------------------------------------------------------------

    public override Storage Allocate(DType dtype, long length, bool zero)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long bytes = length * dtype.SizeInBytes();
        CollectIfManyBlocksAreOut();
        var memory = CudaDevice.Allocator.Allocate(Math.Max(bytes, 1));
        var storage = new CudaStorage(this, dtype, length, memory);
        if (zero) CudaDevice.Memset(memory.Pointer, 0, bytes);
        return storage;
    }

    /// <summary>
    /// The garbage collector does not see GPU memory, so tensors dropped without Dispose keep their blocks until a
    /// collection happens for other reasons. When the bytes in use pass a budget, collect (the finalizers hand the
    /// blocks back to the cache) and set the next budget to twice what is really still in use, as BufferPool does.
    /// </summary>
    private void CollectIfManyBlocksAreOut()
    {
        var inUse = CudaDevice.Allocator.Stats().InUseBytes;
        if (inUse <= Volatile.Read(ref _collectAbove)) return;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        inUse = CudaDevice.Allocator.Stats().InUseBytes;
        Volatile.Write(ref _collectAbove, Math.Max(Math.Max(512L << 20, CudaDevice.TotalMemory / 4), 2 * inUse));
    }

    public override void ToHost<T>(Tensor x, Span<T> dst)
    {
        CheckElementType<T>("ToHost", x);
        if (dst.Length < x.Numel)
            throw new ArgumentException($"ToHost: destination holds {dst.Length} elements, the tensor {x.Numel}");
        var source = x.IsContiguous ? x : x.Clone();
        // dst.Length ≥ Numel above, so Numel fits an int here; checked says so if that ever changes.
        CudaDevice.CopyToHost(PointerOf(source, "ToHost"), dst[..checked((int)source.Numel)]);
        GC.KeepAlive(source); // a strided view's contiguous copy must outlive the (synchronous) copy
    }

    public override void FromHost<T>(ReadOnlySpan<T> src, Tensor y)
    {
        CheckElementType<T>("FromHost", y);
        RequireContiguous("FromHost", y);
        if (src.Length != y.Numel)
            throw new ArgumentException($"FromHost: {src.Length} host elements for a tensor of {y.Numel}");
        CudaDevice.CopyToDevice(src, PointerOf(y, "FromHost"));
    }

    public override void Fill(Tensor y, double value)
    {
        RequireContiguous("Fill", y);
        long n = y.Numel;
        if (n == 0) return;
        var p = PointerOf(y, "Fill");
        switch (y.DType)
        {
            case DType.Float32: FillCopyKernels.FillF32.LaunchOver(CudaDevice, n, p, n, (float)value); break;
            case DType.Float64: FillCopyKernels.FillF64.LaunchOver(CudaDevice, n, p, n, value); break;
            default: FillCopyKernels.FillI32.LaunchOver(CudaDevice, n, p, n, (int)value); break;
        }
    }

    /// <summary>Strided copy with dtype conversion (cuda/fill_copy.cu: copy_&lt;in&gt;_&lt;out&gt;); a plain
    /// device-to-device copy when both sides are contiguous and of one dtype.</summary>
    public override void Copy(Tensor x, Tensor y)
    {
        if (!Shapes.SameShape(x.Shape, y.Shape))
            throw new ArgumentException($"Copy: shapes {Shapes.Format(x.Shape)} and {Shapes.Format(y.Shape)} differ");
        long n = y.Numel;
        if (n == 0) return;
        var px = PointerOf(x, "Copy");
        var py = PointerOf(y, "Copy");
        if (x.DType == y.DType && x.IsContiguous && y.IsContiguous)
        {
            CudaDevice.CopyDeviceToDevice<byte>(px, py, n * x.DType.SizeInBytes());
            return;
        }
        var loop = new StridedLoop(x.ShapeCopy(), x.Strides.ToArray(), y.Strides.ToArray());
        FillCopyKernels.Copy(x.DType, y.DType).LaunchOver(CudaDevice, n, px, py, n, loop.Shape.Length, Dims(loop.Shape), Dims(loop.Strides[0]), Dims(loop.Strides[1]));
    }

    // ---- helpers shared by the kernel families ------------------------------------------------------------------

    /// <summary>"f32", "f64" or "i32": the suffix of a kernel's entry point for a dtype.</summary>
    internal static string Suffix(DType dtype) => dtype switch
    {
        DType.Float32 => "f32",
        DType.Float64 => "f64",
        _ => "i32",
    };

    /// <summary>A scalar kernel argument of the tensor's float type (float for float32, double for float64).</summary>
    internal static KernelArg Scalar(DType dtype, double value) =>
        dtype == DType.Float32 ? (KernelArg)(float)value : (KernelArg)value;

    internal static KernelArg Dims(int[] values) => KernelArg.Of(Dims8.From(values));

    /// <summary>Device address of the tensor's first element; throws naming both devices if it is not on this GPU.</summary>
    internal CuDevicePtr PointerOf(Tensor t, string op)
    {
        if (t.Storage is CudaStorage s && ReferenceEquals(s.Backend, this)) return s.PointerAt(t.Offset);
        throw new ArgumentException(
            $"{op}: a tensor on {t.Device} was passed to the {Device} backend (GPU {CudaDevice.Name}): move it with .To(Device.Cuda)");
    }

    internal static void RequireContiguous(string op, Tensor t)
    {
        if (!t.IsContiguous)
            throw new ArgumentException($"{op}: the CUDA kernel needs a contiguous tensor, got shape {Shapes.Format(t.Shape)} with strides {Shapes.Format(t.Strides)}");
    }

    internal static void RequireFloating(string op, Tensor t)
    {
        if (!t.DType.IsFloating())
            throw new ArgumentException($"{op}: the CUDA kernel needs float32 or float64, got {t.DType.TorchName()}");
    }

    private static void CheckElementType<T>(string op, Tensor t) where T : unmanaged
    {
        if (DTypeExtensions.Of<T>() != t.DType)
            throw new ArgumentException($"{op}: host elements of type {typeof(T).Name} for a {t.DType.TorchName()} tensor");
    }

    /// <summary>Blocks for a warp-per-row kernel over <paramref name="rows"/> rows (8 warps per block, capped as GridFor).</summary>
    internal Dim3 GridForWarps(long rows) => CudaDevice.GridFor(rows * 32, Threads);

    /// <summary>A temporary device buffer of <paramref name="count"/> elements of <paramref name="dtype"/> (the
    /// partial results of multi-pass kernels); dispose it to return it to the cache.</summary>
    internal ScratchBuffer Scratch(long count, DType dtype) =>
        new(CudaDevice.Allocator, CudaDevice.Allocator.Allocate(Math.Max(1, count * dtype.SizeInBytes())));
}

/// <summary>A block of the caching allocator borrowed for the length of one backend call.</summary>
internal readonly struct ScratchBuffer(CachingAllocator allocator, DeviceMemory memory) : IDisposable
{
    public CuDevicePtr Pointer => memory.Pointer;

    public void Dispose() => allocator.Free(memory);
}
