using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// Padding as torch.nn.functional.pad: <paramref name="pad"/> holds (before, after) pairs starting from the LAST
    /// dim, as PyTorch's <c>(left, right, top, bottom, front, back)</c>.
    /// <list type="bullet">
    /// <item>"constant" (the default): any rank, up to one pair per dim, filled with <paramref name="value"/>; a
    /// negative entry removes that many elements from its side (<see cref="Tensor.Pad"/>).</item>
    /// <item>"reflect", "replicate", "circular": the last 1, 2 or 3 dims (pad of length 2, 4 or 6) of an input with one
    /// or two more dims (unbatched or batched), as PyTorch's reflection_pad*, replication_pad* and _pad_circular.
    /// Along a dim of size n padded by (l, r), output o reads input src(o) with p = o − l: reflect mirrors p about 0
    /// and n − 1 without repeating the edge (l, r &lt; n), replicate clamps p to [0, n − 1]; so a negative l or r crops
    /// that side. Circular first crops the negative sides, to c elements, then wraps around those (l, r ≤ c), as
    /// PyTorch's copies do. Reflect and replicate need an output of at least 1 and no empty dim but the batch;
    /// <paramref name="value"/> must stay 0. An int32 input is padded too (the same index map through
    /// <see cref="Tensor.IndexSelect(int, Tensor)"/>, exact values).</item>
    /// </list>
    /// <para>Each non-constant padded dim is a gather with one tap of weight 1 per output: <see cref="Backend.Resample"/>
    /// along that dim with host-built taps (interpolate's kernel). One node is recorded; its backward is the same
    /// kernel on the transposed taps (input i sums the outputs that read it, in order: deterministic, no atomics),
    /// built only when a gradient is wanted.</para>
    /// </summary>
    public static Tensor Pad(Tensor input, int[] pad, string mode = "constant", double value = 0)
    {
        const string op = "pad";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(pad);
        ArgumentNullException.ThrowIfNull(mode);
        if (mode is not ("constant" or "reflect" or "replicate" or "circular"))
            throw new ArgumentException($"{op}: Unrecognised padding mode '{mode}' (modes: constant, reflect, replicate, circular)");
        string pads = $"[{string.Join(", ", pad)}]";
        if (pad.Length % 2 != 0)
            throw new ArgumentException($"{op}: Padding length must be divisible by 2, got {pad.Length} values {pads}");
        if (pad.Length > 2 * input.Rank)
            throw new ArgumentException($"{op}: Padding length should be less than or equal to two times the input dimension but got padding length {pad.Length} " +
                                        $"and input of dimension {input.Rank} (shape {Shapes.Format(input.Shape)})");
        if (mode == "constant") return input.Pad(pad, value);
        if (value != 0) throw new ArgumentException($"{op}: Padding mode \"{mode}\" doesn't take in value argument (got value {value})");
        int k = pad.Length / 2;
        if (k is < 1 or > 3 || input.Rank - k is not (1 or 2))
            throw new ArgumentException($"{op}: Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now: mode '{mode}' pads the last 1, 2 " +
                                        $"or 3 dims (padding of length 2, 4 or 6) of an input with one or two more dims, got padding {pads} of length {pad.Length} " +
                                        $"for an input of shape {Shapes.Format(input.Shape)}");
        var shape = input.ShapeCopy();
        int lead = input.Rank - k;
        if (mode != "circular")
        {
            // PyTorch's check_valid_input: an empty batch is fine, any other empty dim is not.
            bool batched = lead == 2;
            if (shape.Skip(batched ? 1 : 0).Any(s => s == 0))
                throw new ArgumentException($"{op}: Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions " +
                                            $"for input, but got: {Shapes.Format(input.Shape)} (mode '{mode}', padding {pads})");
        }

        // Per padded dim (the pairs run from the last dim), the source of each output.
        var steps = new List<(int Axis, int In, int[] Src)>();
        for (int i = 0; i < k; i++)
        {
            int axis = input.Rank - 1 - i, n = shape[axis], l = pad[2 * i], r = pad[2 * i + 1], outSize = n + l + r;
            string where = $"padding ({l}, {r}) of dim {axis} (size {n}) of input {Shapes.Format(input.Shape)}, padding {pads}";
            if (mode == "reflect" && (l >= n || r >= n))
                throw new ArgumentException($"{op}: Argument #4: Padding size should be less than the corresponding input dimension, but got: {where}");
            if (mode != "circular" && outSize < 1)
                throw new ArgumentException($"{op}: input (size {n}) is too small. Calculated output size: {outSize}, from {where}");
            int c = n - Math.Max(-l, 0) - Math.Max(-r, 0);
            if (mode == "circular")
            {
                if (outSize < 0 || c < 0)
                    throw new ArgumentException($"{op}: Negative padding value is resulting in an empty dimension: {where}");
                // PyTorch checks l, r ≤ n; its wrap copies read the cropped middle, so they must fit in it too.
                if (l > c || r > c)
                    throw new ArgumentException($"{op}: Padding value causes wrapping around more than once: {where}" +
                                                (c < n ? $" (after cropping, {c} elements remain to wrap around)" : ""));
            }
            if (l == 0 && r == 0) continue;
            steps.Add((axis, n, PadSource(n, l, r, mode)));
        }
        // Nothing to pad: a copy, as PyTorch returns a new tensor.
        if (steps.Count == 0) return input.Pad(new int[pad.Length]);
        // The resample kernel is float-only; an integer tensor (no gradient) takes the same index map through
        // index_select, which copies its values exactly, as PyTorch pads integers.
        if (!input.DType.IsFloating())
        {
            var yi = input;
            foreach (var (axis, _, src) in steps)
                yi = yi.IndexSelect(axis, Tensor.FromSpan<int>(src, [src.Length], input.Device));
            return yi;
        }

        bool needGrad = GradMode.IsEnabled && input.RequiresGrad;
        var forward = new AxisTaps[steps.Count];
        var backward = new AxisTaps?[steps.Count];
        var shapes = new int[steps.Count + 1][];
        shapes[0] = shape;
        for (int s = 0; s < steps.Count; s++)
        {
            var (axis, n, src) = steps[s];
            var plan = new TapList([.. Enumerable.Range(0, src.Length + 1)], src, Ones(src.Length));   // one tap of weight 1 each
            forward[s] = AxisTaps.Make(src.Length, plan.Offsets, plan.Taps, plan.Weights, input);
            if (needGrad) backward[s] = plan.Transpose(n, input);
            shapes[s + 1] = (int[])shapes[s].Clone();
            shapes[s + 1][axis] = src.Length;
        }

        Tensor y;
        using (Tensor.NoGrad())
        {
            y = input.Detach().Contiguous();
            for (int s = 0; s < steps.Count; s++) y = Along(forward[s], y, shapes[s], steps[s].Axis);
        }
        Tensor[] saved = needGrad ? [.. backward.SelectMany(b => b!.Tensors)] : [];
        return Graph.Record(y, $"{(mode == "reflect" ? "reflection" : mode == "replicate" ? "replication" : "circular")}_pad", [input], dy =>
        {
            var g = dy.Contiguous();
            for (int s = steps.Count - 1; s >= 0; s--) g = Along(backward[s]!, g, shapes[s + 1], steps[s].Axis);
            return [g];
        }, saved);

        static double[] Ones(int n) => Enumerable.Repeat(1.0, n).ToArray();
    }

    /// <summary>
    /// The index map of <see cref="Pad"/>'s non-constant modes along one dim of size <paramref name="size"/> padded by
    /// (<paramref name="before"/>, <paramref name="after"/>), already checked: output o reads input src[o]. With
    /// p = o − before: reflect p mirrored about 0 and size − 1, replicate p clamped to [0, size − 1]; circular wraps
    /// around the c elements left by the negative pads, so a positive pad reads the far end of those.
    /// </summary>
    public static int[] PadSource(int size, int before, int after, string mode)
    {
        int n = size, l = before, outSize = n + before + after;
        int c = n - Math.Max(-before, 0) - Math.Max(-after, 0);
        var src = new int[Math.Max(outSize, 0)];
        for (int o = 0; o < src.Length; o++)
        {
            int p = o - l;
            src[o] = mode switch
            {
                "reflect" => p < 0 ? -p : p >= n ? 2 * (n - 1) - p : p,
                "replicate" => Math.Clamp(p, 0, n - 1),
                "circular" => Math.Max(-l, 0) + Wrap(o - Math.Max(l, 0), c),
                _ => throw new ArgumentException($"pad: no index map for mode '{mode}' (reflect, replicate, circular)"),
            };
        }
        return src;

        static int Wrap(int q, int c) => q < 0 ? q + c : q >= c ? q - c : q;
    }

    /// <summary>x of <paramref name="shape"/> resampled along <paramref name="axis"/> by <paramref name="taps"/>, read as
    /// [dims before, axis, dims after].</summary>
    private static Tensor Along(AxisTaps taps, Tensor x, int[] shape, int axis)
    {
        int before = 1, after = 1;
        for (int d = 0; d < axis; d++) before *= shape[d];
        for (int d = axis + 1; d < shape.Length; d++) after *= shape[d];
        var y = taps.Apply(x.Reshape(before, shape[axis], after), before, after);
        var outShape = (int[])shape.Clone();
        outShape[axis] = taps.OutSize;
        return y.Reshape(outShape);
    }
}
