using Pade.Engine.Functional;
using Pade.Engine;

namespace Pade.Layers;

/// <summary>
/// 3-D convolution as torch.nn.Conv3d: weight [out, in/groups, kD, kH, kW], optional bias [out], any stride, padding
/// (sizes, "valid" or "same"), dilation and groups, over [N, C, D, H, W] or one volume [C, D, H, W]. Weight and bias
/// start uniform in ±1/√fan_in with fan_in = in/groups·kD·kH·kW (PyTorch's kaiming_uniform(a = √5)). The arithmetic
/// is <see cref="F.Conv3d"/>; a padding mode other than "zeros" pads with <see cref="F.Pad"/> first and convolves
/// with padding 0, as PyTorch.
/// </summary>
public sealed partial class Conv3d : Module
{
    /// <param name="padding">Sizes, or "valid" (none) or "same" (the output keeps the input's size; stride 1 only; an odd
    /// total D·(K − 1) pads one more element at the end of that axis, as PyTorch).</param>
    /// <param name="paddingMode">PyTorch's padding_mode: "zeros" (the default), "reflect", "replicate" or "circular".</param>
    public Conv3d(int inChannels, int outChannels, Size3 kernelSize, Size3? stride = null, ConvPadding3? padding = null,
        Size3? dilation = null, int groups = 1, bool bias = true, string paddingMode = "zeros", Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(paddingMode);
        if (paddingMode is not ("zeros" or "reflect" or "replicate" or "circular"))
            throw new ArgumentException($"Conv3d: padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='{paddingMode}'");
        if (inChannels < 1 || outChannels < 1 || groups < 1)
            throw new ArgumentException($"Conv3d: in_channels {inChannels}, out_channels {outChannels} and groups {groups} must be positive");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv3d: in_channels {inChannels} and out_channels {outChannels} must both be divisible by groups {groups}");
        if (kernelSize.D < 1 || kernelSize.H < 1 || kernelSize.W < 1) throw new ArgumentException($"Conv3d: kernel size {kernelSize} must be positive");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride ?? 1;
        Dilation = dilation ?? 1;
        (Padding, PaddingExtra) = (padding ?? 0).Resolve("Conv3d", kernelSize, Stride, Dilation);
        PaddingString = padding?.Mode;
        PaddingMode = paddingMode;
        Groups = groups;
        // PyTorch's _reversed_padding_repeated_twice: (left, right, top, bottom, front, back) for F.pad.
        ReversedPaddingRepeatedTwice = [Padding.W, Padding.W + PaddingExtra.W, Padding.H, Padding.H + PaddingExtra.H, Padding.D, Padding.D + PaddingExtra.D];
        int fanIn = inChannels / groups * kernelSize.D * kernelSize.H * kernelSize.W;
        RegisterParameter("weight", Init.DefaultUniform([outChannels, inChannels / groups, kernelSize.D, kernelSize.H, kernelSize.W], fanIn, generator));
        RegisterParameter("bias", bias ? Init.DefaultUniform([outChannels], fanIn, generator) : null);
    }

    /// <summary>"same" or "valid" when the layer was built with a string padding, else null.</summary>
    public string? PaddingString { get; }

    /// <summary>PyTorch's padding_mode: "zeros", "reflect", "replicate" or "circular".</summary>
    public string PaddingMode { get; }

    /// <summary>The padding as F.pad takes it, (left, right, top, bottom, front, back): what a non-"zeros" mode pads
    /// before convolving with padding 0.</summary>
    public IReadOnlyList<int> ReversedPaddingRepeatedTwice { get; }

    /// <summary>The extra element of padding="same" at the end of each axis: 0 but for an odd dilated reach D·(K − 1).</summary>
    public Size3 PaddingExtra { get; }

    public int InChannels { get; }
    public int OutChannels { get; }
    public Size3 KernelSize { get; }
    public Size3 Stride { get; }
    public Size3 Padding { get; }
    public Size3 Dilation { get; }
    public int Groups { get; }
    public Tensor Weight => Get("weight");
    public Tensor? Bias => GetOptional("bias");

