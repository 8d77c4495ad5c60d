namespace Pade.Engine;

/// <summary>Fused optimizer updates: one pass over a parameter and its state instead of a chain of temporaries.</summary>
public abstract partial class Backend
{
    /// <summary>
    /// SGD with momentum (PyTorch's form), in place on contiguous p, g, buf:
    ///   g' = (maximize ? -g : g) + wd·p;  buf = momentum·buf + (1 - dampening)·g'  (buf = g' on the first step);
    ///   d = nesterov ? g' + momentum·buf : buf (d = g' when momentum = 0);  p -= lr·d.
    /// </summary>
    public virtual void SgdStep(Tensor p, Tensor g, Tensor? buf, double lr, double momentum, double dampening, bool nesterov, double weightDecay,
                                bool maximize, bool firstStep) =>
        throw new NotSupportedException($"{Device} backend has no kernel SgdStep");

    /// <summary>
    /// Adam (Kingma and Ba) / AdamW, in place on contiguous p, g, m, v (and maxV for AMSGrad) at the parameter's
    /// step t ≥ 1, as torch.optim.Adam:
    ///   g' = maximize ? -g : g;  g' += wd·p (Adam) or p -= lr·wd·p first (AdamW, decoupled);
    ///   m = β1 m + (1-β1) g';  v = β2 v + (1-β2) g'²;
    ///   amsgrad (maxV given): maxV = max(maxV, v) and v̂ = maxV / (1-β2ᵗ), else v̂ = v / (1-β2ᵗ);
    ///   p -= lr · (m / (1-β1ᵗ)) / (√v̂ + eps).
    /// </summary>
    public virtual void AdamStep(Tensor p, Tensor g, Tensor m, Tensor v, Tensor? maxV, double lr, double beta1, double beta2, double eps,
                                 double weightDecay, bool decoupled, bool maximize, int step) =>
        throw new NotSupportedException($"{Device} backend has no kernel AdamStep");
}
