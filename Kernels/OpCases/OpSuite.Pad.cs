using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Kernels.OpCases;

public static partial class OpSuite
{
    /// <summary>
    /// pad's reflect, replicate and circular modes: resample.cu along each padded dim with one tap of weight 1 per
    /// output (the forward copies exactly), the backward the same kernel on the transposed taps (a sum of up to three
    /// outputs per input along a dim). 1-, 2- and 3-D pads, batched and unbatched, pads at the modes' limits
    /// (size − 1 for reflect, size for circular), negative pads, an empty batch, and rows beyond one CPU task.
    /// </summary>
    private static void AddPadCases(List<OpCase> cases)
    {
        (int[] X, int[] Pad, string Mode)[] pads =
        [
            ([2, 3, 5, 7], [2, 3, 1, 4], "reflect"),
            ([2, 3, 4, 6], [3, 0, -1, 2], "replicate"),
            ([3, 5, 7], [7, 1, -1, 3], "circular"),
            ([1, 2, 3, 4, 5], [4, 4, 3, 3, 2, 2], "reflect"),
            ([2, 3, 9], [5, 5], "replicate"),
            ([2, 3, 4, 5], [1, 1, 2, 2, 3, 3], "circular"),
            ([1, 4], [-1, 3], "reflect"),
            ([0, 2, 4, 4], [3, 3, 3, 3], "reflect"),
            ([2, 4, 64, 300], [1, 2, 2, 1], "reflect"),
        ];
        foreach (var (shape, pad, mode) in pads)
            cases.Add(new("pad", $"{Fmt(shape)} {mode} [{string.Join(", ", pad)}]", [In("x", shape)], (_, x) => One(F.Pad(x[0], pad, mode)))
            {
                // Copies forward; the backward adds an input's own output and up to two mirrored or wrapped ones per dim.
                Tol = Tolerance.Exact, GradTol = Tolerance.Sum(8),
                // An empty batch launches nothing (the result is empty before any kernel).
                Kernels = shape.Contains(0) ? [] : [ResampleK],
            });
    }
}
