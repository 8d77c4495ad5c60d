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

    /// <summary>
    /// RMSprop (Hinton), in place on contiguous p, g, squareAvg (and gradAvg when centered, buf when momentum &gt; 0),
    /// as torch.optim.RMSprop:
    ///   g' = maximize ? -g : g;  g' += wd·p (only when wd ≠ 0, as PyTorch: 0·∞ would be NaN);
    ///   squareAvg = α·squareAvg + (1-α)·g'²;
    ///   centered (gradAvg given): gradAvg = lerp(gradAvg, g', 1-α), avg = √(squareAvg - gradAvg²) + eps; else avg = √squareAvg + eps;
    ///   momentum (buf given): buf = momentum·buf + g'/avg, p -= lr·buf; else p -= lr·(g'/avg).
    /// lerp is torch.lerp's: a + w·(b - a) for w &lt; 0.5, b - (b - a)·(1 - w) otherwise.
    /// </summary>
    public virtual void RmspropStep(Tensor p, Tensor g, Tensor squareAvg, Tensor? gradAvg, Tensor? buf, double lr, double alpha, double eps,
                                    double weightDecay, double momentum, bool maximize) =>
        throw new NotSupportedException($"{Device} backend has no kernel RmspropStep");

    /// <summary>
    /// Adagrad (Duchi et al.), in place on contiguous p, g, sum, as torch.optim.Adagrad with the step's learning rate
    /// clr = lr / (1 + (t - 1)·lr_decay) computed by the caller:
    ///   g' = maximize ? -g : g;  g' += wd·p (only when wd ≠ 0);  sum += g'²;  p -= clr·(g' / (√sum + eps)).
    /// </summary>
    public virtual void AdagradStep(Tensor p, Tensor g, Tensor sum, double clr, double eps, double weightDecay, bool maximize) =>
        throw new NotSupportedException($"{Device} backend has no kernel AdagradStep");

    /// <summary>
    /// Adamax (Kingma and Ba, the infinity-norm Adam), in place on contiguous p, g, expAvg, expInf at the parameter's
    /// step t ≥ 1, as torch.optim.Adamax:
    ///   g' = maximize ? -g : g;  g' += wd·p (only when wd ≠ 0);
    ///   expAvg = lerp(expAvg, g', 1 - β1);  expInf = max(β2·expInf, |g'| + eps) (NaN propagates, as torch.maximum);
    ///   p -= clr·(expAvg / expInf),  clr = lr / (1 - β1ᵗ).
    /// </summary>
    public virtual void AdamaxStep(Tensor p, Tensor g, Tensor expAvg, Tensor expInf, double lr, double beta1, double beta2, double eps,
                                   double weightDecay, bool maximize, int step) =>
        throw new NotSupportedException($"{Device} backend has no kernel AdamaxStep");
}
