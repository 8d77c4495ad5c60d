using Pade.Engine.Autograd;

namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// Affine map as torch.nn.functional.linear: y = x Wᵀ + b for x [..., in], W [out, in], b [out], one GEMM
    /// with the bias preloaded into the output. Backward, with G = dL/dy flattened to [rows, out] and X to
    /// [rows, in]: dL/dx = G W, dL/dW = Gᵀ X, dL/db = Σ_rows G.
    /// </summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null, string layer = "linear")
    {
        Ops.CheckPair(layer, input, weight);
        Ops.CheckFloating(layer, input);
        if (weight.Rank != 2) throw new ArgumentException($"{layer}: weight must be [out_features, in_features], got {Shapes.Format(weight.Shape)}");
        int outF = weight.Size(0), inF = weight.Size(1);
        if (input.Rank < 1 || input.Size(-1) != inF)
            throw new ArgumentException($"{layer}: expected input [..., {inF}] ({inF} features), got {Shapes.Format(input.Shape)}");
        if (bias != null)
        {
            Ops.CheckPair(layer, input, bias);
            if (bias.Rank != 1 || bias.Size(0) != outF)
                throw new ArgumentException($"{layer}: bias must be [{outF}], got {Shapes.Format(bias.Shape)}");
        }
        var x = input.Contiguous();
        var w = weight.Contiguous();
        int rows = 1;   // the leading dims' product (not numel / in, which has no answer when in_features is 0)
        for (int i = 0; i < x.Rank - 1; i++) rows *= x.Size(i);
        var shape = x.ShapeCopy();
        shape[^1] = outF;
        var y = Tensor.Empty(shape, x.DType, x.Device);
        var x3 = Matrix(x, rows, inF);
        var w3 = Matrix(w, outF, inF);
        var y3 = Matrix(y, rows, outF);
        if (bias != null)
        {
            var b = bias.Contiguous();
            x.Backend.Copy(new Tensor(b.Storage, [1, rows, outF], [0, 0, 1], b.Offset), y3);
        }
        x.Backend.MatMul(x3, w3, y3, transA: false, transB: true, beta: bias != null ? 1 : 0);

        bool needX = input.RequiresGrad, needW = weight.RequiresGrad;
        Tensor[] inputs = bias == null ? [input, weight] : [input, weight, bias];
        return Graph.Record(y, "linear", inputs, dy =>
        {
            var g = dy.Contiguous();
            var g3 = Matrix(g, rows, outF);
            Tensor? dx = null, dw = null;
            if (needX)
            {
                dx = x.EmptyLike();
                x.Backend.MatMul(g3, w3, Matrix(dx, rows, inF), transA: false, transB: false);
            }
            if (needW)
            {
                dw = w.EmptyLike();
                x.Backend.MatMul(g3, x3, Matrix(dw, outF, inF), transA: true, transB: false);
            }
            if (bias == null) return [dx, dw];
            var db = g.Reshape(rows, outF).Sum(0);
            return [dx, dw, db];
        }, x, w);
    }

    /// <summary>A contiguous tensor's elements seen as a one-matrix batch [1, rows, cols] for the backend's GEMM.</summary>
    private static Tensor Matrix(Tensor t, int rows, int cols) => new(t.Storage, [1, rows, cols], [rows * cols, cols, 1], t.Offset);
}
