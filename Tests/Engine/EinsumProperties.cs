using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Testing;

namespace Pade.Tests.Engine;

/// <summary>One random einsum: each operand's subscripts ('.' stands for "...") and values; the output subscripts
/// when explicit (null: implicit); the equation as written (with stray spaces).</summary>
public sealed record EinsumCase(string[] Terms, string? Output, Spec[] Operands, string Equation, ulong Seed)
{
    public override string ToString() => $"\"{Equation}\" on {string.Join(" | ", Operands.Select(o => o.ToString()))}, seed {Seed}";
}

public static class EinsumGen
{
    private const string Letters = "abcijBZ";

    /// <summary>1 to 3 operands over a few letters (upper and lower case, sizes 0..3), up to 3 letters each with
    /// repeats (diagonals), an ellipsis of up to 2 dims now and then (right-aligned, size-1 dims broadcasting), and a
    /// label's dim set to 1 in some operand (broadcasting too); the output implicit or a random subset in random order.</summary>
    public static readonly Gen<EinsumCase> Case =
        from sizes in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Constant(1)), (4, Gen.Choose(2, 3))), Letters.Length)
        from ellShape in Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Choose(1, 2))).SelectMany(r => Gen.ArrayOf(Gen.Choose(1, 3), r))
        from n in Gen.Choose(1, 3)
        from specs in Gen.ArrayOf(Operand(sizes, ellShape), n)
        from explicitOut in Gen.Elements(false, true, true)
        from outOrder in Gen.Shuffle(Letters.ToCharArray())
        from keep in Gen.ArrayOf(Gen.Elements(false, true), Letters.Length)
        from outEll in Gen.Elements(false, true)
        from spaces in Gen.ArrayOf(Gen.Frequency((6, Gen.Constant("")), (1, Gen.Constant(" "))), 40)
        from seed in EngineGen.Seed
        let terms = specs.Select(s => s.Term).ToArray()
        let used = string.Concat(terms).Where(char.IsLetter).Distinct().ToHashSet()
        let anyEll = terms.Any(t => t.Contains('.'))
        let output = explicitOut
            ? (outEll && anyEll ? "." : "") + string.Concat(outOrder.Where((ch, i) => used.Contains(ch) && keep[i]))
            : null
        let text = string.Join(",", terms.Select(t => t.Replace(".", "..."))) + (output is null ? "" : "->" + output.Replace(".", "..."))
        select new EinsumCase(terms, output, [.. specs.Select(s => s.Values)], Spaced(text, spaces), seed);

    private static string Spaced(string text, string[] spaces) =>
        string.Concat(text.Select((ch, i) => (ch == '.' || ch == '>' || ch == '-' ? "" : spaces[i % spaces.Length]) + ch));

    private static Gen<(string Term, Spec Values)> Operand(int[] sizes, int[] ellShape) =>
        from rank in Gen.Choose(0, 3)
        from letters in Gen.ArrayOf(Gen.Elements(Letters.ToCharArray()), rank)
        from ell in Gen.Frequency((1, Gen.Constant(-1)), (1, Gen.Choose(0, rank)))
        from ellDrop in Gen.Choose(0, ellShape.Length)
        from ellOnes in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false))), ellShape.Length)
        from oneLetter in Gen.Frequency((3, Gen.Constant('-')), (1, Gen.Elements(Letters.ToCharArray())))
        let term = ell < 0 ? new string(letters) : new string(letters[..ell]) + "." + new string(letters[ell..])
        let ellDims = ellShape.Skip(ellDrop).Select((d, i) => ellOnes[i + ellDrop] ? 1 : d).ToArray()
        let shape = term.SelectMany(ch => ch == '.' ? ellDims : [ch == oneLetter ? 1 : sizes[Letters.IndexOf(ch)]]).ToArray()
        from values in EngineGen.Values(shape, EngineGen.Uniform(-2, 2))
        select (term, values);
}

/// <summary>
/// Random einsum equations against a loop over every assignment of the labels (the definition: multiply the operands'
/// elements, add into the output element), and gradients against central differences; PyTorch's error messages.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(EngineArbitraries)], MaxTest = 150)]
public class EinsumProperties
{
    private static int LabelOrder(char ch) => char.IsUpper(ch) ? ch - 'A' : 26 + ch - 'a';

