using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// Layer normalisation as torch.nn.functional.layer_norm: statistics over the last D = normalizedShape.Length
    /// dims of <paramref name="input"/>, which must equal <paramref name="normalizedShape"/>; μ and the biased σ²
    /// (over the M elements of those dims), x̂ = (x − μ)/√(σ² + ε), y = x̂·γ + β with γ (<paramref name="weight"/>)
    /// and β (<paramref name="bias"/>) of shape normalizedShape, either of them optional.
    /// The forward composes existing ops (no kernel of its own, so every backend runs it) and records one node whose
    /// backward is closed-form: with g' = g·γ, dx = (g' − mean(g') − x̂·mean(g'·x̂))/√(σ² + ε) (the means over the
    /// normalised dims), dγ = Σ_batch g·x̂, dβ = Σ_batch g.
    /// Empty batch dims give an empty output; so does M = 0 (a normalised dim of size 0), as in PyTorch.
    /// </summary>
    public static Tensor LayerNorm(Tensor input, int[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        const string op = "layer_norm";
        Ops.CheckFloating(op, input);
        ArgumentNullException.ThrowIfNull(normalizedShape);
        int d = normalizedShape.Length;
        if (d == 0)
            throw new ArgumentException($"{op}: expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = []");
        if (input.Rank < d || !Shapes.SameShape(input.Shape[(input.Rank - d)..], normalizedShape))
            throw new ArgumentException($"{op}: given normalized_shape={Shapes.Format(normalizedShape)}, expected input with shape [*, {string.Join(", ", normalizedShape)}], but got input of size {Shapes.Format(input.Shape)}");
        foreach (var (name, t) in new[] { ("weight", weight), ("bias", bias) })
        {
            if (t == null) continue;
            Ops.CheckPair(op, input, t);
            if (!Shapes.SameShape(t.Shape, normalizedShape))
                throw new ArgumentException($"{op}: expected {name} to be of same shape as normalized_shape, but got {name} of shape {Shapes.Format(t.Shape)} and normalized_shape = {Shapes.Format(normalizedShape)}");
        }

        var batchAxes = Enumerable.Range(0, input.Rank - d).ToArray();
        var (xhat, invStd) = NormalizeTrailing(input, d, eps);
        Tensor y;
        using (Tensor.NoGrad()) y = Affine(xhat, weight, bias);
        return RecordNormalization(op, y, input, weight, bias, xhat, invStd, d,
            dy => dy,
            g => g,
            g => SumOver(g * xhat, batchAxes),
            g => SumOver(g, batchAxes));
    }

    /// <summary>
    /// Group normalisation as torch.nn.functional.group_norm: input [N, C, *] with C divisible by
    /// <paramref name="numGroups"/> = G; μ and the biased σ² per sample and group, over its C/G channels and all their
    /// positions; x̂ = (x − μ)/√(σ² + ε), y = x̂·γ[c] + β[c] with γ, β of shape [C] (optional).
    /// The same normalisation as <see cref="LayerNorm"/> on the view [N, G, C/G·positions] (over its last dim), with a
    /// per-channel affine part: dx = (g' − mean(g') − x̂·mean(g'·x̂))/√(σ² + ε) with g' = g·γ[c] and the means over each
    /// (sample, group); dγ[c] = Σ g·x̂ and dβ[c] = Σ g over the samples and positions of channel c.
    /// </summary>
    public static Tensor GroupNorm(Tensor input, int numGroups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        const string op = "group_norm";
        Ops.CheckFloating(op, input);
        if (input.Rank < 2)
            throw new ArgumentException($"{op}: expected at least 2 dimensions for input tensor [N, C, *] but received {input.Rank} (shape {Shapes.Format(input.Shape)})");
        int n = input.Size(0), c = input.Size(1);
        if (numGroups < 1)
            throw new ArgumentException($"{op}: num_groups must be positive, got {numGroups}");
        if (c % numGroups != 0)
            throw new ArgumentException($"{op}: expected number of channels in input to be divisible by num_groups, but got input of shape {Shapes.Format(input.Shape)} ({c} channels) and num_groups={numGroups}");
        foreach (var (name, t) in new[] { ("weight", weight), ("bias", bias) })
        {
            if (t == null) continue;
            Ops.CheckPair(op, input, t);
            if (t.Rank != 1 || t.Size(0) != c)
                throw new ArgumentException($"{op}: expected {name} to be a vector of size equal to the number of channels in input, but got {name} of shape {Shapes.Format(t.Shape)} and input of shape {Shapes.Format(input.Shape)}");
        }

        var shape = input.ShapeCopy();
        int rest = (c / numGroups) * shape.Skip(2).Aggregate(1, (a, b) => a * b);
        int[] grouped = [n, numGroups, rest];
        // γ and β as [C, 1, ...] (rank − 1 axes): they broadcast against [N, C, *] per channel.
        var channelShape = Enumerable.Repeat(1, input.Rank - 1).ToArray();
        channelShape[0] = c;
        var reduceAxes = Enumerable.Range(0, input.Rank).Where(a => a != 1).ToArray();

        Tensor xg;
        using (Tensor.NoGrad()) xg = input.Detach().Reshape(grouped);
        var (xhatG, invStd) = NormalizeTrailing(xg, 1, eps);
        Tensor xhat, y;
        using (Tensor.NoGrad())
        {
            xhat = xhatG.Reshape(shape);
            y = Affine(xhat, weight?.Reshape(channelShape), bias?.Reshape(channelShape));
        }
        return RecordNormalization(op, y, input, weight, bias, xhatG, invStd, 1,
            dy => dy.Reshape(grouped),
            dx => dx.Reshape(shape),
            g => (g * xhat).Sum(reduceAxes),
            g => g.Sum(reduceAxes),
            w => w.Reshape(channelShape));
    }

    /// <summary>
    /// The normalisation core shared by layer and group norm: x̂ = (x − μ)/√(σ² + ε) with μ and the biased σ² over the
    /// last <paramref name="dims"/> axes (two passes: the mean, then the squared deviations), and 1/√(σ² + ε) with
    /// those axes kept as size 1. Composed of existing ops under no-grad.
    /// </summary>
    private static (Tensor XHat, Tensor InvStd) NormalizeTrailing(Tensor x, int dims, double eps)
    {
        var axes = Enumerable.Range(x.Rank - dims, dims).ToArray();
        using (Tensor.NoGrad())
        {
            var centered = x - x.Mean(axes, keepDim: true);
            var invStd = (centered.Square().Mean(axes, keepDim: true) + eps).Sqrt().Reciprocal();
            return (centered * invStd, invStd);
        }
    }

    /// <summary>The backward of <see cref="NormalizeTrailing"/>: dx = invStd·(g' − mean(g') − x̂·mean(g'·x̂)), the means
    /// over the last <paramref name="dims"/> axes, g' the gradient with respect to x̂.</summary>
    private static Tensor NormalizeTrailingBackward(Tensor gHat, Tensor xhat, Tensor invStd, int dims)
    {
        var axes = Enumerable.Range(xhat.Rank - dims, dims).ToArray();
        return invStd * (gHat - gHat.Mean(axes, keepDim: true) - xhat * (gHat * xhat).Mean(axes, keepDim: true));
    }

    private static Tensor Affine(Tensor xhat, Tensor? weight, Tensor? bias)
    {
        var y = weight != null ? xhat * weight : xhat;
        return bias != null ? y + bias : y;
    }

    /// <summary>Σ over <paramref name="axes"/>; none (the input has no batch dims) leaves the tensor as it is.</summary>
    private static Tensor SumOver(Tensor t, int[] axes) => axes.Length == 0 ? t : t.Sum(axes);

    /// <summary>
    /// Records the one node of a normalisation: the gradient g of y goes to x̂'s layout (<paramref name="toCore"/>),
    /// is multiplied by γ (laid out by <paramref name="weightLayout"/>) to give g', passes the core's backward and
    /// returns to the input's layout (<paramref name="fromCore"/>); dγ and dβ come from their closures.
    /// </summary>
    private static Tensor RecordNormalization(string op, Tensor y, Tensor input, Tensor? weight, Tensor? bias,
        Tensor xhatCore, Tensor invStd, int dims, Func<Tensor, Tensor> toCore, Func<Tensor, Tensor> fromCore,
        Func<Tensor, Tensor> weightGrad, Func<Tensor, Tensor> biasGrad, Func<Tensor, Tensor>? weightLayout = null)
    {
        bool needX = input.RequiresGrad, needW = weight?.RequiresGrad ?? false, needB = bias?.RequiresGrad ?? false;
        var inputs = new List<Tensor> { input };
        if (weight != null) inputs.Add(weight);
        if (bias != null) inputs.Add(bias);
        var w = weight?.Detach();
        return Graph.Record(y, op, inputs.ToArray(), dy =>
        {
            var grads = new List<Tensor?>();
            if (needX)
            {
                var gHat = w != null ? dy * (weightLayout?.Invoke(w) ?? w) : dy;
                grads.Add(fromCore(NormalizeTrailingBackward(toCore(gHat), xhatCore, invStd, dims)));
            }
            else grads.Add(null);
            if (weight != null) grads.Add(needW ? weightGrad(dy) : null);
            if (bias != null) grads.Add(needB ? biasGrad(dy) : null);
            return grads.ToArray();
        }, w == null ? [xhatCore, invStd] : [xhatCore, invStd, w]);
    }
}
