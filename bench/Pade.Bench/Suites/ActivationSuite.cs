using System.Globalization;
using Pade.Engine.Functional;
using static TorchSharp.torch;
using PadeTensor = Pade.Engine.Tensor;

namespace Pade.Bench;

/// <summary>
/// Activation functions on 1M and 16M float32 elements, forward alone and forward + backward. Rates are in GB/s of
/// the minimum traffic: forward reads x and writes y (8 bytes per element); backward reads x and dy and writes dx
/// (12 more), so forward + backward moves 20 bytes per element.
/// <para>The PAU (safe, version A, degrees 5/4, Table 6 LReLU(0.01) coefficients, which require gradients, so the
/// backward also reduces dF/da, dF/db) appears twice. Row <c>pau</c>: Pade's fused kernel (<see cref="F.Pau"/>)
/// against the PAU composed of torch ops (<see cref="TorchPau.Compose"/>), as a PyTorch user without a custom kernel
/// writes it. Row <c>pau-composed</c>: Pade's autograd-composed PAU (<see cref="F.PauComposed"/>) against the same
/// torch composition, like for like.</para>
/// </summary>
public static class ActivationSuite
{
    public static readonly (string Name, int N)[] Sizes = [("1M", 1 << 20), ("16M", 16 << 20)];
    public static readonly string[] Activations = ["relu", "leaky_relu", "silu", "gelu", "pau", "pau-composed"];

