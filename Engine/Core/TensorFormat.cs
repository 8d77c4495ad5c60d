using System.Globalization;
using System.Text;

namespace Pade.Engine;

/// <summary>PyTorch-like printing: tensor([[1.0000, 2.0000], ...], requires_grad=True), summarised past 1000 elements.</summary>
public sealed partial class Tensor
{
    public override string ToString()
    {
        var values = Numel <= 100_000 ? ToArray<double>() : Narrowed().ToArray<double>();
        bool summarise = Numel > 1000;
        bool integral = DType == DType.Int32 || values.All(v => double.IsFinite(v) && v == Math.Floor(v) && Math.Abs(v) < 1e6);
        string Fmt(double v) => DType == DType.Int32 ? ((long)v).ToString(CultureInfo.InvariantCulture)
            : integral ? v.ToString("0", CultureInfo.InvariantCulture) + "."
            : Math.Abs(v) >= 1e5 || (Math.Abs(v) < 1e-4 && v != 0) ? v.ToString("0.0000e+00", CultureInfo.InvariantCulture)
            : v.ToString("0.0000", CultureInfo.InvariantCulture);
        var sb = new StringBuilder("tensor(");
        var shown = summarise && Numel > 100_000 ? Narrowed() : this;
        Append(sb, values, shown.ShapeArray, 0, 0, summarise, Fmt, 7);
        var extras = new List<string>();
        if (Rank == 0 || Numel == 0) { }
        if (Device != Device.Cpu) extras.Add($"device='{Device}'");
        if (DType == DType.Float64 || DType == DType.Int32) extras.Add($"dtype={DType.TorchName()}");
        if (GradFn != null) extras.Add($"grad_fn={GradFn}");
        else if (RequiresGrad) extras.Add("requires_grad=True");
        foreach (var e in extras) sb.Append(", ").Append(e);
        return sb.Append(')').ToString();
    }

    /// <summary>The first and last 3 entries of every axis, for printing huge tensors.</summary>
    private Tensor Narrowed()
    {
        using var _ = NoGrad();
        var t = this;
        for (int a = 0; a < Rank; a++)
            if (_shape[a] > 6) t = Concat([t.Narrow(a, 0, 3), t.Narrow(a, _shape[a] - 3, 3)], a);
        return t;
    }

    private static int Append(StringBuilder sb, double[] v, int[] shape, int axis, int index, bool summarise, Func<double, string> fmt, int indent)
    {
        if (shape.Length == 0) { sb.Append(fmt(v[index])); return index + 1; }
        int n = shape[axis];
        bool cut = summarise && n > 6 && v.Length < Shapes.Numel(shape) + 1;
        sb.Append('[');
        for (int i = 0; i < n; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
                if (axis < shape.Length - 1) sb.Append('\n', shape.Length - 1 - axis).Append(' ', indent + axis + 1);
                else sb.Append(' ');
            }
            if (cut && i == 3 && n > 6) { sb.Append("..., "); }
            if (axis == shape.Length - 1) sb.Append(fmt(v[index++]));
            else index = Append(sb, v, shape, axis + 1, index, summarise, fmt, indent);
        }
        sb.Append(']');
        return index;
    }
}
