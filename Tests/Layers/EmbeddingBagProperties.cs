using FsCheck;
using FsCheck.Fluent;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Testing;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>
/// embedding_bag against a plain float64 loop over the bags (sum, mean, max; offsets with empty bags,
/// include_last_offset, 2-D input, per-sample weights, padding_idx, negative ones too) and its backward (weight and
/// per-sample weights) against central differences.
/// </summary>
public class EmbeddingBagProperties
{
    public sealed record BagCase(Spec Weight, int[] Indices, int[]? Offsets, int Width, string Mode, Spec? PerSample,
        bool IncludeLast, int? PaddingIdx, ulong Seed)
    {
        public Tensor Input => Offsets == null ? Tensor.FromArray(Indices, Indices.Length / Width, Width) : Tensor.FromArray(Indices, Indices.Length);

        public Tensor Call(Tensor weight, Tensor? perSample) => F.EmbeddingBag(Input, weight,
            Offsets == null ? null : Tensor.FromArray(Offsets, Offsets.Length), mode: Mode, perSampleWeights: perSample,
            includeLastOffset: IncludeLast, paddingIdx: PaddingIdx);

        public override string ToString() =>
            $"{Mode} weight {Weight} indices [{string.Join(", ", Indices)}] " + (Offsets == null ? $"2-D width {Width}" : $"offsets [{string.Join(", ", Offsets)}]") +
            $" per_sample {PerSample?.ToString() ?? "none"} include_last {IncludeLast} padding_idx {PaddingIdx?.ToString() ?? "none"} seed {Seed}";
    }

    private static readonly Gen<BagCase> Cases =
        from n in Gen.Choose(1, 6)
        from dim in Gen.Choose(1, 3)
        from weight in EngineGen.DistinctValues([n, dim])
        from twoD in Gen.Frequency((1, Gen.Constant(true)), (2, Gen.Constant(false)))
        from bagCount in Gen.Choose(twoD ? 1 : 0, 4)
        from lengths in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0)), (4, Gen.Choose(1, 4))), bagCount)
        from width in Gen.Choose(1, 3)
        let bags = lengths.Length
        let total = twoD ? bags * width : lengths.Sum()
        from indices in Gen.ArrayOf(Gen.Choose(0, n - 1), total)
        from mode in Gen.Elements("sum", "mean", "max")
        from includeLast in Gen.Elements(false, twoD ? false : true)
        from usePs in Gen.Elements(false, mode == "sum")
        from ps in EngineGen.Values(twoD ? [bagCount, width] : [total], EngineGen.Uniform(-2, 2))
        from pad in Gen.Frequency((2, Gen.Constant<int?>(null)), (1, Gen.Choose(-n, n - 1).Select(p => (int?)p)))
        from seed in EngineGen.Seed
        let starts = lengths.Select((_, b) => lengths.Take(b).Sum()).ToArray()
        let offsets = twoD ? null : includeLast ? [.. starts, total] : starts
        select new BagCase(weight, indices, offsets, twoD ? width : 1, mode, usePs ? ps : null, includeLast && !twoD, pad, seed);

    /// <summary>The definition, bag by bag: the positions of each bag except those holding the padding row.</summary>
    private static Nd Reference(BagCase c)
    {
        int n = c.Weight.Shape[0], dim = c.Weight.Shape[1], t = c.Indices.Length;
        int? pad = c.PaddingIdx is int p ? (p < 0 ? p + n : p) : null;
        List<(int Start, int End)> bags = [];
        if (c.Offsets == null)
            for (int s = 0; s < t; s += c.Width) bags.Add((s, s + c.Width));
        else
        {
            int nb = c.IncludeLast ? c.Offsets.Length - 1 : c.Offsets.Length;
            for (int b = 0; b < nb; b++) bags.Add((c.Offsets[b], b + 1 < c.Offsets.Length ? c.Offsets[b + 1] : t));
        }
        var y = new double[bags.Count * dim];
        for (int b = 0; b < bags.Count; b++)
        {
            var members = Enumerable.Range(bags[b].Start, bags[b].End - bags[b].Start).Where(i => c.Indices[i] != pad).ToList();
            for (int j = 0; j < dim; j++)
            {
                var vals = members.Select(i => c.Weight.Values[c.Indices[i] * dim + j] * (c.PerSample?.Values[i] ?? 1)).ToList();
                y[b * dim + j] = vals.Count == 0 ? 0 : c.Mode switch { "sum" => vals.Sum(), "mean" => vals.Sum() / vals.Count, _ => vals.Max() };
            }
        }
        return new Nd([bags.Count, dim], y);
    }

    [FsCheck.NUnit.Property(MaxTest = 150)]
    public Property EmbeddingBagMatchesTheDefinition() => Prop.ForAll(Cases.ToArbitrary(), c =>
    {
        var expected = Reference(c);
        Expect.Close(c.Call(c.Weight.Tensor(), c.PerSample?.Tensor()), expected, 1e-12, 1e-12, "embedding_bag");
        Expect.Close(c.Call(c.Weight.Tensor(DType.Float32), c.PerSample?.Tensor(DType.Float32)).To(DType.Float64), expected, 1e-5, 1e-5, "embedding_bag float32");
        if (expected.Data.Length == 0) return;
        Tensor[] inputs = c.PerSample is Spec ps ? [c.Weight.Tensor(), ps.Tensor()] : [c.Weight.Tensor()];
        Expect.Grad("embedding_bag", t => c.Call(t[0], t.Length > 1 ? t[1] : null), c.Seed, inputs);
    });
}
