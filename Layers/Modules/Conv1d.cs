using Pade.Engine.Functional;
using Pade.Engine;

namespace Pade.Layers;

/// <summary>
/// 1-D convolution as torch.nn.Conv1d: weight [out, in/groups, k], optional bias [out], any stride, padding (a size,
/// "valid" or "same"), dilation and groups. Weight and bias start uniform in ±1/√fan_in with fan_in = in/groups·k
/// (PyTorch's kaiming_uniform(a = √5)). The arithmetic is <see cref="F.Conv1d"/>; a padding mode other than "zeros"
/// pads with <see cref="F.Pad"/> first and convolves with padding 0, as PyTorch.
/// </summary>
public sealed partial class Conv1d : Module
{
    /// <param name="padding">A size, or "valid" (none) or "same" (the output keeps the input's length; stride 1 only;
    /// an odd total D·(K − 1) pads one more element at the end, as PyTorch).</param>
    /// <param name="paddingMode">PyTorch's padding_mode: "zeros" (the default), "reflect", "replicate" or "circular",
    /// what the padding elements hold (<see cref="F.Pad"/>'s modes).</param>
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, ConvPadding1d? padding = null,
        int dilation = 1, int groups = 1, bool bias = true, string paddingMode = "zeros", Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(paddingMode);
        if (paddingMode is not ("zeros" or "reflect" or "replicate" or "circular"))
            throw new ArgumentException($"Conv1d: padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='{paddingMode}'");
        if (inChannels < 1 || outChannels < 1 || groups < 1)
            throw new ArgumentException($"Conv1d: in_channels {inChannels}, out_channels {outChannels} and groups {groups} must be positive");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv1d: in_channels {inChannels} and out_channels {outChannels} must both be divisible by groups {groups}");
        if (kernelSize < 1) throw new ArgumentException($"Conv1d: kernel size {kernelSize} must be positive");
        if (stride < 1 || dilation < 1) throw new ArgumentException($"Conv1d: stride {stride} and dilation {dilation} must be positive");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        (Padding, PaddingExtra) = (padding ?? 0).Resolve("Conv1d", kernelSize, stride, dilation);
        if (Padding < 0) throw new ArgumentException($"Conv1d: padding {Padding} must not be negative");
        PaddingString = padding?.Mode;
        PaddingMode = paddingMode;
        Dilation = dilation;
        Groups = groups;
        int fanIn = inChannels / groups * kernelSize;
        RegisterParameter("weight", Init.DefaultUniform([outChannels, inChannels / groups, kernelSize], fanIn, generator));
        RegisterParameter("bias", bias ? Init.DefaultUniform([outChannels], fanIn, generator) : null);
    }

    /// <summary>"same" or "valid" when the layer was built with a string padding (PyTorch's <c>padding</c> string), else null.</summary>
    public string? PaddingString { get; }

    /// <summary>PyTorch's padding_mode: "zeros", "reflect", "replicate" or "circular".</summary>
    public string PaddingMode { get; }

    /// <summary>The padding as F.pad takes it, (left, right), "same"'s odd extra on the right: what a non-"zeros" mode
    /// pads before convolving with padding 0 (PyTorch's _reversed_padding_repeated_twice).</summary>
    public IReadOnlyList<int> ReversedPaddingRepeatedTwice => [Padding, Padding + PaddingExtra];

    /// <summary>The extra element of padding="same" at the end: 0 but for an odd dilated kernel reach D·(K − 1).</summary>
    public int PaddingExtra { get; }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int Dilation { get; }
    public int Groups { get; }
    public Tensor Weight => Get("weight");
    public Tensor? Bias => GetOptional("bias");

    public override Tensor Forward(Tensor input)
    {
        // A quick check first: only a bad input pays for building the layer's name for the message.
        bool ok = input.Rank is 2 or 3 && input.Size(-2) == InChannels
            && input.Size(-1) + PaddingExtra + 2 * Padding >= Dilation * (KernelSize - 1) + 1;
        if (PaddingMode != "zeros")
        {
            var padded = Padding + PaddingExtra != 0 ? F.Pad(input, [.. ReversedPaddingRepeatedTwice], PaddingMode) : input;
            return F.Conv1d(padded, Weight, Bias, Stride, 0, Dilation, Groups, ok ? "conv1d" : Describe());
        }
        // padding="same" with an even reach: the extra element at the end first.
        if (PaddingExtra != 0 && input.Rank is 2 or 3) input = input.Pad([0, PaddingExtra]);
        return F.Conv1d(input, Weight, Bias, Stride, Padding, Dilation, Groups, ok ? "conv1d" : Describe());
    }

    /// <summary>PyTorch's _ConvNd.extra_repr with its 1-tuples: "(3,)".</summary>
    public override string ExtraRepr()
    {
        var s = $"{InChannels}, {OutChannels}, kernel_size=({KernelSize},), stride=({Stride},)";
        if (PaddingString != null) s += $", padding={PaddingString}";
        else if (Padding != 0) s += $", padding=({Padding},)";
        if (Dilation != 1) s += $", dilation=({Dilation},)";
        if (Groups != 1) s += $", groups={Groups}";
        if (Bias == null) s += ", bias=False";
        if (PaddingMode != "zeros") s += $", padding_mode={PaddingMode}";
        return s;
    }
}

