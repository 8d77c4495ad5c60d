using Pade.Engine;

namespace Pade.Training.Optim;

/// <summary>
/// L-BFGS as torch.optim.LBFGS (same arguments and defaults: lr = 1, max_iter = 20, max_eval = max_iter·5/4,
/// tolerance_grad = 1e-7, tolerance_change = 1e-9, history_size = 100, line_search_fn null or "strong_wolfe"). A
/// step runs up to max_iter quasi-Newton iterations and needs a closure that recomputes the loss and its gradients:
/// <see cref="Step(Func{Tensor})"/>. The parameters are seen as one flat vector (their gradients concatenated, a
/// parameter without a gradient counting as zeros); the update is a composition of tensor ops on that vector. As in
/// PyTorch there is a single parameter group, and the state (direction, history, step length) is global.
/// </summary>
public sealed class LBFGS : Optimizer
{
    private readonly Tensor[] _params;
    private readonly int _numel;

    // PyTorch's state, kept on the first parameter there: func_evals, n_iter, d, t, old_dirs, old_stps, ro, H_diag,
    // prev_flat_grad, prev_loss.
    private int _funcEvals, _nIter;
    private Tensor? _d, _prevFlatGrad;
    private double _t, _hDiag = 1, _prevLoss;
    private List<Tensor> _oldDirs = [], _oldStps = [];
    private List<double> _ro = [];

    public LBFGS(IEnumerable<ParamGroup> groups, int maxIter = 20, int? maxEval = null, double toleranceGrad = 1e-7, double toleranceChange = 1e-9,
                 int historySize = 100, string? lineSearchFn = null) : base(groups)
    {
        if (Groups.Count != 1) throw new ArgumentException("LBFGS doesn't support per-parameter options (parameter groups)");
        CheckGroups("LBFGS");
        if (Groups[0].WeightDecay != 0) throw new ArgumentException($"LBFGS has no weight_decay; group '{Groups[0].Name}' sets {Groups[0].WeightDecay}");
        if (maxIter < 1) throw new ArgumentException($"LBFGS: max_iter must be ≥ 1, got {maxIter}");
        if (historySize < 1) throw new ArgumentException($"LBFGS: history_size must be ≥ 1, got {historySize}");
        if (lineSearchFn is not (null or "strong_wolfe")) throw new ArgumentException($"LBFGS: only 'strong_wolfe' is supported as line_search_fn, got '{lineSearchFn}'");
        MaxIter = maxIter; MaxEval = maxEval ?? maxIter * 5 / 4; ToleranceGrad = toleranceGrad; ToleranceChange = toleranceChange;
        HistorySize = historySize; LineSearchFn = lineSearchFn;
        _params = [.. Groups[0].Parameters];
        var dtypes = _params.Select(p => (p.DType, p.Device)).Distinct().ToList();
        if (dtypes.Count != 1) throw new ArgumentException("LBFGS: all parameters must have one dtype and one device (they form one flat vector)");
        _numel = _params.Sum(p => checked((int)p.Numel));
    }

    public LBFGS(IEnumerable<Tensor> parameters, double lr = 1, int maxIter = 20, int? maxEval = null, double toleranceGrad = 1e-7,
                 double toleranceChange = 1e-9, int historySize = 100, string? lineSearchFn = null)
        : this([new ParamGroup(parameters, lr)], maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn) { }

    /// <summary>The most quasi-Newton iterations per <see cref="Step(Func{Tensor})"/>.</summary>
    public int MaxIter { get; }
    /// <summary>The most closure evaluations per step (PyTorch's default max_iter·5/4).</summary>
    public int MaxEval { get; }
    /// <summary>A step ends once every gradient element is at most this in magnitude.</summary>
    public double ToleranceGrad { get; }
    /// <summary>A step ends once the loss, the move or the directional derivative changes less than this.</summary>
    public double ToleranceChange { get; }
    /// <summary>The number of (s, y) pairs kept for the inverse-Hessian estimate.</summary>
    public int HistorySize { get; }
    /// <summary>null (a fixed step of lr) or "strong_wolfe" (a line search satisfying the strong Wolfe conditions).</summary>
    public string? LineSearchFn { get; }

    /// <summary>The total closure evaluations (PyTorch's state "func_evals").</summary>
    public int FuncEvals => _funcEvals;
    /// <summary>The total iterations over all steps (PyTorch's state "n_iter").</summary>
    public int NIter => _nIter;