    public static IEnumerable<BenchCase> Cases()
    {
        foreach (var (sizeName, n) in Sizes)
            foreach (string act in Activations)
            {
                yield return new BenchCase($"{act} fwd", sizeName, work: 8.0 * n, WorkUnit.Byte)
                {
                    Torch = () => TorchForward(act, n),
                    Pade = () => PadeForward(act, n),
                };
                yield return new BenchCase($"{act} fwd+bwd", sizeName, work: 20.0 * n, WorkUnit.Byte)
                {
                    Torch = () => TorchForwardBackward(act, n),
                    Pade = () => PadeForwardBackward(act, n),
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
        "pau" or "pau-composed" => TorchPau.Compose(x, a, b),
        _ => throw new ArgumentException($"unknown activation '{act}'", nameof(act)),
    };

    /// <summary>The Pade activation by name: the engine's fused kernels, and its PAU two ways.</summary>
    static PadeTensor PadeApply(string act, PadeTensor x, PadeTensor a, PadeTensor b) => act switch
    {
        "relu" => x.Relu(),
        "leaky_relu" => x.LeakyRelu(0.01),
        "silu" => x.Silu(),
        "gelu" => x.Gelu(),                       // exact (erf) form, as torch's default
        "pau" => x.Pau(a, b, PauVersion.A),
        "pau-composed" => x.PauComposed(a, b, PauVersion.A),
        _ => throw new ArgumentException($"unknown activation '{act}'", nameof(act)),
    };

    static bool IsPau(string act) => act.StartsWith("pau", StringComparison.Ordinal);

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
        Tensor[] inputs = IsPau(act) ? [x, a, b] : [x];
        return () =>
        {
            Tensor y = Apply(act, x, a, b);
            autograd.grad([y], inputs, [ones]);
        };
    }

    /// <summary>Forward without recording; the result is freed at once (its buffer goes back to the pool), as the
    /// torch call's dispose scope frees torch's.</summary>
    static Action PadeForward(string act, int n)
    {
        PadeTensor x = PadeTensor.Randn([n]);
        PadeTensor a = PadeTensor.FromArray(PauCoefficients.Numerator), b = PadeTensor.FromArray(PauCoefficients.Denominator);
        return () =>
        {
            using var _ = PadeTensor.NoGrad();
            PadeApply(act, x, a, b).Dispose();
        };
    }

    /// <summary>y = f(x) and backward from a gradient of ones. x enters through <see cref="PadeGrad.Discarding"/>
    /// (dx is computed and freed, not copied into x.Grad, as torch.autograd.grad); the PAU coefficients are leaves
    /// that require grad, their 10 gradients are cleared after each call.</summary>
    static Action PadeForwardBackward(string act, int n)
    {
        PadeTensor data = PadeTensor.Randn([n]);
        PadeTensor a = PadeTensor.FromArray(PauCoefficients.Numerator), b = PadeTensor.FromArray(PauCoefficients.Denominator);
        a.RequiresGrad = b.RequiresGrad = IsPau(act);
        PadeTensor ones = PadeTensor.Ones([n]);
        return () =>
        {
            PadeTensor y = PadeApply(act, PadeGrad.Discarding(data), a, b);
            y.Backward(ones);
            y.Dispose();
            a.Grad = null;
            b.Grad = null;
        };
    }

    /// <summary>
    /// The activation targets at each size and thread count: Pade's fused PAU forward+backward at least 20x
    /// faster than torch's composed PAU, and at most 2x the time of torch's ReLU forward+backward.
    /// </summary>
    public static List<string[]> TargetRows(IReadOnlyList<CaseResult> results)
    {
        var rows = new List<string[]>();
        foreach (var group in results.GroupBy(r => (r.Case.Size, r.Threads)))
        {
            Timing? padePau = group.FirstOrDefault(r => r.Case.Name == "pau fwd+bwd")?.Pade;
            Timing? torchPau = group.FirstOrDefault(r => r.Case.Name == "pau fwd+bwd")?.Torch;
            Timing? torchRelu = group.FirstOrDefault(r => r.Case.Name == "relu fwd+bwd")?.Torch;
            Timing? padeRelu = group.FirstOrDefault(r => r.Case.Name == "relu fwd+bwd")?.Pade;
            if (padePau is not { } p) continue;
            string speedup = torchPau is { } tp ? F($"{tp.MedianMs / p.MedianMs:F1}x") : "—";
            string vsRelu = torchRelu is { } tr ? F($"{p.MedianMs / tr.MedianMs:F2}x") : "—";
            string vsPadeRelu = padeRelu is { } pr ? F($"{p.MedianMs / pr.MedianMs:F2}x") : "—";
            rows.Add(
            [
                group.Key.Size, $"{group.Key.Threads}", F($"{p.MedianMs:F3}"), speedup,
                Verdict(torchPau is { } a ? a.MedianMs / p.MedianMs >= 20 : null),
                vsRelu, Verdict(torchRelu is { } c ? p.MedianMs / c.MedianMs <= 2 : null), vsPadeRelu,
            ]);
        }
        return rows;
    }

    public static readonly string[] TargetHeader =
    [
        "size", "threads", "Pade fused PAU fwd+bwd ms", "Torch composed PAU / Pade PAU", "≥ 20x",
        "Pade PAU / Torch ReLU (fwd+bwd)", "≤ 2x", "Pade PAU / Pade ReLU",
    ];

    /// <summary>Issue 18's GELU target at each size and thread count: Pade's exact GELU forward + backward at
    /// least as fast as torch's (Torch time / Pade time ≥ 1.0).</summary>
    public static List<string[]> GeluTargetRows(IReadOnlyList<CaseResult> results)
    {
        var rows = new List<string[]>();
        foreach (var r in results)
            if (r.Case.Name == "gelu fwd+bwd" && r.Pade is { } p && r.Torch is { } t)
                rows.Add([r.Case.Size, $"{r.Threads}", F($"{p.MedianMs:F3}"), F($"{t.MedianMs:F3}"),
                    F($"{t.MedianMs / p.MedianMs:F2}x"), Verdict(t.MedianMs / p.MedianMs >= 1.0)]);
        return rows;
    }

    public static readonly string[] GeluTargetHeader = ["size", "threads", "Pade ms", "Torch ms", "Torch / Pade", "≥ 1.0x"];

    internal static string Verdict(bool? met) => met switch { true => "met", false => "missed", null => "—" };

    static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
