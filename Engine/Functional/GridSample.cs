namespace Pade.Engine.Functional;

/// <summary>
/// Spatial transformers as torch.nn.functional.affine_grid and grid_sample. Both are compositions of differentiable
/// ops (matmul; elementwise coordinate maths, gathers and weighted sums), so their gradients, for the input and the
/// grid, and those of higher order come from the graph with no backward or kernel of their own: the coordinate
/// rounding (floor, round) has gradient 0 as in PyTorch, the padding modes pass the grid's gradient through with
/// PyTorch's factors (0 where clipped, ±1 through reflections), and each tap's value reaches the input through
/// <see cref="Tensor.Gather(Tensor, int, Tensor)"/>, whose backward scatter-adds.
/// </summary>
public static partial class F
{
    /// <summary>
    /// torch.nn.functional.affine_grid(theta, size, align_corners=False): for 2-D, theta (N, 2, 3) and size
    /// (N, C, H, W) give the sampling grid (N, H, W, 2) whose entry (h, w) is theta · (x_w, y_h, 1), x and y the
    /// normalised pixel centres in [−1, 1] (the corner pixels' centres at ±1 with align_corners, else the image's
    /// edges at ±1, so centres at ±(n − 1)/n); a size-1 dim has its one coordinate at 0. 3-D: theta (N, 3, 4), size
    /// (N, C, D, H, W), grid (N, D, H, W, 3) of theta · (x, y, z, 1).
    /// </summary>
    public static Tensor AffineGrid(Tensor theta, int[] size, bool alignCorners = false)
    {
        const string op = "affine_grid";
        ArgumentNullException.ThrowIfNull(size);
        Ops.CheckFloating(op, theta);
        if (size.Length is not (4 or 5))
            throw new ArgumentException($"{op}: affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. Got size {Shapes.Format(size)}.");
        if (size.Any(v => v <= 0))
            throw new ArgumentException($"{op}: Expected non-zero, positive output size. Got {Shapes.Format(size)}");
        int dims = size.Length - 2, n = size[0];
        if (theta.Rank != 3 || theta.Size(0) != n || theta.Size(1) != dims || theta.Size(2) != dims + 1)
            throw new ArgumentException($"{op}: Expected a batch of {dims}D affine matrices of shape Nx{dims}x{dims + 1} for size {Shapes.Format(size)}. Got {Shapes.Format(theta.Shape)}.");
        // The base grid's rows (x, y[, z], 1), x running fastest (the last spatial dim).
        var spatial = size[2..];
        int points = spatial.Aggregate(1, (a, b) => a * b);
        var axes = spatial.Select(v => NormalisedCentres(v, alignCorners)).ToArray();
        var rows = new double[points * (dims + 1)];
        for (int pt = 0; pt < points; pt++)
        {
            int rest = pt;
            for (int a = dims - 1; a >= 0; a--)
            {
                int i = rest % spatial[a];
                rest /= spatial[a];
                rows[pt * (dims + 1) + (dims - 1 - a)] = axes[a][i];   // coordinate 0 is the last axis (x)
            }
            rows[pt * (dims + 1) + dims] = 1;
        }
        var baseGrid = Tensor.FromArray(rows, 1, points, dims + 1).To(theta.DType).To(theta.Device);
        return Tensor.MatMul(baseGrid, theta.Transpose(1, 2)).Reshape([n, .. spatial, dims]);
    }

