namespace Pade.Engine.Functional;

// The rest of torch.nn.functional's dropouts: channel-wise (dropout1d/2d/3d, feature_alpha_dropout) and alpha
// dropout, as ATen's _dropout_impl: nothing happens in evaluation, for p = 0 or for an empty input; p = 1 multiplies
// by zero; otherwise a Bernoulli(1 − p) noise from the Philox generator, drawn per element or, for the feature
// variants, per (sample, channel) of shape [N, C, 1, ...] and broadcast over the positions.

public static partial class F
{
    /// <summary>SELU's −λα, the value alpha dropout gives a dropped element before its affine correction.</summary>
    public const double AlphaDropoutAlpha = 1.7580993408473766;

    /// <summary>
    /// torch.nn.functional.dropout1d: channel-wise dropout of an input [N, C, L] or unbatched [C, L]: in training
    /// each channel is zeroed with probability p (the whole row of L values) and the kept ones scaled by 1/(1 − p).
    /// Other ranks are refused, as PyTorch does, whether training or not.
    /// </summary>
    public static Tensor Dropout1d(Tensor input, double p = 0.5, bool training = true, Generator? generator = null)
    {
        const string op = "dropout1d";
        ArgumentNullException.ThrowIfNull(input);
        CheckDropoutP(p);
        if (input.Rank is not (2 or 3))
            throw new ArgumentException($"{op}: Expected 2D or 3D input, but received a {input.Rank}D input (shape {Shapes.Format(input.Shape)}). " +
                                        "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, " +
                                        "a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).");
        return input.Rank == 3
            ? DropoutImpl(op, input, p, training, feature: true, alpha: false, generator)
            : DropoutImpl(op, input.Unsqueeze(0), p, training, feature: true, alpha: false, generator).Squeeze(0);
    }

    /// <summary>
    /// torch.nn.functional.dropout2d: channel-wise dropout of [N, C, H, W]: each (sample, channel) plane is zeroed
    /// with probability p, the rest scaled by 1/(1 − p). As PyTorch (which warns for these), a 3-D input is read as
    /// [N, C, L] (1-D channel-wise dropout, not an unbatched [C, H, W]) and any other rank of at least 2 as
    /// [N, C, *]; a rank below 2 is refused in training.
    /// </summary>
    public static Tensor Dropout2d(Tensor input, double p = 0.5, bool training = true, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckDropoutP(p);
        return DropoutImpl("dropout2d", input, p, training, feature: true, alpha: false, generator);
    }

    /// <summary>
    /// torch.nn.functional.dropout3d: channel-wise dropout of [N, C, D, H, W] or unbatched [C, D, H, W]: each
    /// (sample, channel) volume is zeroed with probability p, the rest scaled by 1/(1 − p). As PyTorch (which warns
    /// for them), any rank other than 5 is read as unbatched: a leading dim of 1 is added for the draw and removed.
    /// </summary>
    public static Tensor Dropout3d(Tensor input, double p = 0.5, bool training = true, Generator? generator = null)
    {
        const string op = "dropout3d";
        ArgumentNullException.ThrowIfNull(input);
        CheckDropoutP(p);
        return input.Rank == 5
            ? DropoutImpl(op, input, p, training, feature: true, alpha: false, generator)
            : DropoutImpl(op, input.Unsqueeze(0), p, training, feature: true, alpha: false, generator).Squeeze(0);
    }

    /// <summary>
    /// torch.nn.functional.alpha_dropout, for SELU networks: in training each element is dropped with probability p
    /// to SELU's saturation value −λα = −<see cref="AlphaDropoutAlpha"/>, then y = a·(x·m − α′(1 − m)) + b with
    /// a = 1/√((α²p + 1)(1 − p)) and b = a·α·p, which keeps a zero mean and unit variance: as ATen, y = a·m·x +
    /// α·a·(m − 1) + α·a·p for the Bernoulli(1 − p) mask m. dx = g·a·m. Identity in evaluation; p = 1 gives zeros.
    /// </summary>
    public static Tensor AlphaDropout(Tensor input, double p = 0.5, bool training = false, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckDropoutP(p);
        return DropoutImpl("alpha_dropout", input, p, training, feature: false, alpha: true, generator);
    }

    /// <summary>torch.nn.functional.feature_alpha_dropout: <see cref="AlphaDropout"/> with one mask value per
    /// (sample, channel) of [N, C, *], broadcast over the positions. The input needs at least 2 dims in training.</summary>
    public static Tensor FeatureAlphaDropout(Tensor input, double p = 0.5, bool training = false, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckDropoutP(p);
        return DropoutImpl("feature_alpha_dropout", input, p, training, feature: true, alpha: true, generator);
    }

    private static void CheckDropoutP(double p)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"dropout probability has to be between 0 and 1, but got {p}");
    }

    /// <summary>ATen's _dropout_impl: the noise [N, C, 1, ...] for the feature variants, else of the input's shape.</summary>
    private static Tensor DropoutImpl(string op, Tensor input, double p, bool training, bool feature, bool alpha, Generator? generator)
    {
        if (p == 0 || !training || input.Numel == 0) return input;
        Ops.CheckFloating(op, input);
        if (p == 1) return input * input.FullLikeScalar(0);
        var shape = input.ShapeCopy();
        if (feature)
        {
            if (input.Rank < 2)
                throw new ArgumentException($"{op}: Feature dropout requires at least 2 dimensions in the input, got shape {Shapes.Format(input.Shape)}");
            for (int i = 2; i < shape.Length; i++) shape[i] = 1;
        }
        Tensor noise;
        Tensor? shift = null;
        using (Tensor.NoGrad())
        {
            var keep = Tensor.Bernoulli(shape, 1 - p, input.DType, input.Device, generator);
            if (alpha)
            {
                double a = 1 / Math.Sqrt((AlphaDropoutAlpha * AlphaDropoutAlpha * p + 1) * (1 - p));
                shift = keep.AddScalar(-1).MulScalar(AlphaDropoutAlpha * a).AddScalar(AlphaDropoutAlpha * a * p);
                noise = keep.MulScalar(a);
            }
            else noise = keep.Mul_(1 / (1 - p));
        }
        var y = DropoutWithMask(input, noise);
        return shift is null ? y : y + shift;
    }
}
