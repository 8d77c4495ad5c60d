using System.Numerics;
using System.Runtime.Intrinsics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

/// <summary>
/// RMSprop, Adagrad and Adamax, one fused pass over each parameter, as SGD and Adam in CpuOptim.cs: a Vector512 of elements
/// at a time and the tail through the same formula in scalars, the same IEEE operations in the same order (no FMA
/// contraction), so an element's result does not depend on where the vector boundaries fall. The operations follow
/// torch.optim's tensor calls one for one (addcmul's value·a·b, addcdiv's value·(a/b), lerp's two branches), so
/// the rounding is PyTorch's.
/// </summary>
public sealed partial class CpuBackend
{
    public override void RmspropStep(Tensor p, Tensor g, Tensor squareAvg, Tensor? gradAvg, Tensor? buf, double lr, double alpha, double eps,
                                     double weightDecay, double momentum, bool maximize)
    {
        if (p.DType == DType.Float32) Rmsprop<float>(p, g, squareAvg, gradAvg, buf, lr, alpha, eps, weightDecay, momentum, maximize);
        else Rmsprop<double>(p, g, squareAvg, gradAvg, buf, lr, alpha, eps, weightDecay, momentum, maximize);
        GC.KeepAlive(p); GC.KeepAlive(g); GC.KeepAlive(squareAvg); GC.KeepAlive(gradAvg); GC.KeepAlive(buf);
    }

    /// <summary>RMSprop's constants for one call. W is lerp's weight 1 − α and OneMinusW its complement, both
    /// computed in double (PyTorch passes Python floats); LerpLow says which of torch.lerp's two forms applies.</summary>
    private readonly record struct RmspropRule<T>(T Lr, T Alpha, T OneMinusAlpha, T W, T OneMinusW, bool LerpLow, T Eps, T WeightDecay,
        bool Decay, T Momentum, bool Maximize) where T : unmanaged, IFloatingPointIeee754<T>;

