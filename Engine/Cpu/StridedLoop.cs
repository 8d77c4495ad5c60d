namespace Pade.Engine.Cpu;

/// <summary>
/// Walks up to three strided operands over one shape, row by row (all axes but the last), after merging adjacent
/// axes that are contiguous for every operand: [N, C, H, W] + bias [1, C, 1, 1] becomes [N, C, H·W] with bias
/// strides (0, 1, 0), so the inner loop stays long even when W is 1.
/// </summary>
public readonly struct StridedLoop
{
    public readonly int[] Shape;
    public readonly int[][] Strides;
    public readonly long Rows;
    public readonly int Inner;

    public StridedLoop(int[] shape, params int[][] strides)
    {
        var dims = new List<int>();
        var st = strides.Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 1) continue;                       // size-1 axes do not move any pointer
            bool merge = dims.Count > 0;
            for (int k = 0; k < strides.Length && merge; k++)
                merge = st[k][^1] == strides[k][i] * shape[i];
            if (merge)
            {
                dims[^1] *= shape[i];
                for (int k = 0; k < strides.Length; k++) st[k][^1] = strides[k][i];
            }
            else
            {
                dims.Add(shape[i]);
                for (int k = 0; k < strides.Length; k++) st[k].Add(strides[k][i]);
            }
        }
        if (dims.Count == 0) { dims.Add(1); foreach (var s in st) s.Add(1); }
        Shape = dims.ToArray();
        Strides = st.Select(s => s.ToArray()).ToArray();
        Inner = Shape[^1];
        Rows = Shapes.Numel(Shape) / Math.Max(Inner, 1);
        if (Inner == 0) Rows = 0;
    }

    public int InnerStride(int operand) => Strides[operand][^1];

    /// <summary>Element offset of operand k at the start of row r.</summary>
    public long RowOffset(int k, long r)
    {
        long off = 0;
        var s = Strides[k];
        for (int d = Shape.Length - 2; d >= 0 && r > 0; d--)
        {
            long idx = r % Shape[d];
            r /= Shape[d];
            off += idx * s[d];
        }
        return off;
    }
}
