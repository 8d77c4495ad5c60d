using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

/// <summary>
/// The optimizer updates, one fused pass over each parameter. The loops run a Vector512 of elements at a time and the
/// row's last few elements through the same formula in scalars; both do the same IEEE operations in the same order
/// (no FMA contraction), so an element's result does not depend on where the vector boundaries fall. The update is
/// memory-bound once vectorised: plain SGD moves 12 bytes per float32 parameter (p and g read, p written).
/// </summary>
public sealed partial class CpuBackend
{
    public override void SgdStep(Tensor p, Tensor g, Tensor? buf, double lr, double momentum, double dampening, bool nesterov, double weightDecay,
                                 bool maximize, bool firstStep)
    {
        if (p.DType == DType.Float32) Sgd<float>(p, g, buf, (float)lr, (float)momentum, (float)dampening, nesterov, (float)weightDecay, maximize, firstStep);
        else Sgd<double>(p, g, buf, lr, momentum, dampening, nesterov, weightDecay, maximize, firstStep);
        GC.KeepAlive(p); GC.KeepAlive(g); GC.KeepAlive(buf);   // see CpuBackend's remarks on lifetime
    }

    /// <summary>SGD's constants for one call (PyTorch's rule).</summary>
    private readonly record struct SgdRule<T>(T Lr, T Momentum, T Dampening, bool Nesterov, T WeightDecay, bool Maximize, bool First)
        where T : unmanaged, IFloatingPointIeee754<T>;