    /// <summary>The definition, as a loop: ellipsis dims (right-aligned, size 1 broadcasting) and letters (size 1
    /// broadcasting) each range over their size; each assignment adds Π operands to its output element.</summary>
    public static Nd Reference(EinsumCase c)
    {
        int ellDims = 0;
        for (int t = 0; t < c.Terms.Length; t++)
            if (c.Terms[t].Contains('.')) ellDims = Math.Max(ellDims, c.Operands[t].Rank - (c.Terms[t].Length - 1));
        var letters = string.Concat(c.Terms).Where(char.IsLetter).Distinct().OrderBy(LabelOrder).ToArray();
        var size = new Dictionary<string, int>();
        void See(string key, int s) { if (!size.TryGetValue(key, out int have) || have == 1) size[key] = s; }
        foreach (var ch in letters) size[ch.ToString()] = 1;
        for (int e = 0; e < ellDims; e++) size["." + e] = 1;
        var dimKeys = new List<string>[c.Terms.Length];
        for (int t = 0; t < c.Terms.Length; t++)
        {
            var keys = new List<string>();
            int ellHere = c.Operands[t].Rank - (c.Terms[t].Length - 1);
            foreach (char ch in c.Terms[t])
                if (ch == '.') for (int k = 0; k < ellHere; k++) keys.Add("." + (ellDims - ellHere + k));
                else keys.Add(ch.ToString());
            dimKeys[t] = keys;
            for (int d = 0; d < keys.Count; d++) See(keys[d], c.Operands[t].Shape[d]);
        }
        string[] outKeys = c.Output is null
            ? [.. Enumerable.Range(0, ellDims).Select(e => "." + e), .. letters.Where(ch => string.Concat(c.Terms).Count(x => x == ch) == 1).Select(ch => ch.ToString())]
            : [.. c.Output.SelectMany(ch => ch == '.' ? Enumerable.Range(0, ellDims).Select(e => "." + e) : [ch.ToString()])];
        var allKeys = size.Keys.ToArray();
        var allShape = allKeys.Select(k => size[k]).ToArray();
        var outShape = outKeys.Select(k => size[k]).ToArray();
        var result = new double[Nd.Count(outShape)];
        var operands = c.Operands.Select(Nd.Of).ToArray();
        for (int flat = 0; flat < Nd.Count(allShape); flat++)
        {
            var assign = Nd.Unravel(flat, allShape);
            int Of(string key) => assign[Array.IndexOf(allKeys, key)];
            double p = 1;
            for (int t = 0; t < operands.Length; t++)
                p *= operands[t][[.. dimKeys[t].Select((k, d) => operands[t].Shape[d] == 1 ? 0 : Of(k))]];
            result[outShape.Length == 0 ? 0 : Nd.Ravel([.. outKeys.Select(Of)], outShape)] += p;
        }
        return new Nd(outShape, result);
    }

    [FsCheck.NUnit.Property]
    public Property MatchesTheLoop() => Prop.ForAll(EinsumGen.Case.ToArbitrary(), c =>
    {
        var expected = Reference(c);
        Expect.Close(Tensor.Einsum(c.Equation, [.. c.Operands.Select(o => o.Tensor())]), expected, 1e-12, 1e-12, $"einsum \"{c.Equation}\"");
        Expect.Grad($"einsum \"{c.Equation}\"", xs => Tensor.Einsum(c.Equation, xs), c.Seed, [.. c.Operands.Select(o => o.Tensor())]);
    });

