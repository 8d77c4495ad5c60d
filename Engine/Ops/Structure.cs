using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>Ops that assemble tensors: concatenation, stacking, constant padding.</summary>
public sealed partial class Tensor
{
    /// <summary>Joins tensors along an existing axis. The gradient of each part is its slice of the output's. Parts of
    /// different dtypes meet in PyTorch's result type (float64 over float32 over int32), by differentiable casts.</summary>
    public static Tensor Concat(Tensor[] parts, int axis = 0)
    {
        if (parts.Length == 0) throw new ArgumentException("concat: no tensors given");
        if (parts.Any(p => p.DType != parts[0].DType))
        {
            var to = parts.Select(p => p.DType).Aggregate(DTypeExtensions.Promote);
            parts = parts.Select(p => p.To(to)).ToArray();
        }
        // PyTorch's legacy rule: a 1-D empty tensor [0] joins anything and is skipped, so code that starts from an
        // empty accumulator works. It has taken part in the promotion above, as in torch.cat; it has no gradient.
        if (parts.Any(p => p.Rank != 1) && parts.Any(IsLegacyEmpty)) parts = parts.Where(p => !IsLegacyEmpty(p)).ToArray();
        var first = parts[0];
        int a = Shapes.NormalizeAxis("concat", axis, first.Rank);
        var shape = first.ShapeCopy();
        shape[a] = 0;
        foreach (var p in parts)
        {
            Ops.CheckPair("concat", first, p);
            if (p.Rank != first.Rank)
                throw new ArgumentException($"concat: tensors of rank {first.Rank} and {p.Rank}: shapes {Shapes.Format(first._shape)} and {Shapes.Format(p._shape)}");
            for (int i = 0; i < p.Rank; i++)
                if (i != a && p._shape[i] != first._shape[i])
                    throw new ArgumentException($"concat: shapes {Shapes.Format(first._shape)} and {Shapes.Format(p._shape)} differ outside axis {a}");
            shape[a] += p._shape[a];
        }
        var y = Empty(shape, first.DType, first.Device);
        var offsets = new int[parts.Length];
        int at = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            offsets[i] = at;
            if (parts[i]._shape[a] > 0) CopyInto(parts[i], y.Detach().Narrow(a, at, parts[i]._shape[a]));
            at += parts[i]._shape[a];
        }
        return Graph.Record(y, "concat", parts, g => parts.Select((p, i) => (Tensor?)g.Narrow(a, offsets[i], p._shape[a])).ToArray());
    }

    private static bool IsLegacyEmpty(Tensor t) => t.Rank == 1 && t._shape[0] == 0;

    /// <summary>Joins equally shaped tensors along a new axis.</summary>
    public static Tensor Stack(Tensor[] parts, int axis = 0)
    {
        if (parts.Length == 0) throw new ArgumentException("stack: no tensors given");
        foreach (var p in parts)
            if (!Shapes.SameShape(p._shape, parts[0]._shape))
                throw new ArgumentException($"stack: shapes {Shapes.Format(parts[0]._shape)} and {Shapes.Format(p._shape)} differ");
        int a = axis < 0 ? axis + parts[0].Rank + 1 : axis;
        return Concat(parts.Select(p => p.Unsqueeze(a)).ToArray(), a);
    }

    /// <summary>
    /// Constant padding as torch.nn.functional.pad: pads holds (before, after) pairs starting from the LAST axis.
    /// A negative entry removes that many elements from its side (the input is narrowed first, as PyTorch does).
    /// The gradient is the un-padded slice of the output's.
    /// </summary>
    public Tensor Pad(int[] pads, double value = 0)
    {
        if (pads.Length % 2 != 0 || pads.Length / 2 > Rank)
            throw new ArgumentException($"pad: {pads.Length} values for a tensor of rank {Rank}: need (before, after) pairs for at most {Rank} axes");
        if (pads.Any(p => p < 0)) return Crop(pads).Pad(pads.Select(p => Math.Max(p, 0)).ToArray(), value);
        var shape = ShapeCopy();
        for (int i = 0; i < pads.Length / 2; i++) shape[Rank - 1 - i] += pads[2 * i] + pads[2 * i + 1];
        var y = Full(shape, value, DType, Device);
        var inner = y.Detach();
        for (int i = 0; i < pads.Length / 2; i++) inner = inner.Narrow(Rank - 1 - i, pads[2 * i], _shape[Rank - 1 - i]);
        CopyInto(this, inner);
        int rank = Rank;
        var inShape = _shape;
        return Graph.Record(y, "pad", [this], g =>
        {
            var r = g;
            for (int i = 0; i < pads.Length / 2; i++) r = r.Narrow(rank - 1 - i, pads[2 * i], inShape[rank - 1 - i]);
            return [r];
        });
    }

    /// <summary>The negative entries of <see cref="Pad"/>'s pads, as narrowing views.</summary>
    private Tensor Crop(int[] pads)
    {
        var t = this;
        for (int i = 0; i < pads.Length / 2; i++)
        {
            int axis = Rank - 1 - i, size = _shape[axis], before = pads[2 * i], after = pads[2 * i + 1];
            if (size + before + after < 0)
                throw new ArgumentException($"pad: axis {axis} of size {size} with padding ({before}, {after}) of [{string.Join(", ", pads)}] " +
                                            $"would have a negative size, for a tensor of shape {Shapes.Format(_shape)}");
            int from = Math.Max(-before, 0), to = size - Math.Max(-after, 0);
            if (from > to)
                throw new ArgumentException($"pad: axis {axis} of size {size} cannot lose {from} elements before and {size - to} after " +
                                            $"(padding [{string.Join(", ", pads)}] of a tensor of shape {Shapes.Format(_shape)})");
            t = t.Narrow(axis, from, to - from);
        }
        return t;
    }

    /// <summary>Writes src into a (possibly strided) view of a fresh output, without recording.</summary>
    private static void CopyInto(Tensor src, Tensor view) => src.Backend.Copy(src, view);
}