    public override Tensor Forward(Tensor input)
    {
        // A quick check first: only a bad input pays for building the layer's name for the message.
        int lead = input.Rank - 4;   // [N, C, D, H, W] or one volume [C, D, H, W]
        bool ok = (lead == 1 || lead == 0) && input.Size(lead) == InChannels
            && input.Size(lead + 1) + 2 * Padding.D >= Dilation.D * (KernelSize.D - 1) + 1
            && input.Size(lead + 2) + 2 * Padding.H >= Dilation.H * (KernelSize.H - 1) + 1
            && input.Size(lead + 3) + 2 * Padding.W >= Dilation.W * (KernelSize.W - 1) + 1;
        string layer = ok ? "conv3d" : Describe();
        if (PaddingMode != "zeros")
        {
            var padded = ReversedPaddingRepeatedTwice.Any(p => p != 0) ? F.Pad(input, [.. ReversedPaddingRepeatedTwice], PaddingMode) : input;
            return F.Conv3d(padded, Weight, Bias, Stride, 0, Dilation, Groups, layer);
        }
        if (PaddingExtra != new Size3(0, 0, 0) && input.Rank is 4 or 5) input = input.Pad([0, PaddingExtra.W, 0, PaddingExtra.H, 0, PaddingExtra.D]);
        return F.Conv3d(input, Weight, Bias, Stride, Padding, Dilation, Groups, layer);
    }

    public override string ExtraRepr()
    {
        var s = $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}";
        if (PaddingString != null) s += $", padding={PaddingString}";
        else if (Padding != new Size3(0, 0, 0)) s += $", padding={Padding}";
        if (Dilation != new Size3(1, 1, 1)) s += $", dilation={Dilation}";
        if (Groups != 1) s += $", groups={Groups}";
        if (Bias == null) s += ", bias=False";
        if (PaddingMode != "zeros") s += $", padding_mode={PaddingMode}";
        return s;
    }
}

/// <summary>
/// 3-D transposed convolution as torch.nn.ConvTranspose3d: weight [in, out/groups, kD, kH, kW], optional bias [out],
/// any stride, padding, output_padding, groups and dilation, over [N, C, D, H, W] or [C, D, H, W]. Weight and bias
/// start uniform in ±1/√fan_in with PyTorch's fan_in of the weight tensor, out/groups·kD·kH·kW. The arithmetic is
/// <see cref="F.ConvTranspose3d"/>.
/// </summary>
public sealed partial class ConvTranspose3d : Module
{
    public ConvTranspose3d(int inChannels, int outChannels, Size3 kernelSize, Size3? stride = null, Size3? padding = null,
        Size3? outputPadding = null, int groups = 1, bool bias = true, Size3? dilation = null, Generator? generator = null)
    {
        if (inChannels < 1 || outChannels < 1 || groups < 1)
            throw new ArgumentException($"ConvTranspose3d: in_channels {inChannels}, out_channels {outChannels} and groups {groups} must be positive");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"ConvTranspose3d: in_channels {inChannels} and out_channels {outChannels} must both be divisible by groups {groups}");
        if (kernelSize.D < 1 || kernelSize.H < 1 || kernelSize.W < 1) throw new ArgumentException($"ConvTranspose3d: kernel size {kernelSize} must be positive");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride ?? 1;
        Padding = padding ?? 0;
        OutputPadding = outputPadding ?? 0;
        Dilation = dilation ?? 1;
        Groups = groups;
        int fanIn = outChannels / groups * kernelSize.D * kernelSize.H * kernelSize.W;
        RegisterParameter("weight", Init.DefaultUniform([inChannels, outChannels / groups, kernelSize.D, kernelSize.H, kernelSize.W], fanIn, generator));
        RegisterParameter("bias", bias ? Init.DefaultUniform([outChannels], fanIn, generator) : null);
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public Size3 KernelSize { get; }
    public Size3 Stride { get; }
    public Size3 Padding { get; }
    public Size3 OutputPadding { get; }
    public Size3 Dilation { get; }
    public int Groups { get; }
    public Tensor Weight => Get("weight");
    public Tensor? Bias => GetOptional("bias");

