using Pade.Engine.Functional;
namespace Pade.Engine;

/// <summary>
/// Kernels of the layer family: convolution, pooling, batch normalisation. All tensors are contiguous and in NCHW
/// layout; outputs arrive allocated (contents undefined unless a method says otherwise). Geometry structs carry
/// the shapes, checked by the op in <see cref="Functional"/> before the call.
/// </summary>
public abstract partial class Backend
{
    private NotSupportedException MissingLayerKernel(string kernel) => new($"{Device} backend has no kernel {kernel}");

    /// <summary>y [N, K, OH, OW] = conv2d(x [N, C, H, W], w [K, C/G, KH, KW]) + b [K] (b may be null); see
    /// <see cref="Conv2dGeometry"/> for the formula.</summary>
    public virtual void Conv2d(Tensor x, Tensor w, Tensor? b, Tensor y, Conv2dGeometry g) => throw MissingLayerKernel("conv2d");

    /// <summary>Gradients of <see cref="Conv2d"/> given dy [N, K, OH, OW]: each of dx (like x), dw (like w) and
    /// db ([K]) is written (overwritten, not accumulated) when not null.</summary>
    public virtual void Conv2dBackward(Tensor x, Tensor w, Tensor dy, Tensor? dx, Tensor? dw, Tensor? db, Conv2dGeometry g) =>
        throw MissingLayerKernel("conv2d_backward");

    /// <summary><see cref="Conv2d"/> for a forward whose backward will run: it may return a tensor of its own
    /// making that the backward can reuse instead of computing it again (the CPU's Winograd path keeps its transformed
    /// weights), to be passed to the backward's overload with <c>saved</c>. The default keeps nothing.</summary>
    public virtual Tensor? Conv2dSaving(Tensor x, Tensor w, Tensor? b, Tensor y, Conv2dGeometry g)
    {
        Conv2d(x, w, b, y, g);
        return null;
    }

    /// <summary><see cref="Conv2dBackward(Tensor, Tensor, Tensor, Tensor?, Tensor?, Tensor?, Conv2dGeometry)"/> given
    /// what <see cref="Conv2dSaving"/> returned (null: nothing kept).</summary>
    public virtual void Conv2dBackward(Tensor x, Tensor w, Tensor dy, Tensor? dx, Tensor? dw, Tensor? db, Conv2dGeometry g, Tensor? saved) =>
        Conv2dBackward(x, w, dy, dx, dw, db, g);

    /// <summary>y[n, c, oh, ow] = max over the window's taps (rows oh·SH − PH + i·DH, columns likewise) inside the
    /// image (padding never wins); indices (Int32, y's shape) holds the flat position ih·W + iw of the first maximum in
    /// row-major tap order (NaN counts as the maximum). A window with no tap inside gives −∞ and index −1.</summary>
    public virtual void MaxPool2d(Tensor x, Tensor y, Tensor indices, Pool2dGeometry g) => throw MissingLayerKernel("max_pool2d");

    /// <summary>dx = 0, then dx[n, c, indices[n, c, oh, ow]] += dy[n, c, oh, ow] (index −1: nothing).</summary>
    public virtual void MaxPool2dBackward(Tensor dy, Tensor indices, Tensor dx, Pool2dGeometry g) => throw MissingLayerKernel("max_pool2d_backward");

    /// <summary>y = sum of the window / divisor: divisorOverride when nonzero; else, when countIncludePad (PyTorch's
    /// default), the window clipped to the padded image, (min(hs + KH, H + PH) − hs)·(min(ws + KW, W + PW) − ws) for
    /// the window starting at (hs, ws); else the number of window positions inside the image.</summary>
    public virtual void AvgPool2d(Tensor x, Tensor y, Pool2dGeometry g, bool countIncludePad, int divisorOverride) =>
        throw MissingLayerKernel("avg_pool2d");

    /// <summary>dx[window] += dy / divisor, dx zeroed first.</summary>
    public virtual void AvgPool2dBackward(Tensor dy, Tensor dx, Pool2dGeometry g, bool countIncludePad, int divisorOverride) =>
        throw MissingLayerKernel("avg_pool2d_backward");