    /// <summary>L-BFGS needs a closure: refused, as PyTorch's <c>step()</c> without one.</summary>
    public override void Step() => throw new InvalidOperationException("LBFGS: step needs a closure that reevaluates the model and returns the loss; call Step(closure)");

    protected override void Update(ParamGroup group, Tensor p, Tensor grad) => throw new InvalidOperationException("LBFGS updates all parameters at once");

    private Tensor FlatGrad()
    {
        var views = _params.Select(p => p.Grad is { } g ? g.Contiguous().Reshape(-1) : Tensor.Zeros([(int)p.Numel], p.DType, p.Device)).ToArray();
        return Tensor.Concat(views);
    }

    /// <summary>p += stepSize · update (the parameter's slice of the flat vector).</summary>
    private void AddGrad(double stepSize, Tensor update)
    {
        int offset = 0;
        foreach (var p in _params)
        {
            int n = (int)p.Numel;
            p.Add_(update.Narrow(0, offset, n).Reshape(p.Shape.ToArray()), stepSize);
            offset += n;
        }
    }

    private static double Dot(Tensor a, Tensor b) => (a * b).Sum().Item();
    private static double AbsMax(Tensor a) => a.Numel == 0 ? 0 : a.Abs().Max().Item();

    private double Evaluate(Func<Tensor> closure) => EvaluateWithGrad(closure).Item();

    private (double Loss, Tensor FlatGrad) DirectionalEvaluate(Func<Tensor> closure, Tensor[] x, double t, Tensor d)
    {
        AddGrad(t, d);
        double loss = Evaluate(closure);
        var flat = FlatGrad();
        for (int i = 0; i < _params.Length; i++) _params[i].CopyFrom(x[i]);
        return (loss, flat);
    }

    /// <summary>One L-BFGS step (up to <see cref="MaxIter"/> iterations); <paramref name="closure"/> zeroes the
    /// gradients, computes the loss, calls Backward and returns the loss. Returns the loss of the first evaluation.</summary>
    public override Tensor Step(Func<Tensor> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        StepCount++;
        using var _ = Tensor.NoGrad();
        double lr = Groups[0].Lr;

        var origLoss = EvaluateWithGrad(closure);
        double loss = origLoss.Item();
        int currentEvals = 1;
        _funcEvals++;

        var flatGrad = FlatGrad();
        bool optCond = AbsMax(flatGrad) <= ToleranceGrad;
        if (optCond) return origLoss;

        var d = _d;
        double t = _t;
        int nIter = 0;
        while (nIter < MaxIter)
        {
            nIter++;
            _nIter++;

            // The descent direction.
            if (_nIter == 1)
            {
                d = -flatGrad;
                _oldDirs = []; _oldStps = []; _ro = [];
                _hDiag = 1;
            }
            else
            {
                var y = flatGrad - _prevFlatGrad!;
                var s = d! * t;
                double ys = Dot(y, s);
                if (ys > 1e-10)
                {
                    if (_oldDirs.Count == HistorySize) { _oldDirs.RemoveAt(0); _oldStps.RemoveAt(0); _ro.RemoveAt(0); }
                    _oldDirs.Add(y); _oldStps.Add(s); _ro.Add(1.0 / ys);
                    _hDiag = ys / Dot(y, y);
                }
                // The two-loop recursion: the inverse-Hessian estimate times the gradient.
                int numOld = _oldDirs.Count;
                var al = new double[numOld];
                var q = -flatGrad;
                for (int i = numOld - 1; i >= 0; i--)
                {
                    al[i] = Dot(_oldStps[i], q) * _ro[i];
                    q = q - _oldDirs[i] * al[i];
                }
                var r = q * _hDiag;
                for (int i = 0; i < numOld; i++)
                {
                    double be = Dot(_oldDirs[i], r) * _ro[i];
                    r = r + _oldStps[i] * (al[i] - be);
                }
                d = r;
            }
            _prevFlatGrad = flatGrad.Clone();
            _prevLoss = loss;

            // The step length: the first iteration ever is scaled down by the gradient's L1 norm.
            t = _nIter == 1 ? Math.Min(1.0, 1.0 / flatGrad.Abs().Sum().Item()) * lr : lr;
            double gtd = Dot(flatGrad, d);
            if (gtd > -ToleranceChange) break;

            int lsFuncEvals = 0;
            if (LineSearchFn != null)
            {
                var xInit = _params.Select(p => p.Clone()).ToArray();
                (loss, flatGrad, t, lsFuncEvals) = StrongWolfe.Search((x, tt, dd) => DirectionalEvaluate(closure, x, tt, dd), xInit, t, d, loss, flatGrad, gtd,
                    toleranceChange: ToleranceChange);
                AddGrad(t, d);
                optCond = AbsMax(flatGrad) <= ToleranceGrad;
            }
            else
            {
                AddGrad(t, d);
                // No re-evaluation at the last iteration (PyTorch's: in a stochastic setting it is of no use).
                if (nIter != MaxIter)
                {
                    loss = Evaluate(closure);
                    flatGrad = FlatGrad();
                    optCond = AbsMax(flatGrad) <= ToleranceGrad;
                    lsFuncEvals = 1;
                }
            }
            currentEvals += lsFuncEvals;
            _funcEvals += lsFuncEvals;

            if (nIter == MaxIter) break;
            if (currentEvals >= MaxEval) break;
            if (optCond) break;
            if (AbsMax(d * t) <= ToleranceChange) break;
            if (Math.Abs(loss - _prevLoss) < ToleranceChange) break;
        }
        _d = d;
        _t = t;
        return origLoss;
    }

