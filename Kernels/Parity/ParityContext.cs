using Pade.Engine;

namespace Pade.Kernels.Parity;

/// <summary>What a parity case works with: the CPU backend (the reference), the CUDA backend under test, and
/// deterministic inputs (each case seeds its own generator, so a failure reproduces exactly).</summary>
public sealed class ParityContext(CudaBackend gpu)
{
    public CudaBackend Gpu { get; } = gpu;
    public CpuBackend Cpu => CpuBackend.Instance;

    /// <summary>Uniform values in [lo, hi) on the CPU, from Philox stream <paramref name="seed"/>.</summary>
    public static Tensor Rand(int[] shape, DType dtype, double lo, double hi, ulong seed)
    {
        if (dtype == DType.Int32)
            return Tensor.Rand(shape, lo, hi, DType.Float64, Device.Cpu, new Generator(seed)).To(DType.Int32);
        return Tensor.Rand(shape, lo, hi, dtype, Device.Cpu, new Generator(seed));
    }

    /// <summary>Values on a grid of step 1/4 in [lo, hi): ties and equal elements occur (comparisons, argmax, max).</summary>
    public static Tensor RandCoarse(int[] shape, DType dtype, double lo, double hi, ulong seed)
    {
        var values = Rand(shape, DType.Float64, lo, hi, seed).ToArray<double>();
        for (int i = 0; i < values.Length; i++) values[i] = Math.Floor(values[i] * 4) / 4;
        return Tensor.FromSpan<double>(values, shape).To(dtype);
    }

    /// <summary>The same elements, contiguous, on the GPU.</summary>
    public static Tensor ToGpu(Tensor cpu) => cpu.Contiguous().To(Device.Cuda);

    public static Tensor CpuEmpty(int[] shape, DType dtype) => Tensor.Empty(shape, dtype, Device.Cpu);

    public static Tensor GpuEmpty(int[] shape, DType dtype) => Tensor.Empty(shape, dtype, Device.Cuda);

    /// <summary>A GPU tensor filled with NaN, so an element the kernel forgets to write shows up as a mismatch.</summary>
    public Tensor GpuPoisoned(int[] shape, DType dtype)
    {
        var t = GpuEmpty(shape, dtype);
        Gpu.Fill(t, dtype == DType.Int32 ? int.MinValue : double.NaN);
        return t;
    }

    /// <summary>Machine epsilon of a dtype (2⁻²³ or 2⁻⁵²).</summary>
    public static double Eps(DType dtype) => dtype == DType.Float64 ? Math.Pow(2, -52) : Math.Pow(2, -23);

    public static string Name(DType dtype) => CudaBackend.Suffix(dtype);
}
