using System.Globalization;
using Pade.Engine;

namespace Pade.Kernels.Parity;

/// <summary>Compares a device's outputs with reference ones (by default the GPU's with the CPU's), element by element,
/// and builds the <see cref="ParityResult"/>. The labels name both sides in the mismatch lines ("cpu f64", "cuda f32").</summary>
public sealed class ParityCheck(string kernel, string shapes, string expectedLabel = "cpu", string actualLabel = "gpu")
{
    /// <summary>Failing elements listed per result.</summary>
    public const int MaxReported = 5;

    private readonly List<string> _mismatches = [];
    private readonly List<string> _tolerances = [];
    private double _maxAbsErr;
    private long _failures;

    /// <summary>Adds output <paramref name="name"/>: <paramref name="expected"/> (CPU) against <paramref name="actual"/> (GPU).</summary>
    public ParityCheck Compare(string name, Tensor expected, Tensor actual, double atol, double rtol) =>
        Compare(name, expected, actual, _ => atol, rtol, $"atol {Format(atol)}");

    /// <summary>As <see cref="Compare(string, Tensor, Tensor, double, double)"/> with an atol per element (row-major
    /// index), for outputs whose rounding error depends on the element (cancellation in a polynomial);
    /// <paramref name="atolText"/> describes it in the report.</summary>
    public ParityCheck Compare(string name, Tensor expected, Tensor actual, Func<long, double> atolOf, double rtol, string atolText)
    {
        if (!Shapes.SameShape(expected.Shape, actual.Shape))
        {
            _failures++;
            _mismatches.Add($"{name}: shape {Shapes.Format(actual.Shape)}, expected {Shapes.Format(expected.Shape)}");
            return this;
        }
        var tolerance = $"{name}: {atolText} + rtol {Format(rtol)}·|cpu|";
        if (!_tolerances.Contains(tolerance)) _tolerances.Add(tolerance);
        var e = Host(expected);
        var a = Host(actual);
        var shape = expected.ShapeCopy();
        for (long i = 0; i < e.Length; i++)
        {
            double x = e[i], y = a[i], atol = atolOf(i);
            bool ok;
            double diff;
            if (double.IsNaN(x) || double.IsNaN(y))
            {
                ok = double.IsNaN(x) && double.IsNaN(y);
                diff = ok ? 0 : double.NaN;
            }
            else if (double.IsInfinity(x) || double.IsInfinity(y))
            {
                ok = x == y;
                diff = ok ? 0 : double.PositiveInfinity;
            }
            else
            {
                diff = Math.Abs(y - x);
                ok = diff <= atol + rtol * Math.Abs(x);
            }
            // NaN (an output NaN on one side only) sticks: it is the worst error there is.
            if (!double.IsNaN(_maxAbsErr)) _maxAbsErr = double.IsNaN(diff) ? double.NaN : Math.Max(_maxAbsErr, diff);
            if (ok) continue;
            _failures++;
            if (_mismatches.Count < MaxReported)
                _mismatches.Add($"{name}{IndexOf(i, shape)}: {expectedLabel} {Format(x)}, {actualLabel} {Format(y)}, |diff| {Format(diff)} > {Format(atol + rtol * Math.Abs(x))}");
        }
        return this;
    }

    /// <summary>Records a failure that is not an element mismatch (a kernel that was not launched, a property that
    /// does not hold).</summary>
    public ParityCheck Fail(string message)
    {
        _failures++;
        if (_mismatches.Count < MaxReported) _mismatches.Add(message);
        return this;
    }

    /// <summary>The verdict so far.</summary>
    public ParityResult Result()
    {
        var list = _mismatches.ToList();
        if (_failures > list.Count) list.Add($"... {_failures - list.Count} more");
        return new ParityResult(kernel, shapes, _maxAbsErr, string.Join("; ", _tolerances), _failures == 0, list);
    }

    /// <summary>Elements as doubles on the host (any dtype, any device, any strides).</summary>
    private static double[] Host(Tensor t)
    {
        var cpu = t.Device.Type == DeviceType.Cpu ? t : t.Cpu();
        return cpu.DType switch
        {
            DType.Float64 => cpu.ToArray<double>(),
            DType.Float32 => Array.ConvertAll(cpu.ToArray<float>(), v => (double)v),
            _ => Array.ConvertAll(cpu.ToArray<int>(), v => (double)v),
        };
    }

    /// <summary>"[3, 7]": the multi-index of row-major element i.</summary>
    private static string IndexOf(long i, int[] shape)
    {
        if (shape.Length == 0) return "[]";
        var idx = new long[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            idx[d] = shape[d] == 0 ? 0 : i % shape[d];
            i = shape[d] == 0 ? 0 : i / shape[d];
        }
        return "[" + string.Join(", ", idx) + "]";
    }

    private static string Format(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
