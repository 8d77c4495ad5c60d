using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>
/// torch.diagonal (a view), torch.diag and torch.trace. The diagonal is a strided view of the input (stride the sum
/// of the two dims' strides); its backward writes the gradient onto the diagonal of zeros, an op of its own whose
/// backward is the diagonal again, so both have gradients of every order. diag of a vector is that same op.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>torch.diagonal: the elements x[..., i, ..., i + offset, ...] of dims <paramref name="dim1"/> and
    /// <paramref name="dim2"/> (offset &gt; 0 above the main diagonal, &lt; 0 below), those two dims removed and the
    /// diagonal appended as the last dim; empty when the offset is beyond the matrix. A view of this tensor.</summary>
    public Tensor Diagonal(int offset = 0, int dim1 = 0, int dim2 = 1)
    {
        const string op = "diagonal";
        int a = DimOf(op, dim1), b = DimOf(op, dim2);
        if (a == b) throw new ArgumentException($"{op}: diagonal dimensions cannot be identical {dim1}, {dim2}");
        var (shape, strides, start) = DiagonalLayout(_shape, _strides, offset, a, b);
        var y = View(shape, strides, start == 0 ? Offset : Offset + start);
        var inShape = ShapeCopy();
        return Graph.Record(y, op, [this], g => [DiagonalScatter(g, inShape, offset, a, b)]);
    }

    /// <summary>The diagonal view's shape, strides and storage offset (relative to the input's).</summary>
    private static (int[] Shape, int[] Strides, long Start) DiagonalLayout(int[] shape, int[] strides, int offset, int a, int b)
    {
        long len = offset >= 0 ? Math.Min((long)shape[a], (long)shape[b] - offset) : Math.Min((long)shape[a] + offset, shape[b]);
        len = Math.Max(len, 0);
        var outShape = shape.Where((_, i) => i != a && i != b).Append((int)len).ToArray();
        var outStrides = strides.Where((_, i) => i != a && i != b).Append(strides[a] + strides[b]).ToArray();
        // No element: the offset may point past the storage, so the view starts where the input does.
        long start = len == 0 ? 0 : offset >= 0 ? (long)offset * strides[b] : (long)-offset * strides[a];
        return (outShape, outStrides, start);
    }

    /// <summary>torch.diagonal_scatter into zeros: a tensor of <paramref name="shape"/> that is 0 but on the diagonal
    /// (offset, dims a and b), which holds <paramref name="src"/>. Diagonal's backward; its own backward is diagonal.</summary>
    private static Tensor DiagonalScatter(Tensor src, int[] shape, int offset, int a, int b)
    {
        var y = Zeros(shape, src.DType, src.Device);
        var (_, strides, start) = DiagonalLayout(shape, y._strides, offset, a, b);
        var view = new Tensor(y.Storage, src.ShapeCopy(), strides, y.Offset + start);
        if (src.Numel > 0) CopyInto(src, view);
        return Graph.Record(y, "diagonal_scatter", [src], g => [g.Diagonal(offset, a, b)]);
    }

    /// <summary>torch.diag: of a 1-D tensor, the square matrix with it on the <paramref name="diagonal"/>-th diagonal
    /// (size n + |diagonal|); of a 2-D tensor, a copy of that diagonal as a vector.</summary>
    public Tensor Diag(int diagonal = 0)
    {
        if (Rank == 1)
        {
            int n = _shape[0] + Math.Abs(diagonal);
            return DiagonalScatter(this, [n, n], diagonal, 0, 1);
        }
        if (Rank == 2) return Diagonal(diagonal).CopyWithGrad();
        throw new ArgumentException($"diag: supports 1D or 2D tensors, got {Rank}D (shape {Shapes.Format(_shape)})");
    }

    /// <summary>torch.trace: the sum of the main diagonal of a matrix (of any shape; 0 for an empty one).</summary>
    public Tensor Trace()
    {
        if (Rank != 2) throw new ArgumentException($"trace: expected a matrix, but got tensor with dim {Rank} (shape {Shapes.Format(_shape)})");
        return Diagonal().Sum();
    }
}
