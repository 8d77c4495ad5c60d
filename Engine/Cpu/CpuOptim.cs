using System.Numerics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

public sealed partial class CpuBackend
{
    public override void SgdStep(Tensor p, Tensor g, Tensor? buf, double lr, double momentum, double dampening, bool nesterov, double weightDecay,
                                 bool maximize, bool firstStep)
    {
        if (p.DType == DType.Float32) Sgd<float>(p, g, buf, (float)lr, (float)momentum, (float)dampening, nesterov, (float)weightDecay, maximize, firstStep);
        else Sgd<double>(p, g, buf, lr, momentum, dampening, nesterov, weightDecay, maximize, firstStep);
        GC.KeepAlive(p); GC.KeepAlive(g); GC.KeepAlive(buf);   // see CpuBackend's remarks on lifetime
    }

    private static void Sgd<T>(Tensor pt, Tensor gt, Tensor? bt, T lr, T momentum, T dampening, bool nesterov, T wd, bool maximize, bool first) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pa = Array<T>(pt); var ga = Array<T>(gt); var ba = bt == null ? null : Array<T>(bt);
        long po = pt.Offset, go = gt.Offset, bo = bt?.Offset ?? 0;
        CpuParallel.ForRange(pt.Numel, 1 << 15, (s, e) =>
        {
            for (long i = s; i < e; i++)
            {
                T g = (maximize ? -ga[go + i] : ga[go + i]) + wd * pa[po + i];
                T d = g;
                if (ba != null)
                {
                    T b = first ? g : momentum * ba[bo + i] + (T.One - dampening) * g;
                    ba[bo + i] = b;
                    d = nesterov ? g + momentum * b : b;
                }
                pa[po + i] -= lr * d;
            }
        });
    }

    public override void AdamStep(Tensor p, Tensor g, Tensor m, Tensor v, Tensor? maxV, double lr, double beta1, double beta2, double eps,
                                  double weightDecay, bool decoupled, bool maximize, int step)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), $"AdamStep: step {step} must be ≥ 1 (the bias corrections divide by 1 - βᵗ)");
        if (p.DType == DType.Float32) Adam<float>(p, g, m, v, maxV, lr, beta1, beta2, eps, weightDecay, decoupled, maximize, step);
        else Adam<double>(p, g, m, v, maxV, lr, beta1, beta2, eps, weightDecay, decoupled, maximize, step);
        GC.KeepAlive(p); GC.KeepAlive(g); GC.KeepAlive(m); GC.KeepAlive(v); GC.KeepAlive(maxV);
    }

    private static void Adam<T>(Tensor pt, Tensor gt, Tensor mt, Tensor vt, Tensor? xt, double lr, double beta1, double beta2, double eps,
                                double weightDecay, bool decoupled, bool maximize, int step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pa = Array<T>(pt); var ga = Array<T>(gt); var ma = Array<T>(mt); var va = Array<T>(vt); var xa = xt == null ? null : Array<T>(xt);
        long po = pt.Offset, go = gt.Offset, mo = mt.Offset, vo = vt.Offset, xo = xt?.Offset ?? 0;
        // Bias corrections folded into the step size and epsilon's scale, computed once in double.
        double bc1 = 1 - Math.Pow(beta1, step), bc2 = 1 - Math.Pow(beta2, step);
        T b1 = T.CreateChecked(beta1), b2 = T.CreateChecked(beta2), one = T.One;
        T stepSize = T.CreateChecked(lr / bc1), sqrtBc2 = T.CreateChecked(Math.Sqrt(bc2)), e = T.CreateChecked(eps);
        T wd = T.CreateChecked(weightDecay), decay = T.CreateChecked(1 - lr * weightDecay);
        CpuParallel.ForRange(pt.Numel, 1 << 15, (s, end) =>
        {
            for (long i = s; i < end; i++)
            {
                T p = pa[po + i], g = maximize ? -ga[go + i] : ga[go + i];
                if (decoupled) p *= decay; else g += wd * p;
                T m = b1 * ma[mo + i] + (one - b1) * g;
                T v = b2 * va[vo + i] + (one - b2) * g * g;
                ma[mo + i] = m; va[vo + i] = v;
                if (xa != null)
                {
                    // torch.maximum: NaN propagates (T.Max does the same), so a diverged v is not hidden.
                    v = T.Max(xa[xo + i], v);
                    xa[xo + i] = v;
                }
                pa[po + i] = p - stepSize * m / (T.Sqrt(v) / sqrtBc2 + e);
            }
        });
    }
}