    private static void Rmsprop<T>(Tensor pt, Tensor gt, Tensor st, Tensor? at, Tensor? bt, double lr, double alpha, double eps,
                                   double weightDecay, double momentum, bool maximize) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pa = Array<T>(pt); var ga = Array<T>(gt); var sa = Array<T>(st); var aa = at == null ? null : Array<T>(at); var ba = bt == null ? null : Array<T>(bt);
        int po = (int)pt.Offset, go = (int)gt.Offset, so = (int)st.Offset, ao = (int)(at?.Offset ?? 0), bo = (int)(bt?.Offset ?? 0);
        double w = 1 - alpha;
        var rule = new RmspropRule<T>(T.CreateChecked(lr), T.CreateChecked(alpha), T.CreateChecked(1 - alpha), T.CreateChecked(w), T.CreateChecked(1 - w),
            w < 0.5, T.CreateChecked(eps), T.CreateChecked(weightDecay), weightDecay != 0, T.CreateChecked(momentum), maximize);
        CpuParallel.ForRange(pt.Numel, 1 << 15, (s, e) =>
        {
            int i = (int)s, n = (int)(e - s);
            RmspropRange(rule, pa.AsSpan(po + i, n), ga.AsSpan(go + i, n), sa.AsSpan(so + i, n),
                aa == null ? default : aa.AsSpan(ao + i, n), ba == null ? default : ba.AsSpan(bo + i, n));
        });
    }

    /// <summary>torch.optim.RMSprop's rule on a range; an empty <paramref name="gradAvg"/> means not centered, an
    /// empty <paramref name="buf"/> no momentum.</summary>
    private static void RmspropRange<T>(in RmspropRule<T> r, Span<T> p, ReadOnlySpan<T> grad, Span<T> squareAvg, Span<T> gradAvg, Span<T> buf)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector512<T>.Count, i = 0;
        bool centered = !gradAvg.IsEmpty, momentum = !buf.IsEmpty;
        if (CpuIsa.Vectors)
        {
            Vector512<T> lr = Vector512.Create(r.Lr), alpha = Vector512.Create(r.Alpha), oneMinusAlpha = Vector512.Create(r.OneMinusAlpha),
                w = Vector512.Create(r.W), oneMinusW = Vector512.Create(r.OneMinusW), eps = Vector512.Create(r.Eps), wd = Vector512.Create(r.WeightDecay),
                mu = Vector512.Create(r.Momentum);
            for (; i <= p.Length - width; i += width)
            {
                var pv = Vector512.Create(p.Slice(i, width));
                var g = Vector512.Create(grad.Slice(i, width));
                if (r.Maximize) g = -g;
                if (r.Decay) g += wd * pv;
                var sq = alpha * Vector512.Create(squareAvg.Slice(i, width)) + oneMinusAlpha * g * g;
                sq.CopyTo(squareAvg.Slice(i, width));
                Vector512<T> avg;
                if (centered)
                {
                    var a = Vector512.Create(gradAvg.Slice(i, width));
                    a = r.LerpLow ? a + w * (g - a) : g - (g - a) * oneMinusW;
                    a.CopyTo(gradAvg.Slice(i, width));
                    avg = Vector512.Sqrt(sq - a * a) + eps;
                }
                else avg = Vector512.Sqrt(sq) + eps;
                if (momentum)
                {
                    var b = mu * Vector512.Create(buf.Slice(i, width)) + g / avg;
                    b.CopyTo(buf.Slice(i, width));
                    (pv - lr * b).CopyTo(p.Slice(i, width));
                }
                else (pv - lr * (g / avg)).CopyTo(p.Slice(i, width));
            }
        }
        for (; i < p.Length; i++)
        {
            T g = r.Maximize ? -grad[i] : grad[i];
            if (r.Decay) g += r.WeightDecay * p[i];
            T sq = r.Alpha * squareAvg[i] + r.OneMinusAlpha * g * g;
            squareAvg[i] = sq;
            T avg;
            if (centered)
            {
                T a = gradAvg[i];
                a = r.LerpLow ? a + r.W * (g - a) : g - (g - a) * r.OneMinusW;
                gradAvg[i] = a;
                avg = T.Sqrt(sq - a * a) + r.Eps;
            }
            else avg = T.Sqrt(sq) + r.Eps;
            if (momentum)
            {
                T b = r.Momentum * buf[i] + g / avg;
                buf[i] = b;
                p[i] -= r.Lr * b;
            }
            else p[i] -= r.Lr * (g / avg);
        }
    }

    public override void AdagradStep(Tensor p, Tensor g, Tensor sum, double clr, double eps, double weightDecay, bool maximize)
    {
        if (p.DType == DType.Float32) Adagrad<float>(p, g, sum, clr, eps, weightDecay, maximize);
        else Adagrad<double>(p, g, sum, clr, eps, weightDecay, maximize);
        GC.KeepAlive(p); GC.KeepAlive(g); GC.KeepAlive(sum);
    }

    private readonly record struct AdagradRule<T>(T Clr, T Eps, T WeightDecay, bool Decay, bool Maximize) where T : unmanaged, IFloatingPointIeee754<T>;

    private static void Adagrad<T>(Tensor pt, Tensor gt, Tensor st, double clr, double eps, double weightDecay, bool maximize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pa = Array<T>(pt); var ga = Array<T>(gt); var sa = Array<T>(st);
        int po = (int)pt.Offset, go = (int)gt.Offset, so = (int)st.Offset;
        var rule = new AdagradRule<T>(T.CreateChecked(clr), T.CreateChecked(eps), T.CreateChecked(weightDecay), weightDecay != 0, maximize);
        CpuParallel.ForRange(pt.Numel, 1 << 15, (s, e) =>
        {
            int i = (int)s, n = (int)(e - s);
            AdagradRange(rule, pa.AsSpan(po + i, n), ga.AsSpan(go + i, n), sa.AsSpan(so + i, n));
        });
    }

    /// <summary>torch.optim.Adagrad's rule on a range: sum += g², p −= clr·(g/(√sum + eps)).</summary>
    private static void AdagradRange<T>(in AdagradRule<T> r, Span<T> p, ReadOnlySpan<T> grad, Span<T> sum) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector512<T>.Count, i = 0;
        if (CpuIsa.Vectors)
        {
            Vector512<T> clr = Vector512.Create(r.Clr), eps = Vector512.Create(r.Eps), wd = Vector512.Create(r.WeightDecay);
            for (; i <= p.Length - width; i += width)
            {
                var pv = Vector512.Create(p.Slice(i, width));
                var g = Vector512.Create(grad.Slice(i, width));
                if (r.Maximize) g = -g;
                if (r.Decay) g += wd * pv;
                var s = Vector512.Create(sum.Slice(i, width)) + g * g;
                s.CopyTo(sum.Slice(i, width));
                (pv - clr * (g / (Vector512.Sqrt(s) + eps))).CopyTo(p.Slice(i, width));
            }
        }
        for (; i < p.Length; i++)
        {
            T g = r.Maximize ? -grad[i] : grad[i];
            if (r.Decay) g += r.WeightDecay * p[i];
            T s = sum[i] + g * g;
            sum[i] = s;
            p[i] -= r.Clr * (g / (T.Sqrt(s) + r.Eps));
        }
    }

    public override void AdamaxStep(Tensor p, Tensor g, Tensor expAvg, Tensor expInf, double lr, double beta1, double beta2, double eps,
                                    double weightDecay, bool maximize, int step)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), $"AdamaxStep: step {step} must be ≥ 1 (the bias correction divides by 1 - β1ᵗ)");
        if (p.DType == DType.Float32) Adamax<float>(p, g, expAvg, expInf, lr, beta1, beta2, eps, weightDecay, maximize, step);
        else Adamax<double>(p, g, expAvg, expInf, lr, beta1, beta2, eps, weightDecay, maximize, step);
        GC.KeepAlive(p); GC.KeepAlive(g); GC.KeepAlive(expAvg); GC.KeepAlive(expInf);
    }

    /// <summary>Adamax's constants for one call: clr = lr / (1 − β1ᵗ) and lerp's weight 1 − β1 with its complement,
    /// in double.</summary>
    private readonly record struct AdamaxRule<T>(T Clr, T W, T OneMinusW, bool LerpLow, T Beta2, T Eps, T WeightDecay, bool Decay, bool Maximize)
        where T : unmanaged, IFloatingPointIeee754<T>;

    private static void Adamax<T>(Tensor pt, Tensor gt, Tensor mt, Tensor ut, double lr, double beta1, double beta2, double eps,
                                  double weightDecay, bool maximize, int step) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pa = Array<T>(pt); var ga = Array<T>(gt); var ma = Array<T>(mt); var ua = Array<T>(ut);
        int po = (int)pt.Offset, go = (int)gt.Offset, mo = (int)mt.Offset, uo = (int)ut.Offset;
        double w = 1 - beta1;
        var rule = new AdamaxRule<T>(T.CreateChecked(lr / (1 - Math.Pow(beta1, step))), T.CreateChecked(w), T.CreateChecked(1 - w), w < 0.5,
            T.CreateChecked(beta2), T.CreateChecked(eps), T.CreateChecked(weightDecay), weightDecay != 0, maximize);
        CpuParallel.ForRange(pt.Numel, 1 << 15, (s, e) =>
        {
            int i = (int)s, n = (int)(e - s);
            AdamaxRange(rule, pa.AsSpan(po + i, n), ga.AsSpan(go + i, n), ma.AsSpan(mo + i, n), ua.AsSpan(uo + i, n));
        });
    }

    /// <summary>torch.optim.Adamax's rule on a range.</summary>
    private static void AdamaxRange<T>(in AdamaxRule<T> r, Span<T> p, ReadOnlySpan<T> grad, Span<T> expAvg, Span<T> expInf)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector512<T>.Count, i = 0;
        if (CpuIsa.Vectors)
        {
            Vector512<T> clr = Vector512.Create(r.Clr), w = Vector512.Create(r.W), oneMinusW = Vector512.Create(r.OneMinusW),
                b2 = Vector512.Create(r.Beta2), eps = Vector512.Create(r.Eps), wd = Vector512.Create(r.WeightDecay);
            for (; i <= p.Length - width; i += width)
            {
                var pv = Vector512.Create(p.Slice(i, width));
                var g = Vector512.Create(grad.Slice(i, width));
                if (r.Maximize) g = -g;
                if (r.Decay) g += wd * pv;
                var m = Vector512.Create(expAvg.Slice(i, width));
                m = r.LerpLow ? m + w * (g - m) : g - (g - m) * oneMinusW;
                m.CopyTo(expAvg.Slice(i, width));
                var u = MaxPropagatingNaN(b2 * Vector512.Create(expInf.Slice(i, width)), Vector512.Abs(g) + eps);
                u.CopyTo(expInf.Slice(i, width));
                (pv - clr * (m / u)).CopyTo(p.Slice(i, width));
            }
        }
        for (; i < p.Length; i++)
        {
            T g = r.Maximize ? -grad[i] : grad[i];
            if (r.Decay) g += r.WeightDecay * p[i];
            T m = expAvg[i];
            m = r.LerpLow ? m + r.W * (g - m) : g - (g - m) * r.OneMinusW;
            expAvg[i] = m;
            // torch.maximum: NaN propagates (T.Max does the same).
            T u = T.Max(r.Beta2 * expInf[i], T.Abs(g) + r.Eps);
            expInf[i] = u;
            p[i] -= r.Clr * (m / u);
        }
    }
}