    /// <summary>
    /// The global state, PyTorch's names: "d", "prev_flat_grad", "old_dirs.k" and "old_stps.k" (k = 0 the oldest),
    /// "ro", and the float64 scalars "t", "H_diag", "prev_loss", "n_iter", "func_evals". Empty before the first iteration.
    /// </summary>
    public override Dictionary<string, Tensor> StateDict()
    {
        var s = new Dictionary<string, Tensor>();
        if (_nIter == 0 && _funcEvals == 0) return s;
        s["func_evals"] = Tensor.Scalar(_funcEvals, DType.Float64);
        s["n_iter"] = Tensor.Scalar(_nIter, DType.Float64);
        if (_d == null) return s;
        s["d"] = _d;
        s["prev_flat_grad"] = _prevFlatGrad!;
        for (int k = 0; k < _oldDirs.Count; k++) { s[$"old_dirs.{k}"] = _oldDirs[k]; s[$"old_stps.{k}"] = _oldStps[k]; }
        s["ro"] = Tensor.FromArray([.. _ro], _ro.Count);
        s["t"] = Tensor.Scalar(_t, DType.Float64);
        s["H_diag"] = Tensor.Scalar(_hDiag, DType.Float64);
        s["prev_loss"] = Tensor.Scalar(_prevLoss, DType.Float64);
        return s;
    }

    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, int stepCount)
    {
        var p0 = _params[0];
        Tensor Flat(string name)
        {
            if (!state.TryGetValue(name, out var v)) throw new ArgumentException($"LBFGS: the state has no {name}");
            if (v.Rank != 1 || v.Numel != _numel)
                throw new ArgumentException($"LBFGS: state '{name}' has shape {Shapes.Format(v.Shape)}, the parameters have {_numel} elements in all");
            return v.To(p0.DType).To(p0.Device).Clone();
        }
        double Scalar(string name) => state.TryGetValue(name, out var v) ? v.Item() : throw new ArgumentException($"LBFGS: the state has no {name}");

        _funcEvals = state.ContainsKey("func_evals") ? (int)Scalar("func_evals") : 0;
        _nIter = state.ContainsKey("n_iter") ? (int)Scalar("n_iter") : 0;
        _d = null; _prevFlatGrad = null; _oldDirs = []; _oldStps = []; _ro = []; _t = 0; _hDiag = 1; _prevLoss = 0;
        if (state.ContainsKey("d"))
        {
            _d = Flat("d");
            _prevFlatGrad = Flat("prev_flat_grad");
            for (int k = 0; state.ContainsKey($"old_dirs.{k}"); k++) { _oldDirs.Add(Flat($"old_dirs.{k}")); _oldStps.Add(Flat($"old_stps.{k}")); }
            if (!state.TryGetValue("ro", out var ro) || ro.Numel != _oldDirs.Count)
                throw new ArgumentException($"LBFGS: the state's ro does not have one entry per history pair ({_oldDirs.Count})");
            _ro = [.. ro.To(DType.Float64).ToArray<double>()];
            _t = Scalar("t"); _hDiag = Scalar("H_diag"); _prevLoss = Scalar("prev_loss");
        }
        StepCount = stepCount;
    }
}
