using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

/// <summary>
/// PyTorch's remaining common fixed activations. Each forward is composed from existing tensor ops (with no graph of
/// its own), and ONE op is recorded whose backward is the closed form of PyTorch's backward formula, kinks included.
/// </summary>
public static partial class F
{
    /// <summary>SELU's α (torch.nn.SELU).</summary>
    public const double SeluAlpha = 1.6732632423543772848170429916717;

    /// <summary>SELU's scale (torch.nn.SELU).</summary>
    public const double SeluScale = 1.0507009873554804934193349852946;

    /// <summary>
    /// selu(x) = scale·(max(0, x) + min(0, α(eˣ − 1))) (Klambauer et al. 2017), α and scale as torch's
    /// (<see cref="SeluAlpha"/>, <see cref="SeluScale"/>). Derivative (PyTorch's elu_backward): scale for x &gt; 0,
    /// scale·α·eˣ for x ≤ 0 (so at 0 it is scale·α).
    /// </summary>
    public static Tensor Selu(this Tensor x)
    {
        Ops.CheckFloating("selu", x);
        Tensor y;
        using (Tensor.NoGrad()) y = x.Elu(SeluAlpha).MulScalar(SeluScale);
        return Graph.Record(y, "selu", [x], g =>
            [g * Tensor.Where(x.Gt(0), x.FullLikeScalar(SeluScale), x.Exp().MulScalar(SeluScale * SeluAlpha))], x);
    }

    /// <summary>
    /// hardsigmoid(x) = relu6(x + 3)/6. Derivative (PyTorch's hardsigmoid_backward): 1/6 for −3 &lt; x &lt; 3, else 0
    /// (0 at both kinks).
    /// </summary>
    public static Tensor Hardsigmoid(this Tensor x)
    {
        Ops.CheckFloating("hardsigmoid", x);
        Tensor y;
        using (Tensor.NoGrad()) y = x.AddScalar(3).Relu6().MulScalar(1.0 / 6);
        return Graph.Record(y, "hardsigmoid", [x], g => [g * (x.Gt(-3) * x.Lt(3)).MulScalar(1.0 / 6)], x);
    }

    /// <summary>
    /// hardswish(x) = x·relu6(x + 3)/6 (Howard et al. 2019, MobileNetV3). Derivative (PyTorch's hardswish_backward):
    /// 0 for x &lt; −3, x/3 + 0.5 for −3 ≤ x ≤ 3, 1 for x &gt; 3 (so −0.5 at −3 and 1.5 at 3).
    /// </summary>
    public static Tensor Hardswish(this Tensor x)
    {
        Ops.CheckFloating("hardswish", x);
        Tensor y;
        using (Tensor.NoGrad()) y = (x * x.AddScalar(3).Relu6()).MulScalar(1.0 / 6);
        return Graph.Record(y, "hardswish", [x], g =>
            [g * Tensor.Where(x.Lt(-3), x.FullLikeScalar(0), Tensor.Where(x.Le(3), x.MulScalar(1.0 / 3).AddScalar(0.5), x.FullLikeScalar(1)))], x);
    }

    /// <summary>softsign(x) = x/(1 + |x|). Derivative 1/(1 + |x|)² (what autograd gives for PyTorch's composed
    /// input/(input.abs() + 1), 1 at 0).</summary>
    public static Tensor Softsign(this Tensor x)
    {
        Ops.CheckFloating("softsign", x);
        Tensor y;
        using (Tensor.NoGrad()) y = x / x.Abs().AddScalar(1);
        return Graph.Record(y, "softsign", [x], g => [g * x.Abs().AddScalar(1).Square().Reciprocal()], x);
    }

    /// <summary>
    /// logsigmoid(x) = log σ(x) = −softplus(−x), computed as PyTorch's CPU kernel does: min(x, 0) − log1p(e^(−|x|)),
    /// which neither overflows nor loses the small tail. Derivative (PyTorch's log_sigmoid_backward) 1 − σ(x) = σ(−x).
    /// </summary>
    public static Tensor LogSigmoid(this Tensor x)
    {
        Ops.CheckFloating("log_sigmoid", x);
        Tensor y;
        using (Tensor.NoGrad()) y = x.Clamp(double.NegativeInfinity, 0) - x.Abs().Neg().Exp().Log1p();
        return Graph.Record(y, "log_sigmoid", [x], g => [g * x.Neg().Sigmoid()], x);
    }

    /// <summary>tanhshrink(x) = x − tanh x. Derivative tanh² x (autograd's 1 − (1 − tanh² x) for PyTorch's composed
    /// form, without the cancellation).</summary>
    public static Tensor Tanhshrink(this Tensor x)
    {
        Ops.CheckFloating("tanhshrink", x);
        Tensor y;
        using (Tensor.NoGrad()) y = x - x.Tanh();
        return Graph.Record(y, "tanhshrink", [x], g => [g * x.Tanh().Square()], x);
    }

    /// <summary>1 where −λ ≤ x ≤ λ (the interval both shrinks send to 0), else 0; NaN is outside, as in PyTorch.</summary>
    private static Tensor ShrinkInside(Tensor x, double lambd) => x.Ge(-lambd) * x.Le(lambd);

    /// <summary>
    /// softshrink(x) = x − λ for x &gt; λ, x + λ for x &lt; −λ, else 0 (computed as x − clamp(x, −λ, λ)); λ ≥ 0, as
    /// PyTorch asserts. Derivative (PyTorch's softshrink_backward): 1 where |x| &gt; λ, 0 for −λ ≤ x ≤ λ (0 at ±λ).
    /// </summary>
    public static Tensor Softshrink(this Tensor x, double lambd = 0.5)
    {
        CheckFinite("softshrink", "lambd", lambd);
        if (lambd < 0) throw new ArgumentException($"softshrink: lambda must be greater or equal to 0, but found to be {lambd}");
        Ops.CheckFloating("softshrink", x);
        Tensor y;
        using (Tensor.NoGrad()) y = x - x.Clamp(-lambd, lambd);
        return Graph.Record(y, "softshrink", [x], g => [Tensor.Where(ShrinkInside(x, lambd), g.FullLikeScalar(0), g)], x);
    }

    /// <summary>
    /// hardshrink(x) = x where |x| &gt; λ, else 0 (PyTorch: 0 for −λ ≤ x ≤ λ; a negative λ, which PyTorch accepts, gives
    /// the identity). Derivative (PyTorch's hardshrink_backward): 1 where |x| &gt; λ, 0 for −λ ≤ x ≤ λ (0 at ±λ).
    /// </summary>
    public static Tensor Hardshrink(this Tensor x, double lambd = 0.5)
    {
        if (double.IsNaN(lambd)) throw new ArgumentException("hardshrink: lambd is NaN");
        Ops.CheckFloating("hardshrink", x);
        Tensor y;
        using (Tensor.NoGrad()) y = Tensor.Where(ShrinkInside(x, lambd), x.FullLikeScalar(0), x);
        return Graph.Record(y, "hardshrink", [x], g => [Tensor.Where(ShrinkInside(x, lambd), g.FullLikeScalar(0), g)], x);
    }
}
