namespace Pade.Engine;

/// <summary>Deterministic creation ops: torch.linspace, torch.logspace, torch.eye.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// torch.linspace: <paramref name="steps"/> evenly spaced values from <paramref name="start"/> to
    /// <paramref name="end"/> inclusive. PyTorch's symmetric formula: the first half is start + i·step, the second
    /// end − (steps − 1 − i)·step, so both ends are exact; computed in the output's precision (float32 arithmetic for
    /// float32, as ATen's kernel) so results match PyTorch's to the last bit where its arithmetic is plain.
    /// </summary>
    public static Tensor Linspace(double start, double end, int steps, DType dtype = DType.Float32, Device? device = null) =>
        Spaced("linspace", start, end, steps, null, dtype, device);

    /// <summary>torch.logspace: <paramref name="base"/> raised to <see cref="Linspace"/>(start, end, steps), the power
    /// exponents and powers computed in double as ATen does, then rounded to the dtype.</summary>
    public static Tensor Logspace(double start, double end, int steps, double @base = 10, DType dtype = DType.Float32, Device? device = null) =>
        Spaced("logspace", start, end, steps, @base, dtype, device);

    private static Tensor Spaced(string op, double start, double end, int steps, double? @base, DType dtype, Device? device)
    {
        if (steps < 0) throw new ArgumentException($"{op}: number of steps must be non-negative, got {steps}");
        var values = HostSpaced(start, end, steps, @base, dtype);
        if (dtype == DType.Int32)
            return FromSpan<int>(values.Select(v => (int)v).ToArray(), [steps], device);
        return FromSpan<double>(values, [steps]).To(dtype).To(device ?? Device.Cpu);
    }

    /// <summary>linspace/logspace values on the host, each exact in <paramref name="dtype"/> (histc's bin edges too).</summary>
    internal static double[] HostSpaced(double start, double end, int steps, double? @base, DType dtype)
    {
        var values = new double[steps];
        int half = steps / 2;
        // start and end are first rounded to the output dtype (ATen's Scalar.to<scalar_t>()).
        double Round(double v) => dtype == DType.Float32 ? (float)v : dtype == DType.Int32 ? (int)v : v;
        start = Round(start);
        end = Round(end);
        if (dtype == DType.Float32 && @base is null)
        {
            // float arithmetic, as ATen's float linspace kernel: step and each value rounded to float.
            float s = (float)start, e = (float)end, step = steps > 1 ? (e - s) / (steps - 1) : 0f;
            for (int i = 0; i < steps; i++)
                values[i] = steps == 1 ? s : i < half ? s + step * i : e - step * (steps - i - 1);
        }
        else
        {
            // Double arithmetic: linspace of float64 and int32 (ATen's step is double for integral types), and
            // logspace of every dtype (ATen computes its exponent and power in double).
            double step = steps > 1 ? (end - start) / (steps - 1) : 0;
            for (int i = 0; i < steps; i++)
            {
                double v = steps == 1 ? start : i < half ? start + step * i : end - step * (steps - i - 1);
                values[i] = @base is double b ? Math.Pow(b, v) : v;
            }
        }
        if (dtype == DType.Float32)
            for (int i = 0; i < steps; i++) values[i] = (float)values[i];
        return values;
    }

    /// <summary>torch.eye: an <paramref name="n"/> × <paramref name="m"/> matrix (m defaults to n) with ones on the
    /// main diagonal.</summary>
    public static Tensor Eye(int n, int? m = null, DType dtype = DType.Float32, Device? device = null)
    {
        int cols = m ?? n;
        if (n < 0) throw new ArgumentException($"eye: n must be greater or equal to 0, got {n}");
        if (cols < 0) throw new ArgumentException($"eye: m must be greater or equal to 0, got {cols}");
        var values = new double[(long)n * cols];
        for (int i = 0; i < Math.Min(n, cols); i++) values[(long)i * cols + i] = 1;
        return FromSpan<double>(values, [n, cols]).To(dtype).To(device ?? Device.Cpu);
    }
}
