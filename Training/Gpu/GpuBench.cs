using System.Globalization;
using System.Text;
using Pade.Engine;
using Pade.Kernels;
using Pade.Kernels.Parity;

namespace Pade.Training.Gpu;

/// <summary>
/// `pade bench gpu`: the PAU kernels' throughput against the GPU's own device-to-device copy, GEMM TFLOP/s, and
/// (when the models exist) training-step times. Every time is from CUDA events around repeated launches.
/// </summary>
/// <remarks>
/// Bytes counted per element (float32): copy 8 (read + write), ReLU and PAU forward 8 (x in, y out), PAU
/// forward + backward 20 (forward 8, backward reads x and dy and writes dx: 12; the coefficient partials are
/// a few kilobytes). "Of copy" is the kernel's GB/s over the copy's GB/s, measured in the same run on the same
/// buffers, so 1.0 means the kernel runs at the memory speed this GPU actually reaches.
/// Exit codes: 0 done; <see cref="GpuCheck.NoGpu"/> (4) no CUDA driver, GPU or NVRTC (the reason is printed).
/// </remarks>
public static partial class GpuBench
{
    /// <summary>One measured line of the report.</summary>
    public sealed record Row(string Name, long Elements, double Milliseconds, double? GigabytesPerSecond, double? FractionOfCopy, string Note);

    /// <summary>Runs the benchmark on GPU 0 and prints a markdown table (also written to
    /// <paramref name="markdownPath"/> unless null). <paramref name="sizes"/>: PAU element counts (default 16M, 64M).</summary>
    /// <remarks><paramref name="gemm"/>: the side of the square GEMM (4096); <paramref name="batch"/>: the models'
    /// batch (128; 0 leaves the model rows out). Smaller values make a dry run on the emulated driver affordable.</remarks>
    public static int Run(TextWriter output, string? markdownPath = "gpu-bench.md", IReadOnlyList<long>? sizes = null, int repetitions = 20,
        int gemm = 4096, int batch = 128)
    {
        if (!GpuCheck.OpenGpu(output, "bench gpu", out var device)) return GpuCheck.NoGpu;
        var gpu = CudaBackend.Use(device!);
        sizes ??= [16L << 20, 64L << 20];
        output.WriteLine($"GPU {device}; NVRTC {GpuCheck.NvrtcText()}; {repetitions} repetitions per measurement");
        var rows = new List<Row>();
        foreach (var n in sizes) rows.AddRange(PauRows(gpu, n, repetitions));
        rows.Add(GemmRow(gpu, gemm, repetitions));
        bool models = batch == 0;
        if (batch > 0) AddModelRows(gpu, repetitions, batch, rows, ref models);
        if (!models)
            rows.Add(new Row("LeNet / VGG-8 training step", 0, double.NaN, null, null,
                "not measured: the models (Layers) are not in this build"));

        var md = Markdown(device!, rows, repetitions);
        output.WriteLine();
        output.Write(md);
        if (markdownPath != null)
        {
            File.WriteAllText(markdownPath, md);
            output.WriteLine($"Written to {Path.GetFullPath(markdownPath)}.");
        }
        return 0;
    }

    /// <summary>Training-step rows of the paper's networks, where the models exist (GpuBench.Models.cs).</summary>
    static partial void AddModelRows(CudaBackend gpu, int repetitions, int batch, List<Row> rows, ref bool added);