    public override Tensor Forward(Tensor input)
    {
        int lead = input.Rank - 4;
        // A quick check first: only a bad input pays for building the layer's name for the message.
        bool ok = (lead == 1 || lead == 0) && input.Size(lead) == InChannels
            && Axis(input.Size(lead + 1), Stride.D, Padding.D, OutputPadding.D, Dilation.D, KernelSize.D)
            && Axis(input.Size(lead + 2), Stride.H, Padding.H, OutputPadding.H, Dilation.H, KernelSize.H)
            && Axis(input.Size(lead + 3), Stride.W, Padding.W, OutputPadding.W, Dilation.W, KernelSize.W);
        return F.ConvTranspose3d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation, ok ? "conv_transpose3d" : Describe());
    }

    /// <summary>One axis takes the input: not empty, a valid output_padding, a positive output size.</summary>
    private static bool Axis(int size, int s, int p, int op, int d, int k) =>
        size > 0 && (op < s || op < d) && (size - 1) * s - 2 * p + d * (k - 1) + op + 1 > 0;

    /// <summary>
    /// forward(input, output_size) as PyTorch's: the output_padding that gives <paramref name="outputSize"/> ((D, H, W),
    /// or the whole output shape with its leading axes), which must lie between the size without output_padding, m,
    /// and m + stride − 1; the layer's own outputPadding is not used.
    /// </summary>
    public Tensor Forward(Tensor input, int[] outputSize)
    {
        int lead = input.Rank == 5 ? 2 : 1;
        if (outputSize.Length == lead + 3) outputSize = outputSize[lead..];
        if (outputSize.Length != 3)
            throw new ArgumentException($"{Describe()}: for {input.Rank}D input, output_size must have 3 or {lead + 3} elements (got {outputSize.Length})");
        if (input.Rank is not (4 or 5))
            return F.ConvTranspose3d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation, Describe());
        int[] s = [Stride.D, Stride.H, Stride.W], p = [Padding.D, Padding.H, Padding.W], d = [Dilation.D, Dilation.H, Dilation.W];
        int[] k = [KernelSize.D, KernelSize.H, KernelSize.W];
        var min = new int[3];
        var max = new int[3];
        for (int a = 0; a < 3; a++)
        {
            min[a] = (input.Size(lead + a) - 1) * s[a] - 2 * p[a] + d[a] * (k[a] - 1) + 1;
            max[a] = min[a] + s[a] - 1;
        }
        if (Enumerable.Range(0, 3).Any(a => outputSize[a] < min[a] || outputSize[a] > max[a]))
            throw new ArgumentException(
                $"{Describe()}: requested an output size of [{string.Join(", ", outputSize)}], but valid sizes range from [{string.Join(", ", min)}] " +
                $"to [{string.Join(", ", max)}] (for an input of [{input.Size(lead)}, {input.Size(lead + 1)}, {input.Size(lead + 2)}])");
        return F.ConvTranspose3d(input, Weight, Bias, Stride, Padding, new Size3(outputSize[0] - min[0], outputSize[1] - min[1], outputSize[2] - min[2]),
            Groups, Dilation, "conv_transpose3d");
    }

    public override string ExtraRepr()
    {
        var s = $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}";
        if (Padding != new Size3(0, 0, 0)) s += $", padding={Padding}";
        if (Dilation != new Size3(1, 1, 1)) s += $", dilation={Dilation}";
        if (OutputPadding != new Size3(0, 0, 0)) s += $", output_padding={OutputPadding}";
        if (Groups != 1) s += $", groups={Groups}";
        if (Bias == null) s += ", bias=False";
        return s;
    }
}