    /// <summary>PyTorch's linspace_from_neg_one: n points from −1 to 1, scaled by (n − 1)/n without align_corners;
    /// one point is 0.</summary>
    private static double[] NormalisedCentres(int n, bool alignCorners)
    {
        if (n <= 1) return [0.0];
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            double x = -1 + 2.0 * i / (n - 1);
            v[i] = alignCorners ? x : x * (n - 1) / n;
        }
        return v;
    }

    /// <summary>
    /// torch.nn.functional.grid_sample for a 4-D input (N, C, H, W) and grid (N, OH, OW, 2) → (N, C, OH, OW): output
    /// (h, w) samples the input at the grid's (x, y) ∈ [−1, 1]² (x along W), unnormalised as
    /// ((x + 1)/2)(W − 1) with align_corners, else ((x + 1)·W − 1)/2. <paramref name="mode"/>: "bilinear" (4 taps),
    /// "nearest" (the tap at the coordinate rounded half to even) or "bicubic" (16 taps, PyTorch's cubic
    /// convolution with A = −0.75). <paramref name="paddingMode"/>: "zeros" (taps outside read 0), "border" (the
    /// coordinate clipped into the image) or "reflection" (reflected at the border, the corner centres with
    /// align_corners, else the image edges, then clipped); bicubic pads each tap's integer coordinate, as PyTorch.
    /// Gradients flow to the input and to the grid (0 for nearest, as PyTorch).
    /// </summary>
    public static Tensor GridSample(Tensor input, Tensor grid, string mode = "bilinear", string paddingMode = "zeros", bool? alignCorners = null)
    {
        const string op = "grid_sampler";
        ArgumentNullException.ThrowIfNull(mode);
        ArgumentNullException.ThrowIfNull(paddingMode);
        if (mode is not ("bilinear" or "nearest" or "bicubic"))
            throw new ArgumentException($"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '{mode}'");
        if (paddingMode is not ("zeros" or "border" or "reflection"))
            throw new ArgumentException($"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: '{paddingMode}'");
        if (mode == "bicubic" && input.Rank != 4)
            throw new ArgumentException("grid_sample(): bicubic interpolation only supports 4D input");
        Ops.CheckFloating(op, input);
        Ops.CheckPair(op, input, grid);
        Ops.CheckSameDevice(op, input, grid);
        if (input.Rank == 5 && grid.Rank == 5)
            throw new ArgumentException($"{op}(): 5-D (volumetric) input is not supported, got input with sizes {Shapes.Format(input.Shape)}; only 4-D (N, C, H, W)");
        if (input.Rank != 4 || grid.Rank != input.Rank)
            throw new ArgumentException($"{op}(): expected 4D or 5D input and grid with same number of dimensions, but got input with sizes {Shapes.Format(input.Shape)} and grid with sizes {Shapes.Format(grid.Shape)}");
        if (input.Size(0) != grid.Size(0))
            throw new ArgumentException($"{op}(): expected grid and input to have same batch size, but got input with sizes {Shapes.Format(input.Shape)} and grid with sizes {Shapes.Format(grid.Shape)}");
        if (grid.Size(-1) != 2)
            throw new ArgumentException($"{op}(): expected grid to have size 2 in last dimension, but got grid with sizes {Shapes.Format(grid.Shape)}");
        for (int d = 2; d < 4; d++)
            if (input.Size(d) == 0)
                throw new ArgumentException($"{op}(): expected input to have non-empty spatial dimensions, but input has sizes {Shapes.Format(input.Shape)} with dimension {d} being empty");
        bool corners = alignCorners ?? false;
        int n = input.Size(0), c = input.Size(1), h = input.Size(2), w = input.Size(3);
        int oh = grid.Size(1), ow = grid.Size(2), p = oh * ow;
        var flat = input.Reshape(n, c, h * w);
        var g = grid.Reshape(n, p, 2);
        var ix = Unnormalize(g.Select(2, 0), w, corners);
        var iy = Unnormalize(g.Select(2, 1), h, corners);
        Tensor y;
        if (mode == "bicubic")
        {
            var x0 = ix.Detach().Floor();
            var y0 = iy.Detach().Floor();
            // cubic_interp1d along x for each of the 4 rows, then along y: the order of PyTorch's sums.
            var wx = CubicCoefficients(ix - x0);
            var wy = CubicCoefficients(iy - y0);
            y = null!;
            for (int j = 0; j < 4; j++)
            {
                Tensor? row = null;
                var ty = PadTap(y0 + (j - 1), h, paddingMode, corners);
                for (int i = 0; i < 4; i++)
                {
                    var tx = PadTap(x0 + (i - 1), w, paddingMode, corners);
                    var term = Tap(flat, tx, ty, w, h) * wx[i].Unsqueeze(1);
                    row = row == null ? term : row + term;
                }
                var rowTerm = row! * wy[j].Unsqueeze(1);
                y = j == 0 ? rowTerm : y + rowTerm;
            }
        }
        else
        {
            ix = PadCoordinate(ix, w, paddingMode, corners);
            iy = PadCoordinate(iy, h, paddingMode, corners);
            if (mode == "nearest")
                y = WithZeroGridGradient(Tap(flat, ix.Detach().Round(), iy.Detach().Round(), w, h), grid);
            else
            {
                Tensor xw, xe, yn, ys;
                using (Tensor.NoGrad()) { xw = ix.Detach().Floor(); yn = iy.Detach().Floor(); xe = xw + 1; ys = yn + 1; }
                // PyTorch's weights: the area of the opposite sub-rectangle.
                var dxe = xe - ix; var dxw = ix - xw; var dys = ys - iy; var dyn = iy - yn;
                y = Tap(flat, xw, yn, w, h) * (dxe * dys).Unsqueeze(1)
                  + Tap(flat, xe, yn, w, h) * (dxw * dys).Unsqueeze(1)
                  + Tap(flat, xw, ys, w, h) * (dxe * dyn).Unsqueeze(1)
                  + Tap(flat, xe, ys, w, h) * (dxw * dyn).Unsqueeze(1);
            }
        }
        return y.Reshape(n, c, oh, ow);
    }

    /// <summary>Nearest's output as a node of the grid too, with gradient 0 for it as PyTorch's (the rounding is
    /// piecewise constant), so a grid that requires grad gets a zero gradient rather than none.</summary>
    private static Tensor WithZeroGridGradient(Tensor y, Tensor grid)
    {
        if (!Autograd.GradMode.IsEnabled || !grid.RequiresGrad) return y;
        Tensor copy;
        using (Tensor.NoGrad()) copy = y.Detach().Clone();
        var gridShape = grid.ShapeCopy();
        return Autograd.Graph.Record(copy, "grid_sampler_2d_nearest", [y, grid], g => [g, Tensor.Zeros(gridShape, g.DType, g.Device)]);
    }

    /// <summary>grid_sampler_unnormalize: [−1, 1] to pixel coordinates.</summary>
    private static Tensor Unnormalize(Tensor coord, int size, bool alignCorners) =>
        alignCorners ? (coord + 1) / 2 * (size - 1) : ((coord + 1) * size - 1) / 2;

    /// <summary>grid_sampler_compute_source_index's padding: border clips into [0, size − 1]; reflection reflects
    /// (about the corner centres with align_corners, else the edges −0.5 and size − 0.5), then clips.</summary>
    private static Tensor PadCoordinate(Tensor coord, int size, string paddingMode, bool alignCorners)
    {
        if (paddingMode == "zeros") return coord;
        if (paddingMode == "reflection")
            coord = alignCorners ? Reflect(coord, 0, 2 * (size - 1)) : Reflect(coord, -1, 2 * size - 1);
        return Clip(coord, size - 1);
    }

    /// <summary>PyTorch's clip_coordinates_set_grad: min(size − 1, max(x, 0)) with gradient 0 at and beyond either
    /// bound (torch.clamp's gradient would be 1 at the bounds).</summary>
    private static Tensor Clip(Tensor x, int limit)
    {
        Tensor low, high;
        using (Tensor.NoGrad()) { var d = x.Detach(); low = d.Le(0); high = d.Ge(limit); }
        var zero = x.FullLikeScalar(0);
        return Tensor.Where(low, zero, Tensor.Where(high, x.FullLikeScalar(limit), x));
    }

    /// <summary>PyTorch's reflect_coordinates_set_grad: x reflected into [low/2, high/2] (twice the bounds are given,
    /// to stay integral), its gradient ±1 by the number of reflections; 0 when the span is empty.</summary>
    private static Tensor Reflect(Tensor x, int twiceLow, int twiceHigh)
    {
        if (twiceLow == twiceHigh) return x * 0;
        double min = twiceLow / 2.0, span = (twiceHigh - twiceLow) / 2.0;
        var shifted = x - min;
        Tensor sign, flips, odd;
        using (Tensor.NoGrad())
        {
            var d = shifted.Detach();
            sign = Tensor.Where(d.Lt(0), d.FullLikeScalar(-1), d.FullLikeScalar(1));
            flips = (d * sign / span).Floor();
            odd = (flips - (flips / 2).Floor() * 2).Gt(0.5);
        }
        var a = shifted * sign;              // |x − min|, gradient ±1 (1 at 0, as PyTorch)
        var extra = a - flips * span;        // fmod(|x − min|, span)
        return Tensor.Where(odd, span - extra + min, extra + min);
    }

    /// <summary>Bicubic's per-tap padding (compute_coordinates on an integer coordinate); no gradient.</summary>
    private static Tensor PadTap(Tensor coord, int size, string paddingMode, bool alignCorners)
    {
        using var _ = Tensor.NoGrad();
        return PadCoordinate(coord, size, paddingMode, alignCorners);
    }

    /// <summary>input[n, c, y, x] for every grid point, 0 where (x, y) is outside the image (an integral x, y per
    /// point, [N, P] each): a gather from the flattened planes, the index masked to 0 outside, the value zeroed there.</summary>
    private static Tensor Tap(Tensor flat, Tensor x, Tensor y, int w, int h)
    {
        int n = flat.Size(0), c = flat.Size(1), p = x.Size(1);
        Tensor index, inside;
        using (Tensor.NoGrad())
        {
            inside = x.Ge(0) * x.Le(w - 1) * y.Ge(0) * y.Le(h - 1);
            var pos = Tensor.Where(inside, y * w + x, x.FullLikeScalar(0));
            index = pos.To(DType.Int32).Unsqueeze(1).Expand(n, c, p);
        }
        return Tensor.Gather(flat, 2, index) * inside.Unsqueeze(1);
    }

    /// <summary>get_cubic_upsample_coefficients: the 4 cubic-convolution weights (A = −0.75) of the taps at
    /// offsets −1, 0, 1, 2 for a fraction t ∈ [0, 1).</summary>
    private static Tensor[] CubicCoefficients(Tensor t)
    {
        const double A = -0.75;
        static Tensor Conv1(Tensor x) => ((A + 2) * x - (A + 3)) * x * x + 1;
        static Tensor Conv2(Tensor x) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
        var t2 = 1 - t;
        return [Conv2(t + 1), Conv1(t), Conv1(t2), Conv2(t2 + 1)];
    }
}
