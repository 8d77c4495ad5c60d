using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

/// <summary>
/// im2col and col2im as torch.nn.functional.unfold / fold. Both run on one index map, host-built from the geometry:
/// entry (k, l) is the position in the zero-padded plane that kernel tap k of sliding block l reads. Unfold is the
/// backend's gather along that map, fold its scatter-add; each records the other as its backward (fold is unfold's
/// adjoint), so both have gradients of every order on every device with no kernel of their own.
/// </summary>
public static partial class F
{
    /// <summary>
    /// torch.nn.functional.unfold (im2col): input (N, C, H, W) or (C, H, W) → (N, C·kh·kw, L) or (C·kh·kw, L),
    /// row c·kh·kw + i·kw + j of column l = oh_l·OW + ow_l holding input [c, oh_l·sh − ph + i·dh, ow_l·sw − pw + j·dw]
    /// (0 in the padding), L = OH·OW sliding blocks, OH = ⌊(H + 2ph − dh(kh − 1) − 1)/sh⌋ + 1.
    /// </summary>
    public static Tensor Unfold(Tensor input, Size2 kernelSize, Size2? dilation = null, Size2? padding = null, Size2? stride = null)
    {
        const string op = "unfold";
        Size2 k = kernelSize, d = dilation ?? 1, p = padding ?? 0, s = stride ?? 1;
        FoldArgs(op, k, d, p, s);
        Ops.CheckFloating(op, input);
        bool unbatched = input.Rank == 3;
        if (input.Rank is not (3 or 4) || input.Shape[(unbatched ? 0 : 1)..].ToArray().Any(v => v == 0))
            throw new ArgumentException($"{op}: Expected 3D or 4D (batch mode) tensor input with possibly 0 batch size and non-zero dimensions for input, but got: {Shapes.Format(input.Shape)}");
        var x = unbatched ? input.Unsqueeze(0) : input;
        int n = x.Size(0), c = x.Size(1), h = x.Size(2), w = x.Size(3);
        // ATen's div_rtn (rounding toward −∞), so a window reaching past the padded image leaves no block.
        int oh = FloorDiv(h + 2 * p.H - d.H * (k.H - 1) - 1, s.H) + 1, ow = FloorDiv(w + 2 * p.W - d.W * (k.W - 1) - 1, s.W) + 1;
        if (oh < 1 || ow < 1)
            throw new ArgumentException($"{op}: Given input with spatial size ({h}, {w}), kernel_size={k.Pair()}, dilation={d.Pair()}, padding={p.Pair()}, calculated shape of the array of sliding blocks as ({oh}, {ow}), but its components must be at least one.");
        int hp = h + 2 * p.H, wp = w + 2 * p.W, taps = k.H * k.W;
        var padded = p.H == 0 && p.W == 0 ? x : x.Pad([p.W, p.W, p.H, p.H]);
        var index = FoldIndex(hp, wp, k, d, s, oh, ow, x.Device);
        var cols = Im2Col(padded.Reshape(n * c, hp * wp), index).Reshape(n, c * taps, oh * ow);
        return unbatched ? cols.Squeeze(0) : cols;
    }

    /// <summary>
    /// torch.nn.functional.fold (col2im), unfold's adjoint: input (N, C·kh·kw, L) or (C·kh·kw, L) → (N, C, OH, OW)
    /// or (C, OH, OW) for <paramref name="outputSize"/> (OH, OW): every column entry is added to the output position
    /// that unfold would read it from (entries in the padding are dropped), so overlapping blocks sum.
    /// </summary>
    public static Tensor Fold(Tensor input, Size2 outputSize, Size2 kernelSize, Size2? dilation = null, Size2? padding = null, Size2? stride = null)
    {
        const string op = "fold";
        Size2 o = outputSize, k = kernelSize, d = dilation ?? 1, p = padding ?? 0, s = stride ?? 1;
        if (o.H <= 0 || o.W <= 0)
            throw new ArgumentException($"{op}: output_size should be greater than zero, but got output_height: {o.H} output_width: {o.W}");
        FoldArgs(op, k, d, p, s);
        Ops.CheckFloating(op, input);
        bool unbatched = input.Rank == 2;
        if (input.Rank is not (2 or 3) || input.Shape[(unbatched ? 0 : 1)..].ToArray().Any(v => v == 0))
            throw new ArgumentException($"{op}: Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for input, but got: {Shapes.Format(input.Shape)}");
        var x = unbatched ? input.Unsqueeze(0) : input;
        int n = x.Size(0), rows = x.Size(1), l = x.Size(2), taps = k.H * k.W;
        if (rows % taps != 0)
            throw new ArgumentException($"{op}: Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)={rows} and kernel_size={k.Pair()}");
        int numH = o.H + 2 * p.H - d.H * (k.H - 1) - 1, numW = o.W + 2 * p.W - d.W * (k.W - 1) - 1;
        int bh = FloorDiv(numH, s.H) + 1, bw = FloorDiv(numW, s.W) + 1;
        string geometry = $"Given output_size={o.Pair()}, kernel_size={k.Pair()}, dilation={d.Pair()}, padding={p.Pair()}, stride={s.Pair()}";
        if (bh < 1 || bw < 1)
            throw new ArgumentException($"{op}: {geometry}, calculated shape of the array of sliding blocks as ({bh}, {bw}), which is too small (non-positive)");
        if (l != bh * bw)
            throw new ArgumentException($"{op}: {geometry}, expected size of input's dimension 2 to match the calculated number of sliding blocks {bh} * {bw} = {bh * bw}, but got input.size(2)={l}.");
        int c = rows / taps, hp = o.H + 2 * p.H, wp = o.W + 2 * p.W;
        var index = FoldIndex(hp, wp, k, d, s, bh, bw, x.Device);
        var plane = Col2Im(x.Reshape(n * c, taps * l), index, hp * wp).Reshape(n, c, hp, wp);
        if (p.H != 0 || p.W != 0) plane = plane.Narrow(2, p.H, o.H).Narrow(3, p.W, o.W);
        return unbatched ? plane.Squeeze(0) : plane;
    }