    /// <summary>Familiar equations give the ops they name.</summary>
    [Test]
    public void KnownEquations()
    {
        var a = Tensor.FromArray([1.0, 2, 3, 4, 5, 6], 2, 3);
        var b = Tensor.FromArray([1.0, 0, -1, 2, 0.5, 1], 3, 2);
        Assert.That(Tensor.Einsum("ij,jk->ik", a, b).ToArray<double>(), Is.EqualTo(Tensor.MatMul(a, b).ToArray<double>()));
        Assert.That(Tensor.Einsum("ij,jk", a, b).ToArray<double>(), Is.EqualTo(Tensor.MatMul(a, b).ToArray<double>()));
        Assert.That(Tensor.Einsum("ij->ji", a).ShapeCopy(), Is.EqualTo(new[] { 3, 2 }));
        Assert.That(Tensor.Einsum("ba", a).ShapeCopy(), Is.EqualTo(new[] { 3, 2 }));   // implicit: alphabetical, a then b
        Assert.That(Tensor.Einsum("ii", Tensor.FromArray([1.0, 2, 3, 4], 2, 2)).ToArray<double>(), Is.EqualTo(new[] { 5.0 }));
        Assert.That(Tensor.Einsum("ii->i", Tensor.FromArray([1.0, 2, 3, 4], 2, 2)).ToArray<double>(), Is.EqualTo(new[] { 1.0, 4 }));
        Assert.That(Tensor.Einsum("...ij->...ji", Tensor.Zeros([4, 2, 3], DType.Float64)).ShapeCopy(), Is.EqualTo(new[] { 4, 3, 2 }));
        // Ellipses of different lengths align on the right: [3] broadcasts against [2, 3].
        var x = Tensor.Arange(0, 24, 1, DType.Float64).Reshape(2, 3, 4);
        var w = Tensor.Arange(0, 12, 1, DType.Float64).Reshape(3, 4);
        Assert.That(Tensor.Einsum("...i,...i->...", x, w).ToArray<double>(), Is.EqualTo((x * w).Sum(-1).ToArray<double>()));
        Assert.That(Tensor.Einsum(" i j , j k -> i k ", a, b).ShapeCopy(), Is.EqualTo(new[] { 2, 2 }));
        Assert.That(Tensor.Einsum("Ab,bA", a, b).ShapeCopy(), Is.EqualTo(Array.Empty<int>()));
        Assert.That(Tensor.Einsum("i,j,k->ijk", Tensor.Ones([2], DType.Float64), Tensor.Ones([3], DType.Float64), Tensor.Ones([4], DType.Float64)).ShapeCopy(), Is.EqualTo(new[] { 2, 3, 4 }));
    }

    /// <summary>PyTorch's messages for bad equations.</summary>
    [Test]
    public void BadEquations()
    {
        var m = Tensor.Zeros([2, 3], DType.Float64);
        var v = Tensor.Zeros([4], DType.Float64);
        Assert.That(() => Tensor.Einsum("ij,jk", m), Throws.ArgumentException.With.Message.Contains("fewer operands were provided than specified in the equation"));
        Assert.That(() => Tensor.Einsum("ij", m, m), Throws.ArgumentException.With.Message.Contains("more operands were provided than specified in the equation"));
        Assert.That(() => Tensor.Einsum("i", m), Throws.ArgumentException.With.Message.Contains("the number of subscripts in the equation (1) does not match the number of dimensions (2) for operand 0 and no ellipsis was given"));
        Assert.That(() => Tensor.Einsum("ijk...", m), Throws.ArgumentException.With.Message.Contains("the number of subscripts in the equation (3) is more than the number of dimensions (2) for operand 0"));
        Assert.That(() => Tensor.Einsum("i1", m), Throws.ArgumentException.With.Message.Contains("invalid subscript given at index 1 in the equation string, subscripts must be in [a-zA-Z]"));
        Assert.That(() => Tensor.Einsum("i.j", m), Throws.ArgumentException.With.Message.Contains("found '.' for operand 0 that is not part of any ellipsis"));
        Assert.That(() => Tensor.Einsum("...i...", m), Throws.ArgumentException.With.Message.Contains("for which an ellipsis was already found"));
        Assert.That(() => Tensor.Einsum("ij->k", m), Throws.ArgumentException.With.Message.Contains("output subscript k does not appear in the equation for any input operand"));
        Assert.That(() => Tensor.Einsum("ij->ii", m), Throws.ArgumentException.With.Message.Contains("output subscript i appears more than once in the output"));
        Assert.That(() => Tensor.Einsum("ii", m), Throws.ArgumentException.With.Message.Contains("subscript i is repeated for operand 0 but the sizes don't match, 2 != 3"));
        Assert.That(() => Tensor.Einsum("ij,j", m, v), Throws.ArgumentException.With.Message.Contains("operands do not broadcast with remapped shapes [original->remapped]"));
        Assert.That(() => Tensor.Einsum("ij,j", m, Tensor.Zeros(3)), Throws.ArgumentException.With.Message.Contains("different dtypes"));
        Assert.That(() => Tensor.Einsum("ij->i...j...", m), Throws.ArgumentException.With.Message.Contains("found '.' for output but an ellipsis (...) was already found"));
        Assert.That(() => Tensor.Einsum("ij->i.", m), Throws.ArgumentException.With.Message.Contains("found '.' for output that is not part of any ellipsis (...)"));
        Assert.That(() => Tensor.Einsum("ij->i-", m), Throws.ArgumentException.With.Message.Contains("invalid subscript given at index 5"));
        Assert.That(() => Tensor.Einsum("i"), Throws.ArgumentException.With.Message.Contains("must provide at least one operand"));
    }
}
