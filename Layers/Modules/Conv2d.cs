using Pade.Engine.Functional;
using Pade.Engine;

namespace Pade.Layers;

/// <summary>
/// 2-D convolution as torch.nn.Conv2d: weight [out, in/groups, kH, kW], optional bias [out], any stride,
/// padding, dilation and groups (groups = in = out is a depthwise convolution). Weight and bias start uniform in
/// ±1/√fan_in with fan_in = in/groups·kH·kW (PyTorch's default). The arithmetic is <see cref="F.Conv2d"/>; a
/// padding mode other than "zeros" pads with <see cref="F.Pad"/> first and convolves with padding 0, as PyTorch.
/// </summary>
public sealed partial class Conv2d : Module
{
    /// <param name="padding">Sizes, or "valid" (none) or "same" (the output keeps the input's size; stride 1 only; an odd
    /// total D·(K − 1) pads one more row and column at the bottom and right, as PyTorch).</param>
    /// <param name="paddingMode">PyTorch's padding_mode: "zeros" (the default), "reflect", "replicate" or "circular",
    /// what the padding rows and columns hold (<see cref="F.Pad"/>'s modes).</param>
    public Conv2d(int inChannels, int outChannels, Size2 kernelSize, Size2? stride = null, ConvPadding? padding = null,
        Size2? dilation = null, int groups = 1, bool bias = true, string paddingMode = "zeros", Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(paddingMode);
        if (paddingMode is not ("zeros" or "reflect" or "replicate" or "circular"))
            throw new ArgumentException($"Conv2d: padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='{paddingMode}'");
        if (inChannels < 1 || outChannels < 1 || groups < 1)
            throw new ArgumentException($"Conv2d: in_channels {inChannels}, out_channels {outChannels} and groups {groups} must be positive");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: in_channels {inChannels} and out_channels {outChannels} must both be divisible by groups {groups}");
        if (kernelSize.H < 1 || kernelSize.W < 1) throw new ArgumentException($"Conv2d: kernel size {kernelSize} must be positive");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride ?? 1;
        (Padding, PaddingExtra) = (padding ?? 0).Resolve("Conv2d", kernelSize, Stride, dilation ?? 1);
        PaddingString = padding?.Mode;
        PaddingMode = paddingMode;
        Dilation = dilation ?? 1;
        Groups = groups;
        // PyTorch's _reversed_padding_repeated_twice: (left, right, top, bottom) for F.pad, "same"'s odd extra after.
        ReversedPaddingRepeatedTwice = [Padding.W, Padding.W + PaddingExtra.W, Padding.H, Padding.H + PaddingExtra.H];
        int fanIn = inChannels / groups * kernelSize.H * kernelSize.W;
        RegisterParameter("weight", Init.DefaultUniform([outChannels, inChannels / groups, kernelSize.H, kernelSize.W], fanIn, generator));
        RegisterParameter("bias", bias ? Init.DefaultUniform([outChannels], fanIn, generator) : null);
    }

    /// <summary>"same" or "valid" when the layer was built with a string padding (PyTorch's <c>padding</c> string), else null.</summary>
    public string? PaddingString { get; }

    /// <summary>PyTorch's padding_mode: "zeros", "reflect", "replicate" or "circular".</summary>
    public string PaddingMode { get; }

    /// <summary>The padding as F.pad takes it, (left, right, top, bottom): what a non-"zeros" mode pads before
    /// convolving with padding 0.</summary>
    public IReadOnlyList<int> ReversedPaddingRepeatedTwice { get; }

    /// <summary>The extra row and column of padding="same" after the image (bottom, right): (0, 0) but for an odd
    /// dilated kernel reach D·(K − 1).</summary>
    public Size2 PaddingExtra { get; }

    public int InChannels { get; }
    public int OutChannels { get; }
    public Size2 KernelSize { get; }
    public Size2 Stride { get; }
    public Size2 Padding { get; }
    public Size2 Dilation { get; }
    public int Groups { get; }
    public Tensor Weight => Get("weight");
    public Tensor? Bias => GetOptional("bias");

    public override Tensor Forward(Tensor input)
    {
        // A quick check first: only a bad input pays for building the layer's name for the message.
        int lead = input.Rank - 3;   // [N, C, H, W] or one image [C, H, W]
        bool ok = (lead == 1 || lead == 0) && input.Size(lead) == InChannels
            && input.Size(lead + 1) + 2 * Padding.H >= Dilation.H * (KernelSize.H - 1) + 1
            && input.Size(lead + 2) + 2 * Padding.W >= Dilation.W * (KernelSize.W - 1) + 1;
        if (PaddingMode != "zeros")
        {
            var padded = ReversedPaddingRepeatedTwice.Any(p => p != 0) ? F.Pad(input, [.. ReversedPaddingRepeatedTwice], PaddingMode) : input;
            return F.Conv2d(padded, Weight, Bias, Stride, 0, Dilation, Groups, ok ? "conv2d" : Describe());
        }
        // padding="same" with an even reach: the extra bottom row and right column first (pads start from the last axis).
        if (PaddingExtra != new Size2(0, 0) && input.Rank is 3 or 4) input = input.Pad([0, PaddingExtra.W, 0, PaddingExtra.H]);
        return F.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups, ok ? "conv2d" : Describe());
    }

    public override string ExtraRepr()
    {
        var s = $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}";
        if (PaddingString != null) s += $", padding={PaddingString}";
        else if (Padding != new Size2(0, 0)) s += $", padding={Padding}";
        if (Dilation != new Size2(1, 1)) s += $", dilation={Dilation}";
        if (Groups != 1) s += $", groups={Groups}";
        if (Bias == null) s += ", bias=False";
        if (PaddingMode != "zeros") s += $", padding_mode={PaddingMode}";
        return s;
    }
}
