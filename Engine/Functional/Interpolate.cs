using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// Resampling as torch.nn.functional.interpolate: input (N, C, L) with modes "nearest", "nearest-exact" and
    /// "linear", (N, C, H, W) with "nearest", "nearest-exact", "bilinear" and "bicubic", or (N, C, D, H, W) with
    /// "nearest", "nearest-exact" and "trilinear"; "area" (any of them) is adaptive average pooling to the output
    /// size (<see cref="AdaptiveAvgPool2d"/>, <see cref="AdaptiveAvgPool3d"/>). Exactly one of
    /// <paramref name="size"/> (the output's spatial sizes) and <paramref name="scaleFactor"/> is given; either holds
    /// one entry per spatial dim, or one entry for all of them (Python's scalar form). With a scale factor s the output
    /// size is ⌊in·s⌋, and unless <paramref name="recomputeScaleFactor"/> the source coordinates use 1/s itself, not
    /// in/out, as PyTorch (see <see cref="ResampleTaps"/> for the index rules of UpSample.h, <see cref="CubicTaps"/>
    /// for bicubic's). <paramref name="antialias"/> (bilinear and bicubic, 4-D) filters as libtorch's
    /// _upsample_bilinear2d_aa / _upsample_bicubic2d_aa: the kernel's support stretched by the scale when
    /// downsampling, normalised weights, Keys' A = −0.5 for bicubic (see <see cref="AntialiasTaps"/>); upsampling with
    /// it is not plain bilinear/bicubic at the borders (and for bicubic not anywhere: the other A).
    /// <para>The resampling is separable: a 1-D pass along W, then along H, then along D (<see cref="Backend.Resample"/>), each
    /// output a weighted sum of the input taps that UpSample.h's rules give it, host-built per axis. One node is
    /// recorded; its backward is the adjoint, the same kernel on the transposed taps, built only when the input
    /// requires a gradient and grad mode is on (libtorch's CPU backward of the nearest modes indexes by UpSample.h's
    /// nearest_idx, which can differ from its own forward: see <see cref="ResampleTaps"/>; this backward is the
    /// forward's true gradient, as libtorch's CUDA kernels). Nearest modes copy one input (exact copies of finite
    /// values); linear modes weigh two, bicubic four (clamped at the borders), antialias all those under the filter.
    /// A non-finite input (±∞, NaN) reaches the outputs whose taps read it, as in libtorch: each output forms every
    /// tap's λ·x, a tap of weight λ = 0 included, so 0·∞ gives NaN there as libtorch's kernels do (an aligned source
    /// position beside an ∞, or linear with out = in); no longer along its whole row and column.</para>
    /// </summary>
    public static Tensor Interpolate(Tensor input, int[]? size = null, double[]? scaleFactor = null, string mode = "nearest",
        bool? alignCorners = null, bool? recomputeScaleFactor = null, bool antialias = false)
    {
        const string op = "interpolate";
        Ops.CheckFloating(op, input);
        ArgumentNullException.ThrowIfNull(mode);
        if (mode is not ("nearest" or "nearest-exact" or "linear" or "bilinear" or "bicubic" or "trilinear" or "area"))
            throw new ArgumentException($"{op}: unknown mode '{mode}' (PyTorch's modes: nearest, linear, bilinear, bicubic, trilinear, area, nearest-exact)");
        bool linear = mode is "linear" or "bilinear" or "trilinear";
        if (alignCorners != null && !(linear || mode == "bicubic"))
            throw new ArgumentException($"{op}: align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear");
        if (antialias && !(mode is "bilinear" or "bicubic" && input.Rank == 4))
            throw new ArgumentException($"{op}: Anti-alias option is restricted to bilinear and bicubic modes and requires a 4-D tensor as input (got mode '{mode}' and a {input.Rank}-D input)");
        if (input.Rank is not (3 or 4 or 5))
            throw new ArgumentException($"{op}: expected a 3-D (N, C, L), 4-D (N, C, H, W) or 5-D (N, C, D, H, W) input, got {Shapes.Format(input.Shape)} of rank {input.Rank}");
        int dims = input.Rank - 2;
        if (mode == "linear" && dims != 1) throw new ArgumentException($"{op}: Got {input.Rank}D input, but linear mode needs 3D input");
        if (mode is "bilinear" or "bicubic" && dims != 2) throw new ArgumentException($"{op}: Got {input.Rank}D input, but {mode} mode needs 4D input");
        if (mode == "trilinear" && dims != 3) throw new ArgumentException($"{op}: Got {input.Rank}D input, but trilinear mode needs 5D input");
        if ((size == null) == (scaleFactor == null))
            throw new ArgumentException(size == null ? $"{op}: either size or scale_factor should be defined" : $"{op}: only one of size or scale_factor should be defined");
        if (size != null && recomputeScaleFactor == true)
            throw new ArgumentException($"{op}: recompute_scale_factor is not meaningful with an explicit size.");

        var inSizes = input.Shape[2..].ToArray();
        int[] outSizes;
        double?[] scales = new double?[dims];
        if (size != null)
        {
            if (size.Length != 1 && size.Length != dims)
                throw new ArgumentException($"{op}: Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of {Shapes.Format(inSizes)} and output size of {Shapes.Format(size)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.");
            outSizes = size.Length == 1 ? Enumerable.Repeat(size[0], dims).ToArray() : (int[])size.Clone();
        }
        else
        {
            var s = scaleFactor!;
            if (s.Length != 1 && s.Length != dims)
                throw new ArgumentException($"{op}: Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of {Shapes.Format(inSizes)} and scale_factor of shape [{string.Join(", ", s)}]. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.");
            outSizes = new int[dims];
            for (int d = 0; d < dims; d++)
            {
                double f = s.Length == 1 ? s[0] : s[d];
                double o = Math.Floor(inSizes[d] * f);   // PyTorch: int64(input_size · scale), in double
                outSizes[d] = double.IsFinite(o) && Math.Abs(o) < int.MaxValue ? (int)o : -1;
                if (recomputeScaleFactor != true) scales[d] = f;
            }
        }
        if (inSizes.Any(v => v < 1) || outSizes.Any(v => v < 1))
        {
            string[] axis = dims == 1 ? ["W"] : dims == 2 ? ["H", "W"] : ["D", "H", "W"];
            throw new ArgumentException($"{op}: Input and output sizes should be greater than 0, but got input ({string.Join(", ", axis.Select((a, i) => $"{a}: {inSizes[i]}"))}) output ({string.Join(", ", axis.Select((a, i) => $"{a}: {outSizes[i]}"))}) (input {Shapes.Format(input.Shape)})");
        }

        if (input.Size(1) == 0)   // PyTorch's upsample check: an empty batch is fine, no channels is not
            throw new ArgumentException($"{op}: Non-empty {input.Rank}D data tensor expected but got a tensor with sizes {Shapes.Format(input.Shape)}");

        // "area" is adaptive average pooling to the output size, as PyTorch's interpolate (the scale factor only sizes it).
        if (mode == "area")
            return dims == 3 ? AdaptiveAvgPool3d(input, new Size3(outSizes[0], outSizes[1], outSizes[2]), op)
                : dims == 2 ? AdaptiveAvgPool2d(input, new Size2(outSizes[0], outSizes[1]), op)
                : AdaptiveAvgPool2d(input.Unsqueeze(2), new Size2(1, outSizes[0]), op).Squeeze(2);

        bool corners = alignCorners ?? false;
        bool single = input.DType == DType.Float32;
        // libtorch's CPU forward of the 2-D nearest modes takes its "vectorized" kernel, which indexes with
        // nearest_idx, when OH + OW ≤ 128 (_use_vectorized_kernel_cond_2d; the channels-last half of that condition
        // never holds for an NCHW tensor with more than one pixel), and the generic kernel otherwise; 1-D always the
        // generic one (3-D too: its vectorized kernel is for channels-last volumes only). The two differ where a
        // shortcut applies (and at float rounding of the scale).
        bool nearestIdx = dims == 2 && outSizes[0] + outSizes[1] <= 128;
        // Each axis's taps; null where the axis is left as it is: antialias skips an axis whose size does not change
        // (libtorch's separable kernel copies it, whatever the scale factor), the other modes resample every axis.
        var plans = new TapList?[dims];
        for (int d = 0; d < dims; d++)
        {
            if (antialias)
                plans[d] = inSizes[d] == outSizes[d] ? null : new(AntialiasTaps(inSizes[d], outSizes[d], mode, corners, scales[d], single));
            else if (mode == "bicubic")
                plans[d] = new(CubicTaps(inSizes[d], outSizes[d], corners, scales[d], single));
            else
                plans[d] = TapList.FromPairs(ResampleTaps(inSizes[d], outSizes[d], mode, corners, scales[d], single, nearestIdx), linear);
        }
        // The transposed taps (host work and a copy to the device) only when a gradient will be asked for.
        bool needsGrad = GradMode.IsEnabled && input.RequiresGrad;
        var forward = plans.Select(p => p == null ? null : AxisTaps.Make(p.OutSize, p.Offsets, p.Taps, p.Weights, input)).ToArray();
        var backward = needsGrad ? plans.Select((p, d) => p?.Transpose(inSizes[d], input)).ToArray() : null;

        // W first, then H, then D: PyTorch's 2-D kernels nest the same way (each row's W interpolation, then the H
        // weights on those), so the roundings are its own (its trilinear kernel sums all eight corners at once, which
        // rounds differently in float32). Planes with their leading dims: [P, L, 1] along W, [P, H, OW] along H, and
        // [P, D, OH·OW] along D; a 3-D input's H pass runs over its P·D planes.
        int planes = input.Size(0) * input.Size(1);
        int rowsW = planes * inSizes[..^1].Aggregate(1, (a, b) => a * b);
        int planesH = dims == 3 ? planes * inSizes[0] : planes;
        Tensor y;
        using (Tensor.NoGrad())
        {
            var x = input.Detach().Contiguous();
            y = forward[dims - 1]?.Apply(x.Reshape(rowsW, inSizes[^1], 1), rowsW, 1) ?? x;
            if (dims >= 2 && forward[dims - 2] != null)
                y = forward[dims - 2]!.Apply(y.Reshape(planesH, inSizes[dims - 2], outSizes[dims - 1]), planesH, outSizes[dims - 1]);
            if (dims == 3 && forward[0] != null)
                y = forward[0]!.Apply(y.Reshape(planes, inSizes[0], outSizes[1] * outSizes[2]), planes, outSizes[1] * outSizes[2]);
            if (ReferenceEquals(y, x)) y = x.Clone();   // antialias with the same size: a copy, as libtorch's
            y = y.Reshape([input.Size(0), input.Size(1), .. outSizes]);
        }
        if (backward == null) return y;
        Tensor[] saved = [.. backward.Where(b => b != null).SelectMany(b => b!.Tensors)];
        string name = $"upsample_{mode.Replace('-', '_')}" + (antialias ? "_aa" : "");
        return Graph.Record(y, name, [input], dy =>
        {
            var g = dy.Contiguous();
            if (dims == 3 && backward[0] != null)
                g = backward[0]!.Apply(g.Reshape(planes, outSizes[0], outSizes[1] * outSizes[2]), planes, outSizes[1] * outSizes[2]);
            if (dims >= 2 && backward[dims - 2] != null)
                g = backward[dims - 2]!.Apply(g.Reshape(planesH, outSizes[dims - 2], outSizes[dims - 1]), planesH, outSizes[dims - 1]);
            if (backward[dims - 1] != null) g = backward[dims - 1]!.Apply(g.Reshape(rowsW, outSizes[^1], 1), rowsW, 1);
            return [g.Reshape(input.ShapeCopy())];
        }, saved);
    }

    /// <summary>One axis's taps on the host, a compressed row list: output o reads Taps[Offsets[o] ..] with their
    /// Weights (float64 values, float32-exact for a float32 input).</summary>
    private sealed record TapList(int[] Offsets, int[] Taps, double[] Weights)
    {
        public TapList((int[] Offsets, int[] Taps, double[] Weights) t) : this(t.Offsets, t.Taps, t.Weights) { }

        public int OutSize => Offsets.Length - 1;

        /// <summary>From <see cref="ResampleTaps"/>' pairs: each output's i0, then a linear mode's i1 (zero weights
        /// included); nearest copies its one tap.</summary>
        public static TapList FromPairs((int[] I0, double[] W0, int[] I1, double[] W1) p, bool linear)
        {
            int outSize = p.I0.Length, per = linear ? 2 : 1;
            var offsets = new int[outSize + 1];
            var taps = new int[per * outSize];
            var weights = new double[per * outSize];
            for (int o = 0; o < outSize; o++)
            {
                taps[per * o] = p.I0[o]; weights[per * o] = p.W0[o];
                if (linear) { taps[per * o + 1] = p.I1[o]; weights[per * o + 1] = p.W1[o]; }
                offsets[o + 1] = per * (o + 1);
            }
            return new(offsets, taps, weights);
        }

        /// <summary>The transpose for the backward: input d lists the outputs that read it, in order of output, so dx
        /// sums in a fixed order with one writer per element. An output that reads input d through several taps
        /// (bicubic's clamped border taps) lists it once per tap, each its own product, as libtorch's backward adds them.</summary>
        public AxisTaps Transpose(int inSize, Tensor like)
        {
            var count = new int[inSize + 1];
            foreach (int t in Taps) count[t + 1]++;
            for (int d = 0; d < inSize; d++) count[d + 1] += count[d];
            var offsets = (int[])count.Clone();
            var next = count[..inSize];
            var taps = new int[Taps.Length];
            var weights = new double[Taps.Length];
            for (int o = 0; o < OutSize; o++)
                for (int t = Offsets[o]; t < Offsets[o + 1]; t++)
                {
                    int slot = next[Taps[t]]++;
                    taps[slot] = o;
                    weights[slot] = Weights[t];
                }
            return AxisTaps.Make(inSize, offsets, taps, weights, like);
        }
    }

    /// <summary>One axis's taps as a compressed row list on the input's device (see <see cref="Backend.Resample"/>):
    /// output k reads taps[offsets[k] ..] with their weights. Taps of weight 0 are kept: libtorch forms λ·x for every
    /// tap whatever λ is, so an infinity beside an aligned position gives NaN as there.</summary>
    private sealed class AxisTaps(int outSize, Tensor offsets, Tensor taps, Tensor weights)
    {
        public Tensor[] Tensors => [offsets, taps, weights];

        public int OutSize => outSize;

        /// <summary>x [O, D, I] resampled to [O, outSize, I].</summary>
        public Tensor Apply(Tensor x, int o, int i)
        {
            var y = Tensor.Empty([o, outSize, i], x.DType, x.Device);
            if (y.Numel > 0) x.Backend.Resample(x.Contiguous(), offsets, taps, weights, y);
            return y;
        }

        public static AxisTaps Make(int outSize, int[] offsets, int[] taps, double[] weights, Tensor like) =>
            new(outSize, Tensor.FromArray(offsets).To(like.Device), Tensor.FromArray(taps).To(like.Device),
                Tensor.FromArray(weights).To(like.DType).To(like.Device));
    }

    /// <summary>
    /// The taps of one axis, y[o] = w0[o]·x[i0[o]] + w1[o]·x[i1[o]] (nearest: w1 = 0), with PyTorch's index rules
    /// (aten/src/ATen/native/UpSample.h and the CPU forward kernels of UpSampleKernel.cpp), in float32 arithmetic when
    /// <paramref name="single"/> as PyTorch's opmath, the floor taken in float (floorf) in both dtypes:
    /// <list type="bullet">
    /// <item>nearest: src = min(⌊s·o⌋, in − 1) with s = 1/scale_factor when given, else in/out;</item>
    /// <item>nearest-exact: src = min(⌊max(s·(o + 0.5) − 0.5, 0) + 0.5⌋, in − 1), the same s;</item>
    /// <item>with <paramref name="nearestIdx"/>, UpSample.h's nearest_idx instead: out = in copies, out = 2·in takes
    /// o/2, else min(⌊o·s⌋, in − 1) with s in float (nearest-exact: min(⌊(o + 0.5)·s⌋, in − 1));</item>
    /// <item>linear: out = in copies; else s = (in − 1)/(out − 1) (0 for out = 1) with align corners, or 1/scale_factor
    /// (in/out without one); src = s·o with align corners, else max(s·(o + 0.5) − 0.5, 0) (one fused multiply-add, as
    /// libtorch's FMA-enabled x86 kernels compute it; nearest-exact too); i0 = min(⌊src⌋, in − 1),
    /// i1 = i0 + 1 (i0 at the last row), λ1 = clamp(src − i0, 0, 1), λ0 = 1 − λ1.</item>
    /// </list>
    /// </summary>
    public static (int[] I0, double[] W0, int[] I1, double[] W1) ResampleTaps(int inSize, int outSize, string mode, bool alignCorners,
        double? scaleFactor, bool single, bool nearestIdx = false)
    {
        int[] i0s = new int[outSize], i1s = new int[outSize];
        double[] w0s = new double[outSize], w1s = new double[outSize];
        double R(double v) => single ? (float)v : v;   // one rounding per float op: float arithmetic, exactly
        // compute_scales_value: 1/scale when given (and positive), else in/out, in the kernel's type.
        double Scale(bool f32) => scaleFactor is double sf && sf > 0
            ? (f32 ? (float)(1.0 / sf) : 1.0 / sf)
            : (f32 ? (float)((double)inSize / outSize) : (double)inSize / outSize);
        if (mode is "nearest" or "nearest-exact")
        {
            // PyTorch's CPU forward (HelperInterpNearest / HelperInterpNearestExact): the scale in the kernel's type,
            // no shortcuts, floorf. nearest_idx / nearest_exact_idx (its channels-last forward and its backward): a
            // float scale, and for nearest the out = in and out = 2·in shortcuts.
            double s = Scale(single);
            float sf = (float)Scale(true);
            for (int o = 0; o < outSize; o++)
            {
                int src;
                if (nearestIdx)
                    src = mode == "nearest-exact" ? (int)MathF.Floor((float)((o + 0.5) * sf))
                        : outSize == inSize ? o : outSize == 2 * inSize ? o >> 1 : (int)MathF.Floor(o * sf);
                else
                {
                    double real = mode == "nearest" ? R(s * o) : Math.Max(HalfPixel(s, o, single), 0) + 0.5;
                    src = (int)MathF.Floor((float)real);
                }
                i0s[o] = i1s[o] = Math.Min(src, inSize - 1);
                w0s[o] = 1;
            }
            return (i0s, w0s, i1s, w1s);
        }
        if (outSize == inSize)
        {
            for (int o = 0; o < outSize; o++) { i0s[o] = i1s[o] = o; w0s[o] = 1; }
            return (i0s, w0s, i1s, w1s);
        }
        double scale = alignCorners ? (outSize > 1 ? R((double)(inSize - 1) / (outSize - 1)) : 0) : Scale(single);
        for (int o = 0; o < outSize; o++)
        {
            double real = alignCorners ? R(scale * o) : HalfPixel(scale, o, single);
            if (!alignCorners && real < 0) real = 0;
            int i0 = Math.Min((int)MathF.Floor((float)real), inSize - 1);   // floorf, as guard_index_and_lambda
            double l1 = Math.Min(Math.Max(R(real - i0), 0), 1);
            double l0 = R(1 - l1);
            int i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
            (i0s[o], w0s[o], i1s[o], w1s[o]) = (i0, l0, i1, l1);
        }
        return (i0s, w0s, i1s, w1s);
    }
}
