using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Layers;

/// <summary>
/// torch.nn.Bilinear: y = x1ᵀ A x2 + b for inputs [*, in1] and [*, in2] (see <see cref="F.Bilinear"/>), weight
/// [out, in1, in2] and bias [out], both uniform in ±1/√in1 as PyTorch initialises them. It takes two inputs, so it
/// is called as <c>Forward(input1, input2)</c>; the one-input Forward of <see cref="Module"/> throws.
/// </summary>
public sealed partial class Bilinear : Module
{
    public Bilinear(int in1Features, int in2Features, int outFeatures, bool bias = true, Generator? generator = null)
    {
        if (in1Features < 1 || in2Features < 1 || outFeatures < 1)
            throw new ArgumentException($"Bilinear: in1_features {in1Features}, in2_features {in2Features} and out_features {outFeatures} must be positive");
        In1Features = in1Features;
        In2Features = in2Features;
        OutFeatures = outFeatures;
        RegisterParameter("weight", Init.DefaultUniform([outFeatures, in1Features, in2Features], in1Features, generator));
        RegisterParameter("bias", bias ? Init.DefaultUniform([outFeatures], in1Features, generator) : null);
    }

    public int In1Features { get; }
    public int In2Features { get; }
    public int OutFeatures { get; }
    public Tensor Weight => Get("weight");
    public Tensor? Bias => GetOptional("bias");

    public Tensor Forward(Tensor input1, Tensor input2) => F.Bilinear(input1, input2, Weight, Bias);

    public override Tensor Forward(Tensor input) =>
        throw new NotSupportedException($"{Describe()}: takes two inputs, call Forward(input1, input2)");

    public override string ExtraRepr() =>
        $"in1_features={In1Features}, in2_features={In2Features}, out_features={OutFeatures}, bias={PyRepr.Bool(Bias != null)}";
}