    private static int FloorDiv(int a, int b) => (int)Math.Floor((double)a / b);

    /// <summary>"(2, 3)": a pair as PyTorch prints a tuple in unfold's and fold's messages.</summary>
    private static string Pair(this Size2 v) => $"({v.H}, {v.W})";

    private static void FoldArgs(string op, Size2 k, Size2 d, Size2 p, Size2 s)
    {
        if (k.H <= 0 || k.W <= 0)
            throw new ArgumentException($"{op}: kernel size should be greater than zero, but got kernel_height: {k.H} kernel_width: {k.W}");
        if (d.H <= 0 || d.W <= 0)
            throw new ArgumentException($"{op}: dilation should be greater than zero, but got dilation_height: {d.H} dilation_width: {d.W}");
        if (p.H < 0 || p.W < 0)
            throw new ArgumentException($"{op}: padding should be non-negative, but got pad_height: {p.H} pad_width: {p.W}");
        if (s.H <= 0 || s.W <= 0)
            throw new ArgumentException($"{op}: stride should be greater than zero, but got dH: {s.H} dW: {s.W}");
    }

    /// <summary>The index map, [kh·kw·OH·OW] int32: entry (i·kw + j)·L + oh·OW + ow is the padded-plane position
    /// (oh·sh + i·dh)·Wp + ow·sw + j·dw.</summary>
    internal static Tensor FoldIndex(int hp, int wp, Size2 k, Size2 d, Size2 s, int oh, int ow, Device device)
    {
        var map = new int[k.H * k.W * oh * ow];
        int e = 0;
        for (int i = 0; i < k.H; i++)
            for (int j = 0; j < k.W; j++)
                for (int y = 0; y < oh; y++)
                    for (int x = 0; x < ow; x++)
                        map[e++] = (y * s.H + i * d.H) * wp + x * s.W + j * d.W;
        return Tensor.FromArray(map).To(device);
    }

    /// <summary>cols[r, e] = plane[r, index[e]] for planes [R, P]: the backend's gather, repeated over the rows.
    /// Backward: <see cref="Col2Im"/> of the gradient.</summary>
    private static Tensor Im2Col(Tensor planes, Tensor index)
    {
        int r = planes.Size(0), size = planes.Size(1), e = index.Size(0);
        var y = Tensor.Empty([r, e], planes.DType, planes.Device);
        if (y.Numel > 0)
            using (Tensor.NoGrad())
                planes.Backend.Gather(planes.Contiguous().Reshape(r, size, 1), Tensor.Broadcast3(index, r, e, 1), y.Reshape(r, e, 1));
        return Graph.Record(y, "im2col", [planes], g => [Col2Im(g, index, size)], index);
    }

    /// <summary>plane[r, p] = Σ over e with index[e] = p of cols[r, e], planes [R, size]: the backend's deterministic
    /// scatter-add. Backward: <see cref="Im2Col"/> of the gradient.</summary>
    private static Tensor Col2Im(Tensor cols, Tensor index, int size)
    {
        int r = cols.Size(0), e = index.Size(0);
        var y = Tensor.Zeros([r, size], cols.DType, cols.Device);
        if (cols.Numel > 0)
            using (Tensor.NoGrad())
                cols.Backend.ScatterAdd(cols.Contiguous().Reshape(r, e, 1), Tensor.Broadcast3(index, r, e, 1), y.Reshape(r, size, 1));
        return Graph.Record(y, "col2im", [cols], g => [Im2Col(g, index)], index);
    }
}
