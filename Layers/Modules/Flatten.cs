using Pade.Engine;

namespace Pade.Layers;

/// <summary>Flattens dims startDim..endDim into one, as torch.nn.Flatten (default: all but the batch dim).</summary>
public sealed partial class Flatten(int startDim = 1, int endDim = -1) : Module
{
    public int StartDim { get; } = startDim;
    public int EndDim { get; } = endDim;

    public override Tensor Forward(Tensor input) => input.Flatten(StartDim, EndDim);

    public override string ExtraRepr() => $"start_dim={StartDim}, end_dim={EndDim}";
}

/// <summary>Returns its input (torch.nn.Identity): a placeholder where a layer is optional.</summary>
public sealed partial class Identity : Module
{
    public override Tensor Forward(Tensor input) => input;
}