    private static void Sgd<T>(Tensor pt, Tensor gt, Tensor? bt, T lr, T momentum, T dampening, bool nesterov, T wd, bool maximize, bool first) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pa = Array<T>(pt); var ga = Array<T>(gt); var ba = bt == null ? null : Array<T>(bt);
        int po = (int)pt.Offset, go = (int)gt.Offset, bo = (int)(bt?.Offset ?? 0);
        var rule = new SgdRule<T>(lr, momentum, dampening, nesterov, wd, maximize, first);
        CpuParallel.ForRange(pt.Numel, 1 << 15, (s, e) =>
        {
            int at = (int)s, n = (int)(e - s);
            SgdRange(rule, pa.AsSpan(po + at, n), ga.AsSpan(go + at, n), ba == null ? default : ba.AsSpan(bo + at, n));
        });
    }

    /// <summary>p −= lr·d with g = ±grad + wd·p, b = first ? g : μ·b + (1 − dampening)·g, d = nesterov ? g + μ·b : b
    /// (no momentum buffer: d = g). An empty <paramref name="b"/> means no momentum.</summary>
    private static void SgdRange<T>(in SgdRule<T> r, Span<T> p, ReadOnlySpan<T> grad, Span<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count, i = 0;
        bool momentum = !b.IsEmpty;
        if (CpuIsa.Vectors)
        {
            Vector512<T> lr = Vector512.Create(r.Lr), mu = Vector512.Create(r.Momentum), keep = Vector512.Create(T.One - r.Dampening),
                wd = Vector512.Create(r.WeightDecay);
            for (; i <= p.Length - w; i += w)
            {
                var pv = Vector512.Create(p.Slice(i, w));
                var gv = Vector512.Create(grad.Slice(i, w));
                var g = (r.Maximize ? -gv : gv) + wd * pv;
                var d = g;
                if (momentum)
                {
                    var bv = r.First ? g : mu * Vector512.Create(b.Slice(i, w)) + keep * g;
                    bv.CopyTo(b.Slice(i, w));
                    d = r.Nesterov ? g + mu * bv : bv;
                }
                (pv - lr * d).CopyTo(p.Slice(i, w));
            }
        }
        for (; i < p.Length; i++)
        {
            T g = (r.Maximize ? -grad[i] : grad[i]) + r.WeightDecay * p[i];
            T d = g;
            if (momentum)
            {
                T bv = r.First ? g : r.Momentum * b[i] + (T.One - r.Dampening) * g;
                b[i] = bv;
                d = r.Nesterov ? g + r.Momentum * bv : bv;
            }
            p[i] -= r.Lr * d;
        }
    }

    public override void AdamStep(Tensor p, Tensor g, Tensor m, Tensor v, Tensor? maxV, double lr, double beta1, double beta2, double eps,
                                  double weightDecay, bool decoupled, bool maximize, int step)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), $"AdamStep: step {step} must be ≥ 1 (the bias corrections divide by 1 - βᵗ)");
        if (p.DType == DType.Float32) Adam<float>(p, g, m, v, maxV, lr, beta1, beta2, eps, weightDecay, decoupled, maximize, step);
        else Adam<double>(p, g, m, v, maxV, lr, beta1, beta2, eps, weightDecay, decoupled, maximize, step);
        GC.KeepAlive(p); GC.KeepAlive(g); GC.KeepAlive(m); GC.KeepAlive(v); GC.KeepAlive(maxV);
    }

    /// <summary>Adam's constants for one call, the bias corrections folded into the step size and epsilon's scale
    /// (computed once in double).</summary>
    private readonly record struct AdamRule<T>(T Beta1, T Beta2, T StepSize, T SqrtBc2, T Eps, T WeightDecay, T Decay, bool Decoupled, bool Maximize)
        where T : unmanaged, IFloatingPointIeee754<T>;

    private static void Adam<T>(Tensor pt, Tensor gt, Tensor mt, Tensor vt, Tensor? xt, double lr, double beta1, double beta2, double eps,
                                double weightDecay, bool decoupled, bool maximize, int step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pa = Array<T>(pt); var ga = Array<T>(gt); var ma = Array<T>(mt); var va = Array<T>(vt); var xa = xt == null ? null : Array<T>(xt);
        int po = (int)pt.Offset, go = (int)gt.Offset, mo = (int)mt.Offset, vo = (int)vt.Offset, xo = (int)(xt?.Offset ?? 0);
        double bc1 = 1 - Math.Pow(beta1, step), bc2 = 1 - Math.Pow(beta2, step);
        var rule = new AdamRule<T>(T.CreateChecked(beta1), T.CreateChecked(beta2), T.CreateChecked(lr / bc1), T.CreateChecked(Math.Sqrt(bc2)),
            T.CreateChecked(eps), T.CreateChecked(weightDecay), T.CreateChecked(1 - lr * weightDecay), decoupled, maximize);
        CpuParallel.ForRange(pt.Numel, 1 << 15, (s, e) =>
        {
            int at = (int)s, n = (int)(e - s);
            AdamRange(rule, pa.AsSpan(po + at, n), ga.AsSpan(go + at, n), ma.AsSpan(mo + at, n), va.AsSpan(vo + at, n),
                xa == null ? default : xa.AsSpan(xo + at, n));
        });
    }

    /// <summary>torch.optim.Adam(W)'s rule on a range; an empty <paramref name="maxV"/> means no AMSGrad.</summary>
    private static void AdamRange<T>(in AdamRule<T> r, Span<T> p, ReadOnlySpan<T> grad, Span<T> m, Span<T> v, Span<T> maxV)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count, i = 0;
        bool ams = !maxV.IsEmpty;
        if (CpuIsa.Vectors)
        {
            Vector512<T> b1 = Vector512.Create(r.Beta1), b2 = Vector512.Create(r.Beta2), one = Vector512<T>.One, step = Vector512.Create(r.StepSize),
                sqrtBc2 = Vector512.Create(r.SqrtBc2), eps = Vector512.Create(r.Eps), wd = Vector512.Create(r.WeightDecay), decay = Vector512.Create(r.Decay);
            for (; i <= p.Length - w; i += w)
            {
                var pv = Vector512.Create(p.Slice(i, w));
                var gv = Vector512.Create(grad.Slice(i, w));
                if (r.Maximize) gv = -gv;
                if (r.Decoupled) pv *= decay; else gv += wd * pv;
                var mv = b1 * Vector512.Create(m.Slice(i, w)) + (one - b1) * gv;
                var vv = b2 * Vector512.Create(v.Slice(i, w)) + (one - b2) * gv * gv;
                mv.CopyTo(m.Slice(i, w)); vv.CopyTo(v.Slice(i, w));
                if (ams)
                {
                    vv = MaxPropagatingNaN(Vector512.Create(maxV.Slice(i, w)), vv);
                    vv.CopyTo(maxV.Slice(i, w));
                }
                (pv - step * mv / (Vector512.Sqrt(vv) / sqrtBc2 + eps)).CopyTo(p.Slice(i, w));
            }
        }
        for (; i < p.Length; i++)
        {
            T pv = p[i], g = r.Maximize ? -grad[i] : grad[i];
            if (r.Decoupled) pv *= r.Decay; else g += r.WeightDecay * pv;
            T mv = r.Beta1 * m[i] + (T.One - r.Beta1) * g;
            T vv = r.Beta2 * v[i] + (T.One - r.Beta2) * g * g;
            m[i] = mv; v[i] = vv;
            if (ams)
            {
                // torch.maximum: NaN propagates (T.Max does the same), so a diverged v is not hidden.
                vv = T.Max(maxV[i], vv);
                maxV[i] = vv;
            }
            p[i] = pv - r.StepSize * mv / (T.Sqrt(vv) / r.SqrtBc2 + r.Eps);
        }
    }

    /// <summary>T.Max lane by lane: NaN if either is NaN, else the larger (only non-negative values meet here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> MaxPropagatingNaN<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var nan = ~(Vector512.Equals(a, a) & Vector512.Equals(b, b));
        return Vector512.ConditionalSelect(nan, a + b, Vector512.ConditionalSelect(Vector512.GreaterThan(b, a), b, a));
    }
}
