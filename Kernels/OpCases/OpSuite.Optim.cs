using Pade.Engine;

namespace Pade.Kernels.OpCases;

/// <summary>RMSprop, Adagrad and Adamax's fused steps (cuda/optim.cu) on every device (SGD and Adam: OpSuite.Random.cs).</summary>
public static partial class OpSuite
{
    private static void AddAdaptiveOptimizerCases(List<OpCase> cases)
    {
        // RMSprop: plain, centered (grad_avg starts inside ±√square_avg so the variance stays positive), momentum,
        // both, weight decay with maximize; α = 0.3 takes torch.lerp's other form (weight 0.7 ≥ 0.5).
        (double Alpha, bool Centered, double Momentum, double Wd, bool Maximize)[] rms =
            [(0.99, false, 0, 0, false), (0.99, true, 0, 0, false), (0.9, false, 0.9, 0.01, false), (0.99, true, 0.5, 0.01, true),
             (0.3, true, 0, 0, false), (0.6, false, 0, 0.1, true)];
        foreach (var (alpha, centered, momentum, wd, maximize) in rms)
        {
            var label = $"alpha {alpha}{(centered ? " centered" : "")} momentum {momentum} weight_decay {wd}{(maximize ? " maximize" : "")} [1001]";
            cases.Add(new("rmsprop", label,
                [Fixed("p", [1001]), Fixed("g", [1001]), Fixed("square_avg", [1001], 0.5, 1), Fixed("grad_avg", [1001], -0.5, 0.5), Fixed("buf", [1001])],
                (_, x) =>
                {
                    var (p, sq, avg, buf) = (x[0].Clone(), x[2].Clone(), x[3].Clone(), x[4].Clone());
                    p.Backend.RmspropStep(p, x[1], sq, centered ? avg : null, momentum > 0 ? buf : null, 0.01, alpha, 1e-8, wd, momentum, maximize);
                    return [p, sq, avg, buf];
                })
            {
                // square_avg and grad_avg: two roundings each; the update adds a square root and a division (and the
                // momentum buffer's multiply-add), lr-sized against p. Outputs the case leaves alone stay as given.
                Backward = false, Tol = Tolerance.Ulps(8), OutputNames = ["p", "square_avg", "grad_avg", "buf"],
                Kernels = ["optim.cu:rmsprop_step_{t}"],
            });
        }

        // Adagrad: with and without weight decay, maximize, and the decayed rate of a later step (computed by the caller).
        (double Clr, double Wd, bool Maximize)[] adas = [(0.01, 0, false), (0.1 / (1 + 4 * 0.5), 0.01, false), (0.05, 0.1, true)];
        foreach (var (clr, wd, maximize) in adas)
            cases.Add(new("adagrad", $"clr {clr:G4} weight_decay {wd}{(maximize ? " maximize" : "")} [1001]",
                [Fixed("p", [1001]), Fixed("g", [1001]), Fixed("sum", [1001], 0, 2)], (_, x) =>
                {
                    var (p, sum) = (x[0].Clone(), x[2].Clone());
                    p.Backend.AdagradStep(p, x[1], sum, clr, 1e-10, wd, maximize);
                    return [p, sum];
                })
            {
                Backward = false, Tol = Tolerance.Ulps(8), OutputNames = ["p", "sum"],
                Kernels = ["optim.cu:adagrad_step_{t}"],
            });

        // Adamax: the first and a later step (clr's bias correction), weight decay, maximize; β1 = 0.3 takes
        // torch.lerp's other form. exp_inf starts in the range of |g|, so about half the elements keep β2·u.
        (double Beta1, int Step, double Wd, bool Maximize)[] adamaxes = [(0.9, 1, 0, false), (0.9, 6, 0.01, false), (0.3, 3, 0.1, true)];
        foreach (var (beta1, step, wd, maximize) in adamaxes)
            cases.Add(new("adamax", $"beta1 {beta1} step {step} weight_decay {wd}{(maximize ? " maximize" : "")} [1001]",
                [Fixed("p", [1001]), Fixed("g", [1001]), Fixed("exp_avg", [1001], -0.1, 0.1), Fixed("exp_inf", [1001], 0, 1)], (_, x) =>
                {
                    var (p, m, u) = (x[0].Clone(), x[2].Clone(), x[3].Clone());
                    p.Backend.AdamaxStep(p, x[1], m, u, 2e-3, beta1, 0.999, 1e-8, wd, maximize, step);
                    return [p, m, u];
                })
            {
                Backward = false, Tol = Tolerance.Ulps(8), OutputNames = ["p", "exp_avg", "exp_inf"],
                Kernels = ["optim.cu:adamax_step_{t}"],
            });
    }
}
