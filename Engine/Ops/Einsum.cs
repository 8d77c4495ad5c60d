namespace Pade.Engine;

/// <summary>
/// torch.einsum as a composition of views, sums and <see cref="MatMul"/>, so autograd comes free. Each operand's
/// repeated subscripts are taken as diagonals, then it is viewed in one common layout holding every label (the
/// ellipsis dims first, then the letters; size 1 where the operand lacks a label, which broadcasts). Operands are
/// contracted left to right: labels neither in the output nor in a later operand are summed away, inside a batched
/// MatMul when both sides hold them. Finally labels not in the output are summed and the rest permuted into the
/// output's order.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>
    /// torch.einsum(equation, *operands): subscripts are letters [a-zA-Z], one per dim, with at most one "..." per
    /// operand standing for its remaining dims (broadcast across operands, aligned on the right); spaces are ignored.
    /// With "->" the output is given explicitly; without it, it is the ellipsis dims then the letters that appear exactly
    /// once, in order (A–Z before a–z, as PyTorch). A letter repeated in one operand takes its diagonal; letters absent
    /// from the output are summed. Dims of one label must have equal sizes or size 1 (which broadcasts).
    /// </summary>
    public static Tensor Einsum(string equation, params Tensor[] operands)
    {
        ArgumentNullException.ThrowIfNull(equation);
        ArgumentNullException.ThrowIfNull(operands);
        if (operands.Length == 0) throw new ArgumentException("einsum(): must provide at least one operand");
        for (int i = 1; i < operands.Length; i++) Ops.CheckPair("einsum()", operands[0], operands[i]);
        Ops.CheckFloating("einsum()", operands[0]);

        // Parse: each operand's labels (≥ 0 a letter index A–Z = 0..25, a–z = 26..51; Ellipsis for "...").
        int arrow = equation.IndexOf("->", StringComparison.Ordinal);
        string lhs = arrow < 0 ? equation : equation[..arrow];
        var terms = lhs.Split(',');
        if (terms.Length > operands.Length) throw new ArgumentException("einsum(): fewer operands were provided than specified in the equation");
        if (terms.Length < operands.Length) throw new ArgumentException("einsum(): more operands were provided than specified in the equation");
        var parsed = new List<int>[terms.Length];
        int offset = 0;
        for (int t = 0; t < terms.Length; t++)
        {
            parsed[t] = ParseTerm(terms[t], offset, $"operand {t}");
            offset += terms[t].Length + 1;
        }
        List<int>? explicitOut = arrow < 0 ? null : ParseTerm(equation[(arrow + 2)..], arrow + 2, "output");

        // Check ranks and count the ellipsis dims.
        int ellDims = 0;
        for (int t = 0; t < terms.Length; t++)
        {
            int letters = parsed[t].Count(l => l != Ellipsis), rank = operands[t].Rank;
            bool hasEll = parsed[t].Contains(Ellipsis);
            if (!hasEll && letters != rank)
                throw new ArgumentException($"einsum(): the number of subscripts in the equation ({letters}) does not match the number of dimensions ({rank}) for operand {t} and no ellipsis was given");
            if (hasEll && letters > rank)
                throw new ArgumentException($"einsum(): the number of subscripts in the equation ({letters}) is more than the number of dimensions ({rank}) for operand {t}");
            if (hasEll) ellDims = Math.Max(ellDims, rank - letters);
        }

        // Common layout: ellipsis dims 0..E−1, then the letters in index order.
        var counts = new int[52];
        foreach (var p in parsed) foreach (int l in p) if (l != Ellipsis) counts[l]++;
        var letterAt = Enumerable.Range(0, 52).Where(l => counts[l] > 0).ToArray();
        int dims = ellDims + letterAt.Length;
        int Slot(int label) => ellDims + Array.IndexOf(letterAt, label);

        // Output slots, in output order.
        int[] outSlots;
        if (explicitOut is null)
            outSlots = [.. Enumerable.Range(0, ellDims), .. letterAt.Where(l => counts[l] == 1).Select(Slot)];
        else
        {
            var slots = new List<int>();
            var seen = new HashSet<int>();
            foreach (int l in explicitOut)
            {
                if (l == Ellipsis) { slots.AddRange(Enumerable.Range(0, ellDims)); continue; }
                if (!seen.Add(l)) throw new ArgumentException($"einsum(): output subscript {LabelChar(l)} appears more than once in the output");
                if (counts[l] == 0) throw new ArgumentException($"einsum(): output subscript {LabelChar(l)} does not appear in the equation for any input operand");
                slots.Add(Slot(l));
            }
            outSlots = [.. slots];
        }

        // Each operand in the common layout: diagonals of repeated labels, then permuted and padded with size-1 dims.
        var views = new Tensor[operands.Length];
        for (int t = 0; t < operands.Length; t++)
            views[t] = ToCommonLayout(operands[t], parsed[t], t, ellDims, dims, Slot);

        // Every label's size: equal across operands or 1.
        var sizes = new int[dims];
        Array.Fill(sizes, 1);
        foreach (var v in views)
            for (int d = 0; d < dims; d++)
            {
                int s = v._shape[d];
                if (s == 1) continue;
                if (sizes[d] != 1 && sizes[d] != s)
                    throw new ArgumentException("einsum(): operands do not broadcast with remapped shapes [original->remapped]: " +
                                                string.Join(" ", operands.Select((o, i) => $"{Shapes.Format(o._shape)}->{Shapes.Format(views[i]._shape)}")));
                sizes[d] = s;
            }

        // Left to right: a label is kept while the output or a later operand still needs it.
        var inOutput = new bool[dims];
        foreach (int s in outSlots) inOutput[s] = true;
        var result = views[0];
        for (int t = 1; t < views.Length; t++)
        {
            var needed = (bool[])inOutput.Clone();
            for (int u = t + 1; u < views.Length; u++)
                for (int d = 0; d < dims; d++) if (views[u]._shape[d] != 1) needed[d] = true;
            result = ContractPair(result, views[t], needed);
        }
        var rest = Enumerable.Range(0, dims).Where(d => !inOutput[d] && result._shape[d] != 1).ToArray();
        if (rest.Length > 0) result = result.Sum(rest, keepDim: true);
        // Dims not in the output are size 1 now: permute the output's to the front, then drop the others.
        var order = outSlots.Concat(Enumerable.Range(0, dims).Where(d => !inOutput[d])).ToArray();
        return result.Permute(order).Reshape([.. outSlots.Select(d => result._shape[d])]);
    }

    private const int Ellipsis = -1;

    private static char LabelChar(int l) => l < 26 ? (char)('A' + l) : (char)('a' + l - 26);

    /// <summary>The labels of one term, spaces skipped; PyTorch's messages for a bad character or ellipsis.</summary>
    private static List<int> ParseTerm(string term, int offset, string what)
    {
        var labels = new List<int>();
        bool ell = false;
        for (int i = 0; i < term.Length; i++)
        {
            char c = term[i];
            if (c == ' ') continue;
            if (c == '.')
            {
                bool output = what == "output";
                if (ell) throw new ArgumentException(output ? "einsum(): found '.' for output but an ellipsis (...) was already found"
                                                            : $"einsum(): found '.' for {what} for which an ellipsis was already found");
                if (i + 2 >= term.Length || term[i + 1] != '.' || term[i + 2] != '.')
                    throw new ArgumentException($"einsum(): found '.' for {what} that is not part of any ellipsis{(output ? " (...)" : "")}");
                ell = true;
                labels.Add(Ellipsis);
                i += 2;
                continue;
            }
            if (c is >= 'A' and <= 'Z') labels.Add(c - 'A');
            else if (c is >= 'a' and <= 'z') labels.Add(c - 'a' + 26);
            else throw new ArgumentException($"einsum(): invalid subscript given at index {offset + i} in the equation string, subscripts must be in [a-zA-Z]");
        }
        return labels;
    }

    /// <summary>One operand in the common layout: each repeated label's dims replaced by their diagonal, the ellipsis
    /// dims right-aligned into slots 0..E−1, letters to their slots, absent labels size 1.</summary>
    private static Tensor ToCommonLayout(Tensor x, List<int> labels, int t, int ellDims, int dims, Func<int, int> slot)
    {
        // Expand the ellipsis into per-dim pseudo labels: −(k+2) for ellipsis dim k of the common layout.
        int letters = labels.Count(l => l != Ellipsis), ellHere = x.Rank - letters;
        var dimLabels = new List<int>();
        foreach (int l in labels)
            if (l == Ellipsis) for (int k = 0; k < ellHere; k++) dimLabels.Add(-(ellDims - ellHere + k + 2));
            else dimLabels.Add(l);
        // Diagonals: a repeated label's two dims become one (Diagonal puts it last).
        for (int i = 0; i < dimLabels.Count; i++)
            for (int j = i + 1; j < dimLabels.Count; j++)
            {
                if (dimLabels[i] != dimLabels[j] || dimLabels[i] < 0) continue;
                if (x._shape[i] != x._shape[j])
                    throw new ArgumentException($"einsum(): subscript {LabelChar(dimLabels[i])} is repeated for operand {t} but the sizes don't match, {x._shape[i]} != {x._shape[j]}");
                x = x.Diagonal(0, i, j);
                int label = dimLabels[i];
                dimLabels.RemoveAt(j);
                dimLabels.RemoveAt(i);
                dimLabels.Add(label);
                i = -1;
                break;
            }
        int SlotOf(int l) => l < 0 ? -l - 2 : slot(l);
        var perm = Enumerable.Range(0, dimLabels.Count).OrderBy(i => SlotOf(dimLabels[i])).ToArray();
        var shape = Enumerable.Repeat(1, dims).ToArray();
        foreach (int i in perm) shape[SlotOf(dimLabels[i])] = x._shape[i];
        return x.Permute(perm).Reshape(shape);
    }

    /// <summary>
    /// a and b in the common layout, contracted over the labels not <paramref name="needed"/> later: such a label held
    /// by both is a MatMul's inner dim, one held by one side only is summed there first; needed labels held by both are
    /// the MatMul's batch, by one side its rows or columns. The result is again in the common layout.
    /// </summary>
    private static Tensor ContractPair(Tensor a, Tensor b, bool[] needed)
    {
        int dims = needed.Length;
        var onlyA = Enumerable.Range(0, dims).Where(d => !needed[d] && a._shape[d] != 1 && b._shape[d] == 1).ToArray();
        var onlyB = Enumerable.Range(0, dims).Where(d => !needed[d] && b._shape[d] != 1 && a._shape[d] == 1).ToArray();
        if (onlyA.Length > 0) a = a.Sum(onlyA, keepDim: true);
        if (onlyB.Length > 0) b = b.Sum(onlyB, keepDim: true);
        var batch = new List<int>();
        var rows = new List<int>();
        var cols = new List<int>();
        var inner = new List<int>();
        for (int d = 0; d < dims; d++)
        {
            bool inA = a._shape[d] != 1, inB = b._shape[d] != 1;
            if (!inA && !inB) continue;
            if (!needed[d]) inner.Add(d);
            else if (inA && inB) batch.Add(d);
            else if (inA) rows.Add(d);
            else cols.Add(d);
        }
        int Size(Tensor x, List<int> ds) => ds.Aggregate(1, (n, d) => n * x._shape[d]);
        var unused = Enumerable.Range(0, dims).Where(d => !batch.Contains(d) && !rows.Contains(d) && !cols.Contains(d) && !inner.Contains(d));
        int nb = Size(a, batch), m = Size(a, rows), k = Size(a, inner), n = Size(b, cols);
        var a3 = a.Permute([.. batch, .. rows, .. inner, .. unused, .. cols]).Reshape(nb, m, k);
        var b3 = b.Permute([.. batch, .. inner, .. cols, .. unused, .. rows]).Reshape(nb, k, n);
        var c = MatMul(a3, b3);
        // [batch, rows, cols] back to the common layout: the kept labels in slot order, then size-1 dims between.
        int[] kept = [.. batch, .. rows, .. cols];
        var sizes = Enumerable.Repeat(1, dims).ToArray();
        foreach (int d in batch) sizes[d] = a._shape[d];
        foreach (int d in rows) sizes[d] = a._shape[d];
        foreach (int d in cols) sizes[d] = b._shape[d];
        var byOrder = Enumerable.Range(0, kept.Length).OrderBy(i => kept[i]).ToArray();
        return c.Reshape([.. kept.Select(d => sizes[d])]).Permute(byOrder).Reshape(sizes);
    }
}
