using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// Resampling as torch.nn.functional.interpolate: input (N, C, L) with modes "nearest", "nearest-exact" and
    /// "linear", or (N, C, H, W) with "nearest", "nearest-exact" and "bilinear"; "area" (either rank) is
    /// <see cref="AdaptiveAvgPool2d"/> to the output size. Exactly one of
    /// <paramref name="size"/> (the output's spatial sizes) and <paramref name="scaleFactor"/> is given; either holds
    /// one entry per spatial dim, or one entry for all of them (Python's scalar form). With a scale factor s the output
    /// size is ⌊in·s⌋, and unless <paramref name="recomputeScaleFactor"/> the source coordinates use 1/s itself, not
    /// in/out, as PyTorch (see <see cref="ResampleMatrix"/> for the index rules of UpSample.h).
    /// <para>The resampling is separable: y = A_H · x · A_Wᵀ per plane, with small [out, in] interpolation matrices
    /// built on the host and applied with MatMul along each axis (under no-grad), so every backend runs it. One node
    /// is recorded; its backward is the transpose, dx = A_Hᵀ · dy · A_W (libtorch's CPU backward of the nearest modes
    /// indexes by UpSample.h's nearest_idx, which can differ from its own forward: see <see cref="ResampleMatrix"/>;
    /// this backward is the forward's true gradient, as libtorch's CUDA kernels). Nearest modes have one 1 per row (exact
    /// copies of finite values); linear modes two weights. Unlike PyTorch's gathers, a non-finite input (±∞, NaN)
    /// reaches every output of its row and column through the zero weights (0·∞ = NaN).</para>
    /// </summary>
    public static Tensor Interpolate(Tensor input, int[]? size = null, double[]? scaleFactor = null, string mode = "nearest",
        bool? alignCorners = null, bool? recomputeScaleFactor = null)
    {
        const string op = "interpolate";
        Ops.CheckFloating(op, input);
        ArgumentNullException.ThrowIfNull(mode);
        if (mode is not ("nearest" or "nearest-exact" or "linear" or "bilinear" or "area"))
            throw new ArgumentException(mode is "bicubic" or "trilinear" ? $"{op}: mode '{mode}' is not supported (supported: nearest, nearest-exact, linear, bilinear, area)"
                : $"{op}: unknown mode '{mode}' (PyTorch's modes: nearest, linear, bilinear, bicubic, trilinear, area, nearest-exact)");
        bool linear = mode is "linear" or "bilinear";
        if (alignCorners != null && !linear)
            throw new ArgumentException($"{op}: align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear");
        if (input.Rank is not (3 or 4))
            throw new ArgumentException($"{op}: expected a 3-D (N, C, L) or 4-D (N, C, H, W) input, got {Shapes.Format(input.Shape)} of rank {input.Rank}");
        int dims = input.Rank - 2;
        if (mode == "linear" && dims != 1) throw new ArgumentException($"{op}: Got {input.Rank}D input, but linear mode needs 3D input");
        if (mode == "bilinear" && dims != 2) throw new ArgumentException($"{op}: Got {input.Rank}D input, but bilinear mode needs 4D input");
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
            string[] axis = dims == 1 ? ["W"] : ["H", "W"];
            throw new ArgumentException($"{op}: Input and output sizes should be greater than 0, but got input ({string.Join(", ", axis.Select((a, i) => $"{a}: {inSizes[i]}"))}) output ({string.Join(", ", axis.Select((a, i) => $"{a}: {outSizes[i]}"))}) (input {Shapes.Format(input.Shape)})");
        }

        if (input.Size(1) == 0)   // PyTorch's upsample check: an empty batch is fine, no channels is not
            throw new ArgumentException($"{op}: Non-empty {input.Rank}D data tensor expected but got a tensor with sizes {Shapes.Format(input.Shape)}");

        // "area" is adaptive average pooling to the output size, as PyTorch's interpolate (the scale factor only sizes it).
        if (mode == "area")
            return dims == 2 ? AdaptiveAvgPool2d(input, new Size2(outSizes[0], outSizes[1]), op)
                : AdaptiveAvgPool2d(input.Unsqueeze(2), new Size2(1, outSizes[0]), op).Squeeze(2);

        bool corners = alignCorners ?? false;
        bool single = input.DType == DType.Float32;
        // libtorch's CPU forward of the 2-D nearest modes takes its "vectorized" kernel, which indexes with
        // nearest_idx, when OH + OW ≤ 128 (_use_vectorized_kernel_cond_2d; the channels-last half of that condition
        // never holds for an NCHW tensor with more than one pixel), and the generic kernel otherwise; 1-D always the
        // generic one. The two differ where a shortcut applies (and at float rounding of the scale).
        bool nearestIdx = dims == 2 && outSizes[0] + outSizes[1] <= 128;
        // Forward matrices as Aᵀ [in, out] (x · Aᵀ along the last axis); the backward uses A [out, in].
        var forward = new Tensor[dims];
        var backward = new Tensor[dims];
        for (int d = 0; d < dims; d++)
        {
            var a = ResampleMatrix(inSizes[d], outSizes[d], mode, corners, scales[d], single, nearestIdx);
            backward[d] = MatrixTensor(a, outSizes[d], inSizes[d], input);
            forward[d] = MatrixTensor(Transposed(a, outSizes[d], inSizes[d]), inSizes[d], outSizes[d], input);
        }

        Tensor y;
        using (Tensor.NoGrad())
        {
            y = input.Detach();
            for (int d = dims - 1; d >= 0; d--) y = AlongAxis(y, 2 + d, forward[d]);
            y = y.Contiguous();
        }
        return Graph.Record(y, $"upsample_{mode.Replace('-', '_')}", [input], dy =>
        {
            var g = dy;
            for (int d = dims - 1; d >= 0; d--) g = AlongAxis(g, 2 + d, backward[d]);
            return [g.Contiguous()];
        }, backward);
    }

    /// <summary>t [..., L at axis, ...] times m [L, L'] along <paramref name="axis"/>: one GEMM over all the other
    /// dims (the axis moved last, then back).</summary>
    private static Tensor AlongAxis(Tensor t, int axis, Tensor m)
    {
        bool last = axis == t.Rank - 1;
        var s = last ? t.Contiguous() : t.Transpose(axis, -1).Contiguous();
        var shape = s.ShapeCopy();
        int l = shape[^1];
        int rows = (int)(s.Numel / l);
        var r = Tensor.MatMul(s.Reshape(rows, l), m).Reshape([.. shape[..^1], m.Size(1)]);
        return last ? r : r.Transpose(axis, -1);
    }

    private static Tensor MatrixTensor(double[] a, int rows, int cols, Tensor like) =>
        Tensor.FromArray(a, rows, cols).To(like.DType).To(like.Device);

    private static double[] Transposed(double[] a, int rows, int cols)
    {
        var t = new double[a.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    /// <summary>
    /// The [outSize, inSize] row-major matrix A of one axis, y[o] = Σ_i A[o, i]·x[i], with PyTorch's index rules
    /// (aten/src/ATen/native/UpSample.h and the CPU forward kernels of UpSampleKernel.cpp), in float32 arithmetic when
    /// <paramref name="single"/> as PyTorch's opmath, the floor taken in float (floorf) in both dtypes:
    /// <list type="bullet">
    /// <item>nearest: src = min(⌊s·o⌋, in − 1) with s = 1/scale_factor when given, else in/out;</item>
    /// <item>nearest-exact: src = min(⌊max(s·(o + 0.5) − 0.5, 0) + 0.5⌋, in − 1), the same s;</item>
    /// <item>with <paramref name="nearestIdx"/>, UpSample.h's nearest_idx instead: out = in copies, out = 2·in takes
    /// o/2, else min(⌊o·s⌋, in − 1) with s in float (nearest-exact: min(⌊(o + 0.5)·s⌋, in − 1));</item>
    /// <item>linear: out = in copies; else s = (in − 1)/(out − 1) (0 for out = 1) with align corners, or 1/scale_factor
    /// (in/out without one); src = s·o with align corners, else max(s·(o + 0.5) − 0.5, 0); i0 = min(⌊src⌋, in − 1),
    /// i1 = i0 + 1 (i0 at the last row), λ1 = clamp(src − i0, 0, 1), λ0 = 1 − λ1.</item>
    /// </list>
    /// </summary>
    public static double[] ResampleMatrix(int inSize, int outSize, string mode, bool alignCorners, double? scaleFactor, bool single,
        bool nearestIdx = false)
    {
        var a = new double[outSize * inSize];
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
                    double real = mode == "nearest" ? R(s * o) : Math.Max(R(R(s * R(o + 0.5)) - 0.5), 0) + 0.5;
                    src = (int)MathF.Floor((float)real);
                }
                a[o * inSize + Math.Min(src, inSize - 1)] = 1;
            }
            return a;
        }
        if (outSize == inSize)
        {
            for (int o = 0; o < outSize; o++) a[o * inSize + o] = 1;
            return a;
        }
        double scale = alignCorners ? (outSize > 1 ? R((double)(inSize - 1) / (outSize - 1)) : 0) : Scale(single);
        for (int o = 0; o < outSize; o++)
        {
            double real = alignCorners ? R(scale * o) : R(R(scale * R(o + 0.5)) - 0.5);
            if (!alignCorners && real < 0) real = 0;
            int i0 = Math.Min((int)MathF.Floor((float)real), inSize - 1);   // floorf, as guard_index_and_lambda
            double l1 = Math.Min(Math.Max(R(real - i0), 0), 1);
            double l0 = R(1 - l1);
            int i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
            a[o * inSize + i0] += l0;
            a[o * inSize + i1] += l1;
        }
        return a;
    }
}
