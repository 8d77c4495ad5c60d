using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>View ops: new shape/strides/offset over the same storage, no copy. Backward maps the gradient back.</summary>
public sealed partial class Tensor
{
    private Tensor View(int[] shape, int[] strides, long offset) => new(Storage, shape, strides, offset);

    /// <summary>Same elements, new shape; one dim may be -1. A view when the layout allows, else a copy.</summary>
    public Tensor Reshape(params int[] shape)
    {
        var target = InferShape(shape);
        if (Shapes.SameShape(target, _shape)) return this;
        var src = IsContiguous ? this : Contiguous();
        var y = src.View(target, Shapes.ContiguousStrides(target), src.Offset);
        var inShape = _shape;
        return Graph.Record(y, "reshape", [this], g => [g.Reshape(inShape)]);
    }

    public Tensor View(params int[] shape)
    {
        if (!IsContiguous) throw new InvalidOperationException($"View({string.Join(", ", shape)}) needs a contiguous tensor; shape {Shapes.Format(_shape)} is a strided view: use Reshape");
        return Reshape(shape);
    }

    private int[] InferShape(int[] shape)
    {
        var r = (int[])shape.Clone();
        // Without these checks [-1, -1] inferred a negative dim and [-2, -3] passed the element count test.
        if (r.Count(d => d == -1) > 1)
            throw new ArgumentException($"reshape: only one dimension can be inferred (-1), got {Shapes.Format(shape)}");
        if (r.Any(d => d < -1))
            throw new ArgumentException($"reshape: negative dimension in {Shapes.Format(shape)}");
        int infer = Array.IndexOf(r, -1);
        long known = 1;
        for (int i = 0; i < r.Length; i++) if (i != infer) known *= r[i];
        if (infer >= 0)
        {
            if (known == 0 || Numel % known != 0)
                throw new ArgumentException($"reshape: cannot reshape {Shapes.Format(_shape)} ({Numel} elements) into {Shapes.Format(shape)}");
            r[infer] = (int)(Numel / known);
        }
        if (Shapes.Numel(r) != Numel)
            throw new ArgumentException($"reshape: cannot reshape {Shapes.Format(_shape)} ({Numel} elements) into {Shapes.Format(shape)}");
        return r;
    }

    /// <summary>Flattens dims start..end into one.</summary>
    public Tensor Flatten(int start = 0, int end = -1)
    {
        if (Rank == 0) return Reshape(1);
        int s = Shapes.NormalizeAxis("flatten", start, Rank), e = Shapes.NormalizeAxis("flatten", end, Rank);
        var shape = _shape.Take(s).Append(_shape[s..(e + 1)].Aggregate(1, (a, b) => a * b)).Concat(_shape.Skip(e + 1)).ToArray();
        return Reshape(shape);
    }

    /// <summary>Reorders the axes: y.shape[i] = x.shape[dims[i]].</summary>
    public Tensor Permute(params int[] dims)
    {
        if (dims.Length != Rank) throw new ArgumentException($"permute: {dims.Length} dims given for a tensor of rank {Rank}");
        var d = dims.Select(a => Shapes.NormalizeAxis("permute", a, Rank)).ToArray();
        if (d.Distinct().Count() != Rank) throw new ArgumentException($"permute: [{string.Join(", ", dims)}] is not a permutation");
        var y = View(d.Select(a => _shape[a]).ToArray(), d.Select(a => _strides[a]).ToArray(), Offset);
        var inverse = new int[Rank];
        for (int i = 0; i < Rank; i++) inverse[d[i]] = i;
        return Graph.Record(y, "permute", [this], g => [g.Permute(inverse)]);
    }

    public Tensor Transpose(int dim0, int dim1)
    {
        if (Shapes.IsScalarAxis(dim0, Rank) && Shapes.IsScalarAxis(dim1, Rank)) return this;
        var p = Enumerable.Range(0, Rank).ToArray();
        int a = Shapes.NormalizeAxis("transpose", dim0, Rank), b = Shapes.NormalizeAxis("transpose", dim1, Rank);
        (p[a], p[b]) = (p[b], p[a]);
        return Permute(p);
    }

