using Pade.Engine.Functional;
using Pade.Engine;

namespace Pade.Layers;

/// <summary>
/// 2-D convolution as torch.nn.Conv2d: weight [out, in/groups, kH, kW], optional bias [out], any stride,
/// padding, dilation and groups (groups = in = out is a depthwise convolution). Weight and bias start uniform in
/// ±1/√fan_in with fan_in = in/groups·kH·kW (PyTorch's default). The arithmetic is <see cref="F.Conv2d"/>.
/// </summary>
public sealed partial class Conv2d : Module
{
    public Conv2d(int inChannels, int outChannels, Size2 kernelSize, Size2? stride = null, Size2? padding = null,
        Size2? dilation = null, int groups = 1, bool bias = true, Generator? generator = null)
    {
        if (inChannels < 1 || outChannels < 1 || groups < 1)
            throw new ArgumentException($"Conv2d: in_channels {inChannels}, out_channels {outChannels} and groups {groups} must be positive");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: in_channels {inChannels} and out_channels {outChannels} must both be divisible by groups {groups}");
        if (kernelSize.H < 1 || kernelSize.W < 1) throw new ArgumentException($"Conv2d: kernel size {kernelSize} must be positive");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride ?? 1;
        Padding = padding ?? 0;
        Dilation = dilation ?? 1;
        Groups = groups;
        int fanIn = inChannels / groups * kernelSize.H * kernelSize.W;
        RegisterParameter("weight", Init.DefaultUniform([outChannels, inChannels / groups, kernelSize.H, kernelSize.W], fanIn, generator));
        RegisterParameter("bias", bias ? Init.DefaultUniform([outChannels], fanIn, generator) : null);
    }

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
        return F.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups, ok ? "conv2d" : Describe());
    }

    public override string ExtraRepr()
    {
        var s = $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}";
        if (Padding != new Size2(0, 0)) s += $", padding={Padding}";
        if (Dilation != new Size2(1, 1)) s += $", dilation={Dilation}";
        if (Groups != 1) s += $", groups={Groups}";
        if (Bias == null) s += ", bias=False";
        return s;
    }
}
