using static TorchSharp.torch;

namespace Pade.Bench;

/// <summary>
/// Activation functions on 1M and 16M float32 elements, forward alone and forward + backward. Rates are in GB/s of
/// the minimum traffic: forward reads x and writes y (8 bytes per element); backward reads x and dy and writes dx
/// (12 more), so forward + backward moves 20 bytes per element. The PAU is composed of torch ops (see
/// <see cref="TorchPau.Compose"/>), its 10 coefficients require gradients, and its backward also reduces dF/da, dF/db.
/// </summary>
public static class ActivationSuite
{
    public static readonly (string Name, int N)[] Sizes = [("1M", 1 << 20), ("16M", 16 << 20)];
    public static readonly string[] Activations = ["relu", "leaky_relu", "silu", "gelu", "pau"];

    public static IEnumerable<BenchCase> Cases()
    {
        foreach (var (sizeName, n) in Sizes)
            foreach (string act in Activations)
            {
                yield return new BenchCase($"{act} fwd", sizeName, work: 8.0 * n, WorkUnit.Byte)
                {
                    Torch = () => TorchForward(act, n),
                };
                yield return new BenchCase($"{act} fwd+bwd", sizeName, work: 20.0 * n, WorkUnit.Byte)
                {
                    Torch = () => TorchForwardBackward(act, n),
                };
            }
    }

    /// <summary>The torch activation by name; <paramref name="a"/>, <paramref name="b"/> are the PAU's coefficients.</summary>
    static Tensor Apply(string act, Tensor x, Tensor a, Tensor b) => act switch
    {
        "relu" => nn.functional.relu(x),
        "leaky_relu" => nn.functional.leaky_relu(x, 0.01),
        "silu" => nn.functional.silu(x),
        "gelu" => nn.functional.gelu(x),
        "pau" => TorchPau.Compose(x, a, b),
        _ => throw new ArgumentException($"unknown activation '{act}'", nameof(act)),
    };

    static Action TorchForward(string act, int n)
    {
        Tensor x = randn(n);
        Tensor a = tensor(PauCoefficients.Numerator), b = tensor(PauCoefficients.Denominator);
        return () =>
        {
            using var _ = no_grad();
            Apply(act, x, a, b);
        };
    }

    /// <summary>y = f(x), then the gradients for an upstream gradient of ones (the backward of y.sum()), computed
    /// with torch.autograd.grad so nothing accumulates into .grad between calls.</summary>
    static Action TorchForwardBackward(string act, int n)
    {
        Tensor x = randn(n).requires_grad_();
        Tensor a = tensor(PauCoefficients.Numerator).requires_grad_();
        Tensor b = tensor(PauCoefficients.Denominator).requires_grad_();
        Tensor ones = ones_like(x);
        Tensor[] inputs = act == "pau" ? [x, a, b] : [x];
        return () =>
        {
            Tensor y = Apply(act, x, a, b);
            autograd.grad([y], inputs, [ones]);
        };
    }
}
