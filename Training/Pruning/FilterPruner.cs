using Pade.Engine;
using Pade.Layers;

namespace Pade.Training.Pruning;

/// <summary>
/// Filter pruning of the convolutions by zero masks (paper §4.4 and A.4.3, after Frankle and Carbin's lottery
/// ticket): every convolution weight (a 4-D parameter [out, in, kh, kw]) keeps a mask over its <c>out</c> filters.
/// </summary>
/// <remarks>
/// <para>Pruning a filter here means zeroing it and keeping it zero: the mask is applied once before training and
/// again after every optimizer step (the gradient still flows into a pruned filter, and Adam's moments may move it,
/// so a single zeroing would not last). The tensors keep their shapes, so the network is not faster; the point is
/// to measure accuracy against the fraction of filters removed, as the paper's Fig. 4 does. A pruned filter's bias
/// is zeroed too; a following batch norm still adds its shift β, so the channel becomes a constant rather than
/// vanishing.</para>
/// <para>Selection: at each iteration every convolution loses <c>fraction</c> of its original filters, those of
/// lowest L1 norm Σ|w| among the ones still alive (ties by index).</para>
/// </remarks>
public sealed class FilterPruner
{
    /// <summary>Alive flags per convolution weight, by parameter name.</summary>
    public Dictionary<string, bool[]> Masks { get; } = new(StringComparer.Ordinal);

    /// <summary>The convolution weights of a model: its 4-D parameters, by name.</summary>
    public static IEnumerable<(string Name, Tensor Weight)> Convolutions(Module model) =>
        model.NamedParameters().Where(p => p.Parameter.Rank == 4);

    /// <summary>Removes a further <paramref name="fraction"/> of each convolution's filters (of its original
    /// count, at least one while any is left) from the trained <paramref name="model"/>: the lowest L1 norms.</summary>
    public void PruneStep(Module model, double fraction)
    {
        if (fraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the fraction must lie in (0, 1)");
        foreach (var (name, w) in Convolutions(model))
        {
            int filters = w.Size(0);
            if (!Masks.TryGetValue(name, out var alive)) Masks[name] = alive = Enumerable.Repeat(true, filters).ToArray();
            var norms = L1PerFilter(w);
            int remove = Math.Max(1, (int)Math.Round(fraction * filters));
            var order = Enumerable.Range(0, filters).Where(f => alive[f]).OrderBy(f => norms[f]).ThenBy(f => f).ToList();
            // Keep at least one filter: a convolution with none would cut the network in two.
            foreach (int f in order.Take(Math.Min(remove, order.Count - 1))) alive[f] = false;
        }
    }

    static double[] L1PerFilter(Tensor w)
    {
        var values = w.Detach().To(DType.Float64).ToArray<double>();
        int filters = w.Size(0), per = values.Length / filters;
        var norms = new double[filters];
        for (int f = 0; f < filters; f++)
        {
            double s = 0;
            for (int k = 0; k < per; k++) s += Math.Abs(values[f * per + k]);
            norms[f] = s;
        }
        return norms;
    }

    /// <summary>The fraction of all convolution filters that are pruned.</summary>
    public double PrunedFraction => Masks.Count == 0 ? 0 : 1 - (double)Masks.Values.Sum(m => m.Count(a => a)) / Masks.Values.Sum(m => m.Length);

    /// <summary>Binds the masks to <paramref name="model"/>'s tensors; the returned action zeroes the pruned filters
    /// (call it before training and after each step).</summary>
    public Action<Module> Bind(Module model)
    {
        var byName = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter, StringComparer.Ordinal);
        var targets = new List<(Tensor Param, Tensor Mask)>();
        foreach (var (name, alive) in Masks)
        {
            if (!byName.TryGetValue(name, out var w)) throw new InvalidOperationException($"pruning mask for '{name}', which the model lacks");
            if (alive.All(a => a)) continue;
            var m = alive.Select(a => a ? 1f : 0f).ToArray();
            targets.Add((w, Tensor.FromArray(m, m.Length, 1, 1, 1).To(w.DType).To(w.Device)));
            string bias = name[..^"weight".Length] + "bias";
            if (name.EndsWith("weight", StringComparison.Ordinal) && byName.TryGetValue(bias, out var b) && b.Rank == 1 && b.Size(0) == m.Length)
                targets.Add((b, Tensor.FromArray(m, m.Length).To(b.DType).To(b.Device)));
        }
        return _ =>
        {
            using var __ = Tensor.NoGrad();
            foreach (var (p, mask) in targets) p.CopyFrom(p * mask);
        };
    }
}