    /// <summary>y [N, C, OH, OW] = mean of x [N, C, H, W] over the window rows ⌊oh H / OH⌋ .. ⌈(oh + 1) H / OH⌉ − 1
    /// (and columns likewise), as torch's adaptive_avg_pool2d.</summary>
    public virtual void AdaptiveAvgPool2d(Tensor x, Tensor y) => throw MissingLayerKernel("adaptive_avg_pool2d");

    /// <summary>dx = 0, then each dy spreads evenly over its window.</summary>
    public virtual void AdaptiveAvgPool2dBackward(Tensor dy, Tensor dx) => throw MissingLayerKernel("adaptive_avg_pool2d_backward");

    /// <summary>y [N, C, OH, OW] = max of x [N, C, H, W] over the adaptive windows of <see cref="AdaptiveAvgPool2d"/>,
    /// scanned row-major with PyTorch's test v &gt; max || isnan(v) from −∞ (first maximum on ties, the last NaN wins);
    /// indices (Int32, y's shape) = ih·W + iw of the element taken (the window's first element when nothing beats −∞).</summary>
    public virtual void AdaptiveMaxPool2d(Tensor x, Tensor y, Tensor indices) => throw MissingLayerKernel("adaptive_max_pool2d");

    /// <summary>dx = 0, then dx[n, c, indices[n, c, oh, ow]] += dy[n, c, oh, ow].</summary>
    public virtual void AdaptiveMaxPool2dBackward(Tensor dy, Tensor indices, Tensor dx) => throw MissingLayerKernel("adaptive_max_pool2d_backward");

    /// <summary>Per channel of x [N, C, S]: mean[c] and the biased variance var[c] = mean((x − mean)²) over N·S
    /// elements (mean and var are [C]).</summary>
    public virtual void BatchNormStats(Tensor x, Tensor mean, Tensor var) => throw MissingLayerKernel("batch_norm_stats");

    /// <summary>y [N, C, S] = (x − mean[c]) · invStd[c] · weight[c] + bias[c]; weight and bias may be null (1 and 0).</summary>
    public virtual void BatchNormForward(Tensor x, Tensor mean, Tensor invStd, Tensor? weight, Tensor? bias, Tensor y) =>
        throw MissingLayerKernel("batch_norm_forward");

    /// <summary>
    /// Training-mode batch norm of x [N, C, S] in one call: <see cref="BatchNormStats"/> into mean and var,
    /// invStd = 1/√(var + ε) in the tensor's type (the ops AddScalar, Sqrt and Reciprocal, in that order), then
    /// <see cref="BatchNormForward"/> into y. This default runs the three in turn; a backend may fuse them (the CPU
    /// normalises each channel while its planes are still in cache) as long as the results are the same bits.
    /// </summary>
    public virtual void BatchNormTraining(Tensor x, double eps, Tensor mean, Tensor var, Tensor invStd, Tensor? weight, Tensor? bias, Tensor y)
    {
        BatchNormStats(x, mean, var);
        Unary(UnaryOp.AddScalar, var, invStd, eps);
        Unary(UnaryOp.Sqrt, invStd, invStd);
        Unary(UnaryOp.Reciprocal, invStd, invStd);
        BatchNormForward(x, mean, invStd, weight, bias, y);
    }

    /// <summary>
    /// Gradients of <see cref="BatchNormForward"/> with x̂ = (x − mean)·invStd, M = N·S, γ = weight (or 1):
    /// dweight[c] = Σ dy·x̂, dbias[c] = Σ dy; and dx = γ·invStd·(dy − Σdy/M − x̂·Σ(dy·x̂)/M) when training (mean and
    /// invStd are functions of x), dx = γ·invStd·dy otherwise. Null outputs are skipped.
    /// </summary>
    public virtual void BatchNormBackward(Tensor x, Tensor dy, Tensor mean, Tensor invStd, Tensor? weight, bool training,
        Tensor? dx, Tensor? dweight, Tensor? dbias) => throw MissingLayerKernel("batch_norm_backward");
}
