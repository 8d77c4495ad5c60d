using Pade.Engine;

namespace Pade.Training.Optim;

/// <summary>
/// The line search of <see cref="LBFGS"/>'s line_search_fn = "strong_wolfe", as torch.optim.lbfgs's _strong_wolfe
/// and _cubic_interpolate (themselves ported from torch/optim's lswolfe.lua and polyinterp.lua): bracket an interval
/// holding a point that satisfies the strong Wolfe conditions (sufficient decrease c1, curvature c2), then zoom in
/// on it by safeguarded cubic interpolation.
/// </summary>
internal static class StrongWolfe
{
    /// <summary>The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to the bounds (by default
    /// the interval between the points); the bounds' midpoint when the cubic has no real minimiser.</summary>
    public static double CubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2, (double Min, double Max)? bounds = null)
    {
        var (xmin, xmax) = bounds ?? (x1 <= x2 ? (x1, x2) : (x2, x1));
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Square = d1 * d1 - g1 * g2;
        if (d2Square >= 0)
        {
            double d2 = Math.Sqrt(d2Square);
            double minPos = x1 <= x2
                ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            return Math.Min(Math.Max(minPos, xmin), xmax);
        }
        return (xmin + xmax) / 2.0;
    }

    private static double Dot(Tensor a, Tensor b) => (a * b).Sum().Item();

    /// <summary>
    /// Searches along <paramref name="d"/> from the parameters <paramref name="x"/> (loss <paramref name="f"/>,
    /// flat gradient <paramref name="g"/>, directional derivative <paramref name="gtd"/>), starting at step
    /// <paramref name="t"/>; <paramref name="obj"/> evaluates the loss and flat gradient at x + t·d and restores x.
    /// Returns the accepted point's loss, gradient, step and the number of evaluations.
    /// </summary>
    public static (double F, Tensor G, double T, int Evals) Search(Func<Tensor[], double, Tensor, (double, Tensor)> obj, Tensor[] x, double t, Tensor d,
        double f, Tensor g, double gtd, double c1 = 1e-4, double c2 = 0.9, double toleranceChange = 1e-9, int maxLs = 25)
    {
        double dNorm = d.Abs().Max().Item();
        g = g.Clone();
        var (fNew, gNew) = obj(x, t, d);
        int lsFuncEvals = 1;
        double gtdNew = Dot(gNew, d);

        // Bracket an interval containing a point satisfying the Wolfe criteria.
        double tPrev = 0, fPrev = f, gtdPrev = gtd;
        var gPrev = g;
        bool done = false;
        int lsIter = 0;
        double[] bracket = [], bracketF = [], bracketGtd = [];
        Tensor[] bracketG = [];
        while (lsIter < maxLs)
        {
            if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev))
            {
                bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew.Clone()]; bracketGtd = [gtdPrev, gtdNew];
                break;
            }
            if (Math.Abs(gtdNew) <= -c2 * gtd)
            {
                bracket = [t]; bracketF = [fNew]; bracketG = [gNew];
                done = true;
                break;
            }
            if (gtdNew >= 0)
            {
                bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew.Clone()]; bracketGtd = [gtdPrev, gtdNew];
                break;
            }
            // Extrapolate.
            double minStep = t + 0.01 * (t - tPrev), maxStep = t * 10, tmp = t;
            t = CubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, (minStep, maxStep));
            tPrev = tmp; fPrev = fNew; gPrev = gNew.Clone(); gtdPrev = gtdNew;
            (fNew, gNew) = obj(x, t, d);
            lsFuncEvals++;
            gtdNew = Dot(gNew, d);
            lsIter++;
        }
        if (lsIter == maxLs)
        {
            bracket = [0, t]; bracketF = [f, fNew]; bracketG = [g, gNew];
            // PyTorch leaves bracket_gtd as it was here; the zoom below does not run (ls_iter == max_ls).
        }

        // Zoom: refine the bracket until a point satisfies the criteria.
        bool insufProgress = false;
        var (lowPos, highPos) = bracketF[0] <= bracketF[^1] ? (0, 1) : (1, 0);
        while (!done && lsIter < maxLs)
        {
            if (Math.Abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
            t = CubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);

            // Too close to an end of the bracket (twice, or on it): move 0.1·its length inside.
            double hi = Math.Max(bracket[0], bracket[1]), lo = Math.Min(bracket[0], bracket[1]);
            double eps = 0.1 * (hi - lo);
            if (Math.Min(hi - t, t - lo) < eps)
            {
                if (insufProgress || t >= hi || t <= lo)
                {
                    t = Math.Abs(t - hi) < Math.Abs(t - lo) ? hi - eps : lo + eps;
                    insufProgress = false;
                }
                else insufProgress = true;
            }
            else insufProgress = false;

            (fNew, gNew) = obj(x, t, d);
            lsFuncEvals++;
            gtdNew = Dot(gNew, d);
            lsIter++;

            if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos])
            {
                // Armijo's condition fails, or no lower than the low end: the new point is the high end.
                bracket[highPos] = t; bracketF[highPos] = fNew; bracketG[highPos] = gNew.Clone(); bracketGtd[highPos] = gtdNew;
                (lowPos, highPos) = bracketF[0] <= bracketF[1] ? (0, 1) : (1, 0);
            }
            else
            {
                if (Math.Abs(gtdNew) <= -c2 * gtd) done = true;
                else if (gtdNew * (bracket[highPos] - bracket[lowPos]) >= 0)
                {
                    // The old high end becomes the low one.
                    bracket[highPos] = bracket[lowPos]; bracketF[highPos] = bracketF[lowPos];
                    bracketG[highPos] = bracketG[lowPos]; bracketGtd[highPos] = bracketGtd[lowPos];
                }
                bracket[lowPos] = t; bracketF[lowPos] = fNew; bracketG[lowPos] = gNew.Clone(); bracketGtd[lowPos] = gtdNew;
            }
        }
        return (bracketF[lowPos], bracketG[lowPos], bracket[lowPos], lsFuncEvals);
    }
}
