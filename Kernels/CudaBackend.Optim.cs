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

    public override void RmspropStep(Tensor p, Tensor g, Tensor squareAvg, Tensor? gradAvg, Tensor? buf, double lr, double alpha, double eps,
                                     double weightDecay, double momentum, bool maximize)
    {
        CheckOptimizerState("RmspropStep", p, g, squareAvg, gradAvg, buf);
        long n = p.Numel;
        if (n == 0) return;
        var t = p.DType;
        // lerp's weight and its complement in double, as the CPU kernel (PyTorch passes Python floats).
        double w = 1 - alpha;
        OptimKernels.RmspropStep[t].LaunchOver(CudaDevice, n, PointerOf(p, "RmspropStep"), PointerOf(g, "RmspropStep"), PointerOf(squareAvg, "RmspropStep"),
            gradAvg == null ? default : PointerOf(gradAvg, "RmspropStep"), buf == null ? default : PointerOf(buf, "RmspropStep"), n,
            Scalar(t, lr), Scalar(t, alpha), Scalar(t, 1 - alpha), Scalar(t, w), Scalar(t, 1 - w), w < 0.5 ? 1 : 0, Scalar(t, eps),
            Scalar(t, weightDecay), weightDecay != 0 ? 1 : 0, Scalar(t, momentum), maximize ? 1 : 0);
    }

    public override void AdagradStep(Tensor p, Tensor g, Tensor sum, double clr, double eps, double weightDecay, bool maximize)
    {
        CheckOptimizerState("AdagradStep", p, g, sum);
        long n = p.Numel;
        if (n == 0) return;
        var t = p.DType;
        OptimKernels.AdagradStep[t].LaunchOver(CudaDevice, n, PointerOf(p, "AdagradStep"), PointerOf(g, "AdagradStep"), PointerOf(sum, "AdagradStep"), n,
            Scalar(t, clr), Scalar(t, eps), Scalar(t, weightDecay), weightDecay != 0 ? 1 : 0, maximize ? 1 : 0);
    }

    public override void AdamaxStep(Tensor p, Tensor g, Tensor expAvg, Tensor expInf, double lr, double beta1, double beta2, double eps,
                                    double weightDecay, bool maximize, int step)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), $"AdamaxStep: step {step} must be ≥ 1 (the bias correction divides by 1 - β1ᵗ)");
        CheckOptimizerState("AdamaxStep", p, g, expAvg, expInf);
        long n = p.Numel;
        if (n == 0) return;
        var t = p.DType;
        // clr and lerp's weights in double, as the CPU kernel.
        double w = 1 - beta1;
        OptimKernels.AdamaxStep[t].LaunchOver(CudaDevice, n, PointerOf(p, "AdamaxStep"), PointerOf(g, "AdamaxStep"), PointerOf(expAvg, "AdamaxStep"),
            PointerOf(expInf, "AdamaxStep"), n, Scalar(t, lr / (1 - Math.Pow(beta1, step))), Scalar(t, w), Scalar(t, 1 - w), w < 0.5 ? 1 : 0,
            Scalar(t, beta2), Scalar(t, eps), Scalar(t, weightDecay), weightDecay != 0 ? 1 : 0, maximize ? 1 : 0);
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
