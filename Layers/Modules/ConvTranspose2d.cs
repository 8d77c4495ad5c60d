using Pade.Engine.Functional;
using Pade.Engine;

namespace Pade.Layers;

/// <summary>
/// 2-D transposed convolution as torch.nn.ConvTranspose2d: weight [in, out/groups, kH, kW], optional bias [out], any
/// stride, padding, output_padding, groups and dilation. Weight and bias start uniform in ±1/√fan_in with PyTorch's
/// fan_in of the weight tensor, weight.size(1)·kH·kW = out/groups·kH·kW (_ConvNd.reset_parameters takes the same
/// kaiming_uniform(a = √5) for transposed convolutions, whose dim 1 is the output channels). The arithmetic is
/// <see cref="F.ConvTranspose2d"/>.
/// </summary>
public sealed partial class ConvTranspose2d : Module
{
    public ConvTranspose2d(int inChannels, int outChannels, Size2 kernelSize, Size2? stride = null, Size2? padding = null,
        Size2? outputPadding = null, int groups = 1, bool bias = true, Size2? dilation = null, Generator? generator = null)
    {
        if (inChannels < 1 || outChannels < 1 || groups < 1)
            throw new ArgumentException($"ConvTranspose2d: in_channels {inChannels}, out_channels {outChannels} and groups {groups} must be positive");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"ConvTranspose2d: in_channels {inChannels} and out_channels {outChannels} must both be divisible by groups {groups}");
        if (kernelSize.H < 1 || kernelSize.W < 1) throw new ArgumentException($"ConvTranspose2d: kernel size {kernelSize} must be positive");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride ?? 1;
        Padding = padding ?? 0;
        OutputPadding = outputPadding ?? 0;
        Dilation = dilation ?? 1;
        Groups = groups;
        int fanIn = outChannels / groups * kernelSize.H * kernelSize.W;
        RegisterParameter("weight", Init.DefaultUniform([inChannels, outChannels / groups, kernelSize.H, kernelSize.W], fanIn, generator));
        RegisterParameter("bias", bias ? Init.DefaultUniform([outChannels], fanIn, generator) : null);
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public Size2 KernelSize { get; }
    public Size2 Stride { get; }
    public Size2 Padding { get; }
    public Size2 OutputPadding { get; }
    public Size2 Dilation { get; }
    public int Groups { get; }
    public Tensor Weight => Get("weight");
    public Tensor? Bias => GetOptional("bias");

    public override Tensor Forward(Tensor input)
    {
        // A quick check first: only a bad input pays for building the layer's name for the message.
        int lead = input.Rank - 3;   // [N, C, H, W] or one image [C, H, W]
        bool ok = (lead == 1 || lead == 0) && input.Size(lead) == InChannels && input.Size(lead + 1) > 0 && input.Size(lead + 2) > 0
            && (OutputPadding.H < Stride.H || OutputPadding.H < Dilation.H) && (OutputPadding.W < Stride.W || OutputPadding.W < Dilation.W)
            && OutputSize(input.Size(lead + 1), input.Size(lead + 2)) is ( > 0, > 0);
        return F.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation, ok ? "conv_transpose2d" : Describe());
    }

    /// <summary>
    /// forward(input, output_size) as PyTorch's: the output_padding that gives <paramref name="outputSize"/> ((H, W), or
    /// the whole output shape with its leading axes), which must lie between the size without output_padding, m, and
    /// m + stride − 1; the layer's own outputPadding is not used. PyTorch's ValueError is an ArgumentException here.
    /// </summary>
    public Tensor Forward(Tensor input, int[] outputSize)
    {
        int lead = input.Rank == 4 ? 2 : 1;
        if (outputSize.Length == lead + 2) outputSize = outputSize[lead..];
        if (outputSize.Length != 2)
            throw new ArgumentException($"{Describe()}: for {input.Rank}D input, output_size must have 2 or {lead + 2} elements (got {outputSize.Length})");
        if (input.Rank is not (3 or 4))
            return F.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation, Describe());
        int[] min = [(input.Size(lead) - 1) * Stride.H - 2 * Padding.H + Dilation.H * (KernelSize.H - 1) + 1,
            (input.Size(lead + 1) - 1) * Stride.W - 2 * Padding.W + Dilation.W * (KernelSize.W - 1) + 1];
        int[] max = [min[0] + Stride.H - 1, min[1] + Stride.W - 1];
        if (outputSize[0] < min[0] || outputSize[0] > max[0] || outputSize[1] < min[1] || outputSize[1] > max[1])
            throw new ArgumentException(
                $"{Describe()}: requested an output size of [{outputSize[0]}, {outputSize[1]}], but valid sizes range from [{min[0]}, {min[1]}] " +
                $"to [{max[0]}, {max[1]}] (for an input of [{input.Size(lead)}, {input.Size(lead + 1)}])");
        return F.ConvTranspose2d(input, Weight, Bias, Stride, Padding, new Size2(outputSize[0] - min[0], outputSize[1] - min[1]), Groups, Dilation,
            "conv_transpose2d");
    }

    /// <summary>The output's (height, width) for an input image of <paramref name="h"/> × <paramref name="w"/>:
    /// (H − 1)·S − 2·P + D·(K − 1) + OP + 1 on each axis.</summary>
    public (int H, int W) OutputSize(int h, int w) =>
        ((h - 1) * Stride.H - 2 * Padding.H + Dilation.H * (KernelSize.H - 1) + OutputPadding.H + 1,
         (w - 1) * Stride.W - 2 * Padding.W + Dilation.W * (KernelSize.W - 1) + OutputPadding.W + 1);

    /// <summary>PyTorch's _ConvNd.extra_repr: padding, dilation and output_padding only when not their defaults.</summary>
    public override string ExtraRepr()
    {
        var s = $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}";
        if (Padding != new Size2(0, 0)) s += $", padding={Padding}";
        if (Dilation != new Size2(1, 1)) s += $", dilation={Dilation}";
        if (OutputPadding != new Size2(0, 0)) s += $", output_padding={OutputPadding}";
        if (Groups != 1) s += $", groups={Groups}";
        if (Bias == null) s += ", bias=False";
        return s;
    }
}
