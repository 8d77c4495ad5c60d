using Pade.Engine;
using Pade.Kernels.Catalog;

namespace Pade.Kernels;

/// <summary>Fused optimizer steps (cuda/optim.cu), in place on contiguous parameters and state.</summary>
public sealed partial class CudaBackend
{
    public override void SgdStep(Tensor p, Tensor g, Tensor? buf, double lr, double momentum, double dampening, bool nesterov, double weightDecay,
                                 bool maximize, bool firstStep)
    {
        CheckOptimizerState("SgdStep", p, g, buf);
        long n = p.Numel;
        if (n == 0) return;
        var t = p.DType;
        OptimKernels.SgdStep[t].LaunchOver(CudaDevice, n, PointerOf(p, "SgdStep"), PointerOf(g, "SgdStep"), buf == null ? default : PointerOf(buf, "SgdStep"), n,
            Scalar(t, lr), Scalar(t, momentum), Scalar(t, dampening), Scalar(t, weightDecay), nesterov ? 1 : 0, maximize ? 1 : 0, firstStep ? 1 : 0);
    }

    public override void AdamStep(Tensor p, Tensor g, Tensor m, Tensor v, Tensor? maxV, double lr, double beta1, double beta2, double eps,
                                  double weightDecay, bool decoupled, bool maximize, int step)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), $"AdamStep: step {step} must be ≥ 1 (the bias corrections divide by 1 - βᵗ)");
        CheckOptimizerState("AdamStep", p, g, m, v, maxV);
        long n = p.Numel;
        if (n == 0) return;
        var t = p.DType;
        // Bias corrections once, in double, exactly as the CPU kernel.
        double bc1 = 1 - Math.Pow(beta1, step), bc2 = 1 - Math.Pow(beta2, step);
        OptimKernels.AdamStep[t].LaunchOver(CudaDevice, n, PointerOf(p, "AdamStep"), PointerOf(g, "AdamStep"), PointerOf(m, "AdamStep"), PointerOf(v, "AdamStep"),
            maxV == null ? default : PointerOf(maxV, "AdamStep"), n,
            Scalar(t, beta1), Scalar(t, beta2), Scalar(t, lr / bc1), Scalar(t, Math.Sqrt(bc2)), Scalar(t, eps),
            Scalar(t, weightDecay), Scalar(t, 1 - lr * weightDecay), decoupled ? 1 : 0, maximize ? 1 : 0);
    }

    private static void CheckOptimizerState(string op, Tensor p, params Tensor?[] state)
    {
        RequireFloating(op, p);
        RequireContiguous(op, p);
        foreach (var s in state)
        {
            if (s == null) continue;
            RequireContiguous(op, s);
            if (s.DType != p.DType || s.Numel != p.Numel)
                throw new ArgumentException($"{op}: state {s.DType.TorchName()} {Shapes.Format(s.Shape)} does not match parameter {p.DType.TorchName()} {Shapes.Format(p.Shape)}");
        }
    }
}