    /// <summary>Matrix transpose of the last two axes.</summary>
    public Tensor T => Transpose(-2, -1);

    /// <summary>Elements start..start+length-1 along an axis.</summary>
    public Tensor Narrow(int axis, int start, int length)
    {
        int a = Shapes.NormalizeAxis("narrow", axis, Rank);
        // A negative start counts from the end of the axis, as in torch.narrow.
        if (start < 0 && start >= -_shape[a]) start += _shape[a];
        if (start < 0 || length < 0 || start + length > _shape[a])
            throw new ArgumentOutOfRangeException(nameof(start), $"narrow: [{start}, {start + length}) is outside axis {a} of size {_shape[a]}");
        var shape = ShapeCopy();
        shape[a] = length;
        var y = View(shape, _strides, Offset + (long)start * _strides[a]);
        var inShape = _shape;
        return Graph.Record(y, "narrow", [this], g =>
        {
            // The gradient of a slice is zero outside it: pad the slice's gradient back to the full axis.
            var pads = new int[2 * inShape.Length];
            pads[2 * (inShape.Length - 1 - a)] = start;
            pads[2 * (inShape.Length - 1 - a) + 1] = inShape[a] - start - length;
            return [g.Pad(pads)];
        });
    }

    /// <summary>Python-style slice [start:end:step) along an axis, negative indices from the end, bounds clipped to
    /// the axis; step ≥ 1 (PyTorch has no negative steps). A view.</summary>
    public Tensor Slice(int axis, int start, int end, int step = 1)
    {
        int a = Shapes.NormalizeAxis("slice", axis, Rank), n = _shape[a];
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), $"slice: step must be positive, got {step}");
        int s = Math.Clamp(start < 0 ? start + n : start, 0, n), e = Math.Clamp(end < 0 ? end + n : end, 0, n);
        var range = Narrow(a, s, Math.Max(0, e - s));
        return step == 1 ? range : range.Every(a, step);
    }

    /// <summary>Every step-th element along axis a from the first: the same storage with the axis' stride times step.
    /// The gradient spreads g back, each element followed by step − 1 zeros, cut to the axis (views and padding,
    /// so it has a gradient too).</summary>
    private Tensor Every(int a, int step)
    {
        int n = _shape[a], count = (n + step - 1) / step;
        var shape = ShapeCopy();
        shape[a] = count;
        var strides = (int[])_strides.Clone();
        strides[a] *= step;
        var y = View(shape, strides, Offset);
        int rank = Rank;
        var spreadShape = ShapeCopy();
        spreadShape[a] = count * step;
        return Graph.Record(y, "slice", [this], g =>
        {
            var pads = new int[2 * (rank - a)];
            pads[2 * (rank - 1 - a) + 1] = step - 1;   // after each element, on the axis Unsqueeze adds behind a
            return [g.Unsqueeze(a + 1).Pad(pads).Reshape(spreadShape).Narrow(a, 0, n)];
        });
    }

    /// <summary>The sub-tensor at index i of an axis (that axis removed).</summary>
    public Tensor Select(int axis, int index)
    {
        int a = Shapes.NormalizeAxis("select", axis, Rank);
        if (index < 0) index += _shape[a];
        if (index < 0 || index >= _shape[a])
            throw new ArgumentOutOfRangeException(nameof(index), $"select: index {index} is out of range for axis {a} of size {_shape[a]}");
        return Narrow(a, index, 1).Squeeze(a);
    }

    /// <summary>x[i, j, ...] as in PyTorch: the view at a multi-index over the leading axes (the element, as a rank-0
    /// view, when the index is full). Negative entries count from the end of their axis.</summary>
    public Tensor Index(params int[] index)
    {
        if (index.Length > Rank) throw new ArgumentException($"index has {index.Length} entries for a tensor of rank {Rank}");
        var t = this;
        for (int i = 0; i < index.Length; i++) t = t.Select(0, index[i]);
        return t;
    }

    /// <summary>Removes one size-1 axis, or all of them.</summary>
    public Tensor Squeeze(int? axis = null)
    {
        if (axis is int ax)
        {
            if (Shapes.IsScalarAxis(ax, Rank)) return this;
            int a = Shapes.NormalizeAxis("squeeze", ax, Rank);
            if (_shape[a] != 1) return this;
            return Reshape(_shape.Where((_, i) => i != a).ToArray());
        }
        return Reshape(_shape.Where(d => d != 1).ToArray());
    }

    /// <summary>Inserts a size-1 axis at position axis (0..rank).</summary>
    public Tensor Unsqueeze(int axis)
    {
        int a = axis < 0 ? axis + Rank + 1 : axis;
        if (a < 0 || a > Rank) throw new ArgumentOutOfRangeException(nameof(axis), $"unsqueeze: axis {axis} is out of range for a tensor of rank {Rank}");
        var s = _shape.ToList();
        s.Insert(a, 1);
        return Reshape(s.ToArray());
    }

    /// <summary>Broadcasts to a larger shape with stride 0 on repeated axes (no copy). -1 keeps a dim.</summary>
    public Tensor Expand(params int[] shape)
    {
        if (shape.Length < Rank) throw new ArgumentException($"expand: shape {Shapes.Format(shape)} has lower rank than {Shapes.Format(_shape)}");
        var target = (int[])shape.Clone();
        var strides = new int[target.Length];
        int lead = target.Length - Rank;
        for (int i = 0; i < target.Length; i++)
        {
            int src = i - lead;
            if (target[i] == -1) target[i] = src >= 0 ? _shape[src] : throw new ArgumentException("expand: -1 is not allowed for a new leading dim");
            // Other negative sizes used to be accepted where the source dim is 1, giving a negative shape.
            if (target[i] < 0) throw new ArgumentException($"expand: negative size {target[i]} at dim {i} in {Shapes.Format(shape)}");
            if (src < 0) { strides[i] = 0; continue; }
            if (_shape[src] == target[i]) strides[i] = _strides[src];
            else if (_shape[src] == 1) strides[i] = 0;
            else throw new ArgumentException($"expand: shape {Shapes.Format(_shape)} cannot be expanded to {Shapes.Format(shape)} (dim {i}: {_shape[src]} vs {target[i]})");
        }
        if (Shapes.SameShape(target, _shape)) return this;
        var y = View(target, strides, Offset);
        var inShape = _shape;
        return Graph.Record(y, "expand", [this], g => [g.SumTo(inShape)]);
    }

    public Tensor BroadcastTo(int[] shape) => Shapes.SameShape(shape, _shape) ? this : Expand(shape);

    /// <summary>Sums a broadcast result back to a shape it was broadcast from: the gradient rule of broadcasting.</summary>
    public Tensor SumTo(int[] shape)
    {
        if (Shapes.SameShape(shape, _shape)) return this;
        int lead = Rank - shape.Length;
        if (lead < 0) throw new ArgumentException($"sum_to: {Shapes.Format(_shape)} cannot be reduced to {Shapes.Format(shape)}");
        var axes = new List<int>();
        for (int i = 0; i < Rank; i++)
        {
            if (i < lead) { axes.Add(i); continue; }
            if (shape[i - lead] == 1 && _shape[i] != 1) axes.Add(i);
            else if (shape[i - lead] != _shape[i])
                throw new ArgumentException($"sum_to: {Shapes.Format(_shape)} cannot be reduced to {Shapes.Format(shape)}");
        }
        var r = axes.Count == 0 ? this : Sum(axes.ToArray(), keepDim: true);
        return r.Reshape(shape);
    }

    /// <summary>This tensor if contiguous, else a contiguous copy (differentiable).</summary>
    public Tensor Contiguous()
    {
        if (IsContiguous) return this;
        var y = EmptyLike();
        Backend.Copy(this, y);
        return Graph.Record(y, "contiguous", [this], g => [g]);
    }
}
