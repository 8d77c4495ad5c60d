using Pade.Engine;

namespace Pade.Kernels.OpCases;

/// <summary>Fill, copies of strided views, broadcasts and dtype conversions (cuda/fill_copy.cu).</summary>
public static partial class OpSuite
{
    private static void AddTensorCases(List<OpCase> cases)
    {
        // Fill of every dtype; an odd count (scalar tail) and all-size-1 dims.
        foreach (var shape in (int[][])[[5, 77], [1, 1, 1]])
            cases.Add(new("full", Fmt(shape), [], (e, _) =>
                [Tensor.Full(shape, -2.5, e.DType, e.Device), Tensor.Full(shape, 7, DType.Int32, e.Device)])
            {
                Backward = false, Tol = Tolerance.Exact, OutputNames = ["y", "y_i32"],
                Kernels = [FillCopy + "fill_{t}", FillCopy + "fill_i32"],
            });

        // Strided copies: each view made contiguous is the copy kernel; its gradient is the view of dy (copied again
        // when the gradient is read), so both are exact.
        cases.Add(new("contiguous permute", "[9, 13, 5] -> [5, 9, 13]", [In("x", [9, 13, 5])],
            (_, x) => One(x[0].Permute(2, 0, 1).Contiguous())) { Tol = Tolerance.Exact, Kernels = [CopyK] });
        cases.Add(new("contiguous transpose", "[33, 17]^T", [In("x", [33, 17])],
            (_, x) => One(x[0].T.Contiguous())) { Tol = Tolerance.Exact, Kernels = [CopyK] });
        // A broadcast is a copy forward; its gradient sums dy over the 37 broadcast rows.
        cases.Add(new("expand", "[1, 53] -> [37, 53]", [In("x", [1, 53])],
            (_, x) => One(x[0].Expand(37, 53).Contiguous()))
            { Tol = Tolerance.Exact, GradTol = Tolerance.Sum(37), Kernels = [CopyK, StridedK] });
        cases.Add(new("copy into view", "[11, 50] -> [11, 60][:, 5:55]", [Fixed("x", [11, 50])], (e, x) =>
        {
            var y = Tensor.Zeros([11, 60], e.DType, e.Device);
            y.Narrow(1, 5, 50).CopyFrom(x[0]);
            return [y];
        }) { Backward = false, Tol = Tolerance.Exact, Kernels = [CopyK] });

        // Conversions between every pair of dtypes, from strided sources. Inputs on a 1/4 grid in ±300: exact in
        // float32, and truncation to int32 is the same on both sides. The reference run (float64) converts to
        // float32 where the device converts to float64 and back: exact either way for values exact in float32.
        cases.Add(new("convert", "[13, 21]^T to every dtype", [Coarse("x", [13, 21], -300, 300) with { Grad = false }], (e, x) =>
        {
            var other = e.DType == DType.Float32 ? DType.Float64 : DType.Float32;
            var t = x[0].T;
            var ints = x[0].To(DType.Int32);
            return
            [
                t.To(other), t.To(DType.Int32), ints.T.Contiguous(), ints.T.To(e.DType), ints.T.To(other),
                x[0].To(other).T.To(e.DType),
            ];
        })
        {
            Backward = false, Tol = Tolerance.Exact,
            OutputNames = ["to_other", "to_i32", "i32_strided", "i32_to_t", "i32_to_other", "other_to_t"],
            Kernels = ["fill_copy.cu:copy_{t}_i32", "fill_copy.cu:copy_i32_i32", "fill_copy.cu:copy_i32_f32", "fill_copy.cu:copy_i32_f64",
                "fill_copy.cu:copy_f32_f64", "fill_copy.cu:copy_f64_f32"],
        });

        // A differentiable conversion: the gradient comes back through the opposite conversion.
        cases.Add(new("to dtype", "[7, 19]", [In("x", [7, 19])], (e, x) =>
            One(x[0].To(e.DType == DType.Float32 ? DType.Float64 : DType.Float32).Square()))
        {
            // The reference squares in float32 where the device squares in float64 (and vice versa): one rounding
            // of float32 either way.
            DTypes = [DType.Float32], Tol = Tolerance.Ulps(2),
            Kernels = ["fill_copy.cu:copy_f32_f64", "fill_copy.cu:copy_f64_f32"],
        });
    }
}
