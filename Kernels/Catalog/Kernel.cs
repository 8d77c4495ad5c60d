using Pade.Engine;
using Pade.Kernels.Interop;

namespace Pade.Kernels.Catalog;

/// <summary>
/// One <c>extern "C" __global__</c> entry point of cuda/, declared once in C# (the catalogue, <see cref="KernelCatalog"/>):
/// its file, name, parameter list and threads per block. Launching goes through the declaration, which checks the
/// arguments one for one against the parameters (kind, width, struct type) and throws naming the kernel and the
/// parameter, because the driver itself copies whatever bytes it is handed. The declarations in turn are checked
/// against NVRTC's PTX by a test (Tests/KernelCatalogTests.cs), so a declaration that drifts from its C signature
/// fails in CI without a GPU.
/// </summary>
public sealed class Kernel
{
    internal Kernel(string file, string name, KernelParam[] parameters, int threads)
    {
        File = file;
        Name = name;
        Parameters = parameters;
        Threads = threads;
    }

    /// <summary>The kernel file, e.g. "elementwise.cu".</summary>
    public string File { get; }

    /// <summary>The entry point, e.g. "unary_f32".</summary>
    public string Name { get; }

    public IReadOnlyList<KernelParam> Parameters { get; }

    /// <summary>Threads per block of every launch (at most the kernel's <c>__launch_bounds__</c>, which the PTX test checks).</summary>
    public int Threads { get; }

    /// <summary>Launches on <paramref name="grid"/> blocks of <see cref="Threads"/> threads, on the default stream,
    /// after checking <paramref name="args"/> against <see cref="Parameters"/>.</summary>
    public void Launch(CudaDevice device, Dim3 grid, params ReadOnlySpan<KernelArg> args)
    {
        CheckArguments(args);
        device.Launch(device.GetKernel(this), grid, Threads, 0, CuStream.Default, args);
    }

    /// <summary>Launches a grid-stride kernel over <paramref name="n"/> elements (<see cref="CudaDevice.GridFor"/>).</summary>
    public void LaunchOver(CudaDevice device, long n, params ReadOnlySpan<KernelArg> args) =>
        Launch(device, device.GridFor(n, Threads), args);

    /// <summary>Throws <see cref="ArgumentException"/> naming the kernel and the first parameter whose argument is
    /// missing, extra, or of another C type.</summary>
    public void CheckArguments(ReadOnlySpan<KernelArg> args)
    {
        for (int i = 0; i < Math.Min(args.Length, Parameters.Count); i++)
        {
            var (p, a) = (Parameters[i], args[i]);
            bool same = p.Kind == a.Kind && p.Size == a.Size && (p.StructType == null || a.IsStructOf(p.StructType));
            if (!same)
                throw new ArgumentException(
                    $"{File}: {Name} parameter {i} ({p}) was given a {a.TypeName} ({a.Size} bytes); declared {this}");
        }
        if (args.Length != Parameters.Count)
            throw new ArgumentException($"{File}: {Name} takes {Parameters.Count} arguments, was given {args.Length}; declared {this}");
    }

    /// <summary>The C signature: "unary_f32(int op, T* x, T* y, long long n, float alpha, float beta)".</summary>
    public override string ToString() => $"{Name}({string.Join(", ", Parameters)})";
}

/// <summary>A kernel instantiated for float32 and float64 (entry points NAME_f32 and NAME_f64 of one template).</summary>
public sealed record FloatKernel(Kernel F32, Kernel F64)
{
    public Kernel this[DType dtype] => dtype switch
    {
        DType.Float32 => F32,
        DType.Float64 => F64,
        _ => throw new ArgumentException($"{F32.File}: {F32.Name[..^4]} has float32 and float64 entry points, not {dtype.TorchName()}"),
    };
}

/// <summary>
/// The declarations of one kernel file, in the order they are made. A catalogue class (e.g.
/// <see cref="ElementwiseKernels"/>) declares each entry point through it, so its list of kernels is never kept
/// by hand.
/// </summary>
public sealed class KernelFile(string name)
{
    /// <summary>Threads per block unless a declaration says otherwise (a multiple of the warp size: the
    /// warp-per-row kernels need it).</summary>
    public const int DefaultThreads = 256;

    private readonly List<Kernel> _kernels = [];

    public string Name => name;

    public IReadOnlyList<Kernel> Kernels => _kernels;

    /// <summary>Declares entry point <paramref name="entry"/> with exactly these parameters.</summary>
    public Kernel Declare(string entry, KernelParam[] parameters, int threads = DefaultThreads)
    {
        if (_kernels.Any(k => k.Name == entry)) throw new InvalidOperationException($"{name}: {entry} is declared twice");
        var kernel = new Kernel(name, entry, parameters, threads);
        _kernels.Add(kernel);
        return kernel;
    }

    /// <summary>Declares <c>stem_f32</c> and <c>stem_f64</c>, the parameter list written once with <c>T("x")</c>
    /// for the template's scalar type (float, then double).</summary>
    public FloatKernel PerFloat(string stem, Func<ScalarParam, KernelParam[]> parameters, int threads = DefaultThreads) =>
        new(Declare(stem + "_f32", parameters(KernelParam.F32), threads),
            Declare(stem + "_f64", parameters(KernelParam.F64), threads));
}
