using System.Globalization;
using System.Text;

namespace Pade.Engine;

/// <summary>
/// PyTorch's printing (torch/_tensor_str.py, default print options), so a tensor reads the same in both:
/// <c>tensor([[ 1.5000, -2.0000], [...]], dtype=torch.float64, requires_grad=True)</c>. One format for the whole
/// tensor: integers as "2." when every value is integral, else 4 decimals, or scientific notation when the
/// magnitudes span more than 1000x (or exceed 1e8, or go below 1e-4); every element padded to a common width.
/// Past 1000 elements only the first and last 3 entries of each long axis are shown, with "..." between.
/// </summary>
public sealed partial class Tensor
{
    private const int PrintThreshold = 1000, EdgeItems = 3, LineWidth = 80;

    public override string ToString()
    {
        const string prefix = "tensor(";
        int indent = prefix.Length;
        var suffixes = new List<string>();
        if (Device != Device.Cpu) suffixes.Add($"device='{Device}'");
        string body;
        if (Numel == 0)
        {
            if (Rank != 1) suffixes.Add($"size=({string.Join(", ", _shape)})");
            if (DType != DType.Float32) suffixes.Add($"dtype=torch.{DType.TorchName()}");
            body = "[]";
        }
        else
        {
            if (DType != DType.Float32) suffixes.Add($"dtype=torch.{DType.TorchName()}");
            bool summarise = Numel > PrintThreshold;
            var shown = summarise ? Narrowed() : this;
            var values = shown.ToArray<double>();
            var cut = _shape.Select(d => summarise && d > 2 * EdgeItems).ToArray();
            var f = new ElementFormat(values, DType);
            body = Rank == 0 ? f.Format(values[0]) : Block(values, shown.ShapeArray, cut, 0, 0, indent, f);
        }
        if (GradFn != null) suffixes.Add($"grad_fn={GradFn}");
        else if (RequiresGrad) suffixes.Add("requires_grad=True");

        // Suffixes go on the last line unless that would pass the line width.
        var sb = new StringBuilder(prefix).Append(body);
        int lastLine = sb.Length - sb.ToString().LastIndexOf('\n') + 1;
        foreach (var s in suffixes)
        {
            if (lastLine + s.Length + 2 > LineWidth) { sb.Append(",\n").Append(' ', indent).Append(s); lastLine = indent + s.Length; }
            else { sb.Append(", ").Append(s); lastLine += s.Length + 2; }
        }
        return sb.Append(')').ToString();
    }

    /// <summary>The first and last <see cref="EdgeItems"/> entries of every longer axis, for printing huge tensors.</summary>
    private Tensor Narrowed()
    {
        using var _ = NoGrad();
        var t = this;
        for (int a = 0; a < Rank; a++)
            if (_shape[a] > 2 * EdgeItems) t = Concat([t.Narrow(a, 0, EdgeItems), t.Narrow(a, _shape[a] - EdgeItems, EdgeItems)], a);
        return t;
    }

    /// <summary>One axis of the (possibly narrowed) values starting at flat index <paramref name="start"/>:
    /// vectors wrap at the line width, higher axes put (rank - 1) newlines between their slices.</summary>
    private static string Block(double[] v, int[] shape, bool[] cut, int axis, int start, int indent, ElementFormat f)
    {
        int n = shape[axis];
        var items = new List<string>();
        if (axis == shape.Length - 1)
        {
            for (int i = 0; i < n; i++)
            {
                if (cut[axis] && i == EdgeItems) items.Add(" ...");
                items.Add(f.Format(v[start + i]));
            }
            int perLine = Math.Max(1, (LineWidth - indent) / (f.Width + 2));
            var lines = items.Chunk(perLine).Select(line => string.Join(", ", line));
            return "[" + string.Join(",\n" + new string(' ', indent + 1), lines) + "]";
        }
        int stride = 1;
        for (int d = axis + 1; d < shape.Length; d++) stride *= shape[d];
        for (int i = 0; i < n; i++)
        {
            if (cut[axis] && i == EdgeItems) items.Add("...");
            items.Add(Block(v, shape, cut, axis + 1, start + i * stride, indent + 1, f));
        }
        return "[" + string.Join("," + new string('\n', shape.Length - axis - 1) + new string(' ', indent + 1), items) + "]";
    }

    /// <summary>torch's _Formatter: picks integer, fixed or scientific notation from the nonzero finite values.</summary>
    private sealed class ElementFormat
    {
        private readonly bool _floating, _intMode = true, _sciMode;

        public ElementFormat(double[] values, DType dtype)
        {
            _floating = dtype.IsFloating();
            if (!_floating) { Width = values.Max(v => Raw(v).Length); return; }
            // As torch, only nonzero finite values decide the format and the width ("0.", "nan" may stick out).
            var finite = values.Where(v => double.IsFinite(v) && v != 0).ToArray();
            Width = 1;
            if (finite.Length == 0) return;
            double min = finite.Min(Math.Abs), max = finite.Max(Math.Abs);
            _intMode = finite.All(v => v == Math.Ceiling(v));
            _sciMode = max / min > 1000 || max > 1e8 || (!_intMode && min < 1e-4);
            Width = Math.Max(Width, finite.Max(v => Raw(v).Length));
        }

        public int Width { get; }

        private string Raw(double v)
        {
            var inv = CultureInfo.InvariantCulture;
            if (!_floating) return ((long)v).ToString(inv);
            if (double.IsNaN(v)) return "nan";
            if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
            if (_sciMode) return v.ToString("0.0000e+00", inv);
            if (_intMode) return v.ToString("0", inv) + ".";
            return v.ToString("0.0000", inv);
        }

        public string Format(double v) => Raw(v).PadLeft(Width);
    }
}
