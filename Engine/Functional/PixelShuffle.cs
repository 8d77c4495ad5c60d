namespace Pade.Engine.Functional;

/// <summary>The channel/space rearrangements of torch.nn.functional: views and one permute, so the gradient is the
/// inverse rearrangement (Reshape and Permute record their own backward).</summary>
public static partial class F
{
    /// <summary>
    /// torch.nn.functional.pixel_shuffle: (*, C·r², H, W) → (*, C, H·r, W·r) over any leading dims: output
    /// [c, h·r + i, w·r + j] = input [c·r² + i·r + j, h, w] (the channel-major "CRD" order of ONNX DepthToSpace).
    /// </summary>
    public static Tensor PixelShuffle(Tensor input, int upscaleFactor)
    {
        const string op = "pixel_shuffle";
        if (input.Rank < 3)
            throw new ArgumentException($"{op} expects input to have at least 3 dimensions, but got input with {input.Rank} dimension(s)");
        if (upscaleFactor <= 0)
            throw new ArgumentException($"{op} expects a positive upscale_factor, but got {upscaleFactor}");
        int r = upscaleFactor, c = input.Size(-3), h = input.Size(-2), w = input.Size(-1);
        if (c % (r * r) != 0)
            throw new ArgumentException($"{op} expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}");
        var lead = input.Shape[..^3].ToArray();
        int b = lead.Length;
        var x = input.Reshape([.. lead, c / (r * r), r, r, h, w]);
        var perm = Enumerable.Range(0, b).Concat([b, b + 3, b + 1, b + 4, b + 2]).ToArray();
        return x.Permute(perm).Reshape([.. lead, c / (r * r), h * r, w * r]);
    }

    /// <summary>
    /// torch.nn.functional.pixel_unshuffle, pixel_shuffle's inverse: (*, C, H·r, W·r) → (*, C·r², H, W), output
    /// [c·r² + i·r + j, h, w] = input [c, h·r + i, w·r + j].
    /// </summary>
    public static Tensor PixelUnshuffle(Tensor input, int downscaleFactor)
    {
        const string op = "pixel_unshuffle";
        if (input.Rank < 3)
            throw new ArgumentException($"{op} expects input to have at least 3 dimensions, but got input with {input.Rank} dimension(s)");
        if (downscaleFactor <= 0)
            throw new ArgumentException($"{op} expects a positive downscale_factor, but got {downscaleFactor}");
        int r = downscaleFactor, c = input.Size(-3), h = input.Size(-2), w = input.Size(-1);
        if (h % r != 0)
            throw new ArgumentException($"{op} expects height to be divisible by downscale_factor, but input.size(-2)={h} is not divisible by {r}");
        if (w % r != 0)
            throw new ArgumentException($"{op} expects width to be divisible by downscale_factor, but input.size(-1)={w} is not divisible by {r}");
        var lead = input.Shape[..^3].ToArray();
        int b = lead.Length;
        var x = input.Reshape([.. lead, c, h / r, r, w / r, r]);
        var perm = Enumerable.Range(0, b).Concat([b, b + 2, b + 4, b + 1, b + 3]).ToArray();
        return x.Permute(perm).Reshape([.. lead, c * r * r, h / r, w / r]);
    }

    /// <summary>
    /// torch.nn.functional.channel_shuffle: (N, C, *) with C = g·k → the channels regrouped as ShuffleNet does,
    /// output channel i·g + j = input channel j·k + i (view as (N, g, k, *), swap g and k, flatten back).
    /// </summary>
    public static Tensor ChannelShuffle(Tensor input, int groups)
    {
        const string op = "channel_shuffle";
        if (input.Rank < 3)
            throw new ArgumentException($"{op} expects input to have at least 3 dimensions, but got input with {input.Rank} dimension(s)");
        if (groups <= 0)
            throw new ArgumentException($"{op}: Number of groups to divide channels in must be positive. Value of groups:{groups}");
        int c = input.Size(1);
        if (c % groups != 0)
            throw new ArgumentException($"{op}: Number of channels must be divisible by groups. Got {c} channels and {groups} groups.");
        var shape = input.ShapeCopy();
        var rest = shape[2..];
        return input.Reshape([shape[0], groups, c / groups, .. rest]).Transpose(1, 2).Reshape(shape);
    }
}