    /// <summary>Copy, ReLU, PAU forward and PAU forward + backward on <paramref name="n"/> float32 elements.</summary>
    private static IEnumerable<Row> PauRows(CudaBackend gpu, long n, int repetitions)
    {
        var device = gpu.CudaDevice;
        int count = checked((int)n);
        var x = Tensor.Rand([count], -3, 3, DType.Float32, Device.Cuda, new Generator(1));
        var dy = Tensor.Rand([count], -1, 1, DType.Float32, Device.Cuda, new Generator(2));
        var y = Tensor.Empty([count], DType.Float32, Device.Cuda);
        var dx = Tensor.Empty([count], DType.Float32, Device.Cuda);
        var a = Tensor.FromArray(PauReference.LeakyReluNumerator).To(DType.Float32).To(Device.Cuda);
        var b = Tensor.FromArray(PauReference.LeakyReluDenominator).To(DType.Float32).To(Device.Cuda);
        var da = Tensor.Empty([6], DType.Float32, Device.Cuda);
        var db = Tensor.Empty([4], DType.Float32, Device.Cuda);
        var px = ((CudaStorage)x.Storage).Pointer;
        var py = ((CudaStorage)y.Storage).Pointer;
        try
        {
            double copy = CudaTimer.Milliseconds(device, () => device.CopyDeviceToDevice<float>(px, py, n), repetitions);
            double copyGbs = Gbs(8 * n, copy);
            yield return new Row("device-to-device copy", n, copy, copyGbs, 1, "cuMemcpyDtoD, the reference");
            double relu = CudaTimer.Milliseconds(device, () => gpu.Unary(UnaryOp.Relu, x, y), repetitions);
            yield return new Row("ReLU forward", n, relu, Gbs(8 * n, relu), Gbs(8 * n, relu) / copyGbs, "unary_f32");
            double fwd = CudaTimer.Milliseconds(device, () => gpu.PauForward(x, a, b, y), repetitions);
            yield return new Row("PAU forward (m=5, n=4)", n, fwd, Gbs(8 * n, fwd), Gbs(8 * n, fwd) / copyGbs, "pau54_forward_f32");
            double both = CudaTimer.Milliseconds(device, () =>
            {
                gpu.PauForward(x, a, b, y);
                gpu.PauBackward(x, a, b, dy, dx, da, db);
            }, repetitions);
            yield return new Row("PAU forward + backward (m=5, n=4)", n, both, Gbs(20 * n, both), Gbs(20 * n, both) / copyGbs,
                "pau54_forward + pau54_backward + pau_coeff_reduce");
        }
        finally
        {
            foreach (var t in (Tensor[])[x, dy, y, dx, a, b, da, db]) t.Dispose();
        }
    }

    /// <summary>C = A·B for square float32 matrices of side <paramref name="size"/>: 2·size³ flops.</summary>
    private static Row GemmRow(CudaBackend gpu, int size, int repetitions)
    {
        var a = Tensor.Rand([1, size, size], -1, 1, DType.Float32, Device.Cuda, new Generator(3));
        var b = Tensor.Rand([1, size, size], -1, 1, DType.Float32, Device.Cuda, new Generator(4));
        var c = Tensor.Empty([1, size, size], DType.Float32, Device.Cuda);
        try
        {
            double ms = CudaTimer.Milliseconds(gpu.CudaDevice, () => gpu.MatMul(a, b, c, false, false), repetitions);
            double tflops = 2.0 * size * size * (double)size / (ms * 1e-3) / 1e12;
            var (kernel, _) = gpu.GemmKernel(DType.Float32, 1, size, size, false, false);
            return new Row($"GEMM fp32 {size}x{size}x{size}", 0, ms, null, null,
                string.Create(CultureInfo.InvariantCulture, $"{tflops:F2} TFLOP/s ({kernel.Name}, FP32 FMA, no tensor cores)"));
        }
        finally
        {
            a.Dispose(); b.Dispose(); c.Dispose();
        }
    }

    private static double Gbs(long bytes, double ms) => bytes / (ms * 1e-3) / 1e9;

    private static string Markdown(CudaDevice device, List<Row> rows, int repetitions)
    {
        var md = new StringBuilder();
        md.AppendLine("# pade bench gpu").AppendLine();
        md.AppendLine($"- **GPU**: {device}");
        md.AppendLine($"- **NVRTC**: {GpuCheck.NvrtcText()}, target {device.Arch}");
        md.AppendLine($"- **Date**: {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}");
        md.AppendLine($"- **Method**: CUDA events around {repetitions} launches after 3 warm-up runs; mean per run.").AppendLine();
        md.AppendLine("| kernel | elements | time (ms) | GB/s | of copy | note |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in rows)
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Name} | {(r.Elements == 0 ? "" : Millions(r.Elements))} | {(double.IsNaN(r.Milliseconds) ? "" : r.Milliseconds.ToString("F3", CultureInfo.InvariantCulture))} | {r.GigabytesPerSecond?.ToString("F0", CultureInfo.InvariantCulture) ?? ""} | {r.FractionOfCopy?.ToString("F2", CultureInfo.InvariantCulture) ?? ""} | {r.Note} |"));
        return md.ToString();
    }

    private static string Millions(long n) => n % (1 << 20) == 0 ? $"{n >> 20}M" : n.ToString("N0", CultureInfo.InvariantCulture);
}