/// <summary>
/// 1-D transposed convolution as torch.nn.ConvTranspose1d: weight [in, out/groups, k], optional bias [out], any
/// stride, padding, output_padding, groups and dilation. Weight and bias start uniform in ±1/√fan_in with PyTorch's
/// fan_in of the weight tensor, weight.size(1)·k = out/groups·k. The arithmetic is <see cref="F.ConvTranspose1d"/>.
/// </summary>
public sealed partial class ConvTranspose1d : Module
{
    public ConvTranspose1d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0,
        int outputPadding = 0, int groups = 1, bool bias = true, int dilation = 1, Generator? generator = null)
    {
        if (inChannels < 1 || outChannels < 1 || groups < 1)
            throw new ArgumentException($"ConvTranspose1d: in_channels {inChannels}, out_channels {outChannels} and groups {groups} must be positive");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"ConvTranspose1d: in_channels {inChannels} and out_channels {outChannels} must both be divisible by groups {groups}");
        if (kernelSize < 1) throw new ArgumentException($"ConvTranspose1d: kernel size {kernelSize} must be positive");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        OutputPadding = outputPadding;
        Dilation = dilation;
        Groups = groups;
        int fanIn = outChannels / groups * kernelSize;
        RegisterParameter("weight", Init.DefaultUniform([inChannels, outChannels / groups, kernelSize], fanIn, generator));
        RegisterParameter("bias", bias ? Init.DefaultUniform([outChannels], fanIn, generator) : null);
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int OutputPadding { get; }
    public int Dilation { get; }
    public int Groups { get; }
    public Tensor Weight => Get("weight");
    public Tensor? Bias => GetOptional("bias");

    public override Tensor Forward(Tensor input)
    {
        // A quick check first: only a bad input pays for building the layer's name for the message.
        bool ok = input.Rank is 2 or 3 && input.Size(-2) == InChannels && input.Size(-1) > 0
            && (OutputPadding < Stride || OutputPadding < Dilation) && OutputSize(input.Size(-1)) > 0;
        return F.ConvTranspose1d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation, ok ? "conv_transpose1d" : Describe());
    }

    /// <summary>
    /// forward(input, output_size) as PyTorch's: the output_padding that gives <paramref name="outputSize"/> ([L], or
    /// the whole output shape with its leading axes), which must lie between the length without output_padding, m, and
    /// m + stride − 1; the layer's own outputPadding is not used. PyTorch's ValueError is an ArgumentException here.
    /// </summary>
    public Tensor Forward(Tensor input, int[] outputSize)
    {
        int lead = input.Rank == 3 ? 2 : 1;
        if (outputSize.Length == lead + 1) outputSize = outputSize[lead..];
        if (outputSize.Length != 1)
            throw new ArgumentException($"{Describe()}: for {input.Rank}D input, output_size must have 1 or {lead + 1} elements (got {outputSize.Length})");
        if (input.Rank is not (2 or 3))
            return F.ConvTranspose1d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation, Describe());
        int min = (input.Size(-1) - 1) * Stride - 2 * Padding + Dilation * (KernelSize - 1) + 1, max = min + Stride - 1;
        if (outputSize[0] < min || outputSize[0] > max)
            throw new ArgumentException(
                $"{Describe()}: requested an output size of [{outputSize[0]}], but valid sizes range from [{min}] to [{max}] (for an input of [{input.Size(-1)}])");
        return F.ConvTranspose1d(input, Weight, Bias, Stride, Padding, outputSize[0] - min, Groups, Dilation, "conv_transpose1d");
    }

    /// <summary>The output's length for an input of <paramref name="length"/>: (L − 1)·S − 2·P + D·(K − 1) + OP + 1.</summary>
    public int OutputSize(int length) => (length - 1) * Stride - 2 * Padding + Dilation * (KernelSize - 1) + OutputPadding + 1;

    /// <summary>PyTorch's _ConvNd.extra_repr with its 1-tuples: padding, dilation and output_padding only when not
    /// their defaults.</summary>
    public override string ExtraRepr()
    {
        var s = $"{InChannels}, {OutChannels}, kernel_size=({KernelSize},), stride=({Stride},)";
        if (Padding != 0) s += $", padding=({Padding},)";
        if (Dilation != 1) s += $", dilation=({Dilation},)";
        if (OutputPadding != 0) s += $", output_padding=({OutputPadding},)";
        if (Groups != 1) s += $", groups={Groups}";
        if (Bias == null) s += ", bias=False";
        return s;
    }
}
