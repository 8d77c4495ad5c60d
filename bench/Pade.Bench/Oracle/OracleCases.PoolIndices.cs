using Pade.Engine.Functional;
using static Pade.Bench.Oracle.OracleGen;
using TF = TorchSharp.torch.nn.functional;

namespace Pade.Bench.Oracle;

/// <summary>
/// max_pool3d_with_indices against libtorch's: the output and the flat indices id·H·W + ih·W + iw compared as
/// doubles (one tensor: the output, then the indices), random kernels, strides, paddings up to half the kernel,
/// dilations, ceil mode, unbatched volumes; max_unpool3d after it (libtorch's side is the definition in its own ops,
/// a scatter of the values to the indices, as for max_unpool2d). A window that reads only padding (dilation) is
/// compared forward only and by its values only (−∞ on both sides): libtorch's backward writes through index −1
/// there and corrupts memory, and its index there is not meaningful (the first tap's position after skipping the
/// negative ones, possibly in the padding or another row), where Pade's is −1, as its max_pool2d_with_indices.
/// </summary>
public static partial class OracleCases
{
    private static void AddPoolIndices(List<OracleCase> cases, int seed, int perFamily)
    {
        // A generator of their own: these cases stay the same whatever is added before them.
        var g = new OracleGen(seed * 7949 + 103);
        for (int i = 0; i < perFamily * 2; i++)
        {
            int[] k = [g.Int(1, 3), g.Int(1, 3), g.Int(1, 3)], s = [g.Int(1, 3), g.Int(1, 2), g.Int(1, 2)], d = [g.Pick(1, 1, 2), g.Pick(1, 1, 2), g.Pick(1, 2)];
            int[] p = [g.Int(0, k[0] / 2), g.Int(0, k[1] / 2), g.Int(0, k[2] / 2)], x = [g.Int(1, 5), g.Int(1, 5), g.Int(1, 5)];
            bool ceil = g.Coin();
            if (Enumerable.Range(0, 3).Any(a => OutputSize(x[a], k[a], s[a], p[a], d[a], ceil) < 1)) { i--; continue; }
            int[] shape = g.Coin(0.2) ? [g.Int(1, 2), .. x] : [g.Int(1, 2), g.Int(1, 2), .. x];
            bool empty = Enumerable.Range(0, 3).Any(a => HasEmptyWindow(x[a], k[a], s[a], p[a], d[a], ceil));
            cases.Add(new("max_pool3d_with_indices", $"{Fmt(shape)} k{Fmt(k)} s{Fmt(s)} p{Fmt(p)} dilation {Fmt(d)} ceil_mode {ceil}{(empty ? " (a window in the padding only: values, forward)" : "")}",
                [new OracleInput("x", shape, g.Distinct(shape.Aggregate(1L, (a, b) => a * b)))],
                t =>
                {
                    var (y, idx) = F.MaxPool3dWithIndices(t[0], (k[0], k[1], k[2]), (s[0], s[1], s[2]), (p[0], p[1], p[2]), (d[0], d[1], d[2]), ceil);
                    return empty ? y : Pade.Engine.Tensor.Concat([y.Flatten(), idx.To(y.DType).Flatten()], 0);
                },
                t =>
                {
                    var (y, idx) = TF.max_pool3d_with_indices(t[0], L(k), L(s), L(p), L(d), ceil);
                    return empty ? y : TorchSharp.torch.cat([y.flatten(), idx.to(y.dtype).flatten()], 0);
                }, Differentiable: !empty));
        }
        for (int i = 0; i < perFamily; i++)
        {
            // Sizes the windows tile exactly, so the pooling indices address the unpooled volume too.
            int[] k = [g.Int(1, 3), g.Int(1, 3), g.Int(1, 3)], s = [g.Int(1, 3), g.Int(1, 3), g.Int(1, 3)];
            int[] x = [.. Enumerable.Range(0, 3).Select(a => k[a] + s[a] * g.Int(0, 2))];
            int[] shape = g.Coin(0.2) ? [g.Int(1, 2), .. x] : [g.Int(1, 2), g.Int(1, 2), .. x];
            int volume = x[0] * x[1] * x[2];
            cases.Add(new("max_unpool3d", $"max_pool3d_with_indices {Fmt(shape)} k{Fmt(k)} s{Fmt(s)}",
                [new OracleInput("x", shape, g.Distinct(shape.Aggregate(1L, (a, b) => a * b)))],
                t =>
                {
                    var (y, idx) = F.MaxPool3dWithIndices(t[0], (k[0], k[1], k[2]), (s[0], s[1], s[2]));
                    return F.MaxUnpool3d(y, idx, (k[0], k[1], k[2]), (s[0], s[1], s[2]));
                },
                t =>
                {
                    var (y, idx) = TF.max_pool3d_with_indices(t[0], L(k), L(s));
                    return TorchUnpool(y, idx, shape.Length - 3, volume).reshape(shape.Select(v => (long)v).ToArray());
                }));
        }
    }
}
