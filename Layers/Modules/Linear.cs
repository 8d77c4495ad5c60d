using Pade.Engine.Functional;
using Pade.Engine;

namespace Pade.Layers;

/// <summary>Fully connected layer as torch.nn.Linear: y = x Wᵀ + b, weight [out, in], bias [out]; weight and bias
/// start uniform in ±1/√in (PyTorch's default).</summary>
public partial class Linear : Module
{
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null)
    {
        if (inFeatures < 1 || outFeatures < 1)
            throw new ArgumentException($"Linear: in_features {inFeatures} and out_features {outFeatures} must be positive");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        RegisterParameter("weight", Init.DefaultUniform([outFeatures, inFeatures], inFeatures, generator));
        RegisterParameter("bias", bias ? Init.DefaultUniform([outFeatures], inFeatures, generator) : null);
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Tensor Weight => Get("weight");
    public Tensor? Bias => GetOptional("bias");

    public override Tensor Forward(Tensor input)
    {
        bool ok = input.Rank >= 1 && input.Size(-1) == InFeatures;
        return F.Linear(input, Weight, Bias, ok ? "linear" : Describe());
    }

    public override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias != null ? "True" : "False")}";
}
