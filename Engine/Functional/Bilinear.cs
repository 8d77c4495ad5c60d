namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// torch.nn.functional.bilinear: y[..., o] = Σᵢⱼ x1[..., i]·W[o, i, j]·x2[..., j] + b[o] for inputs [*, in1] and
    /// [*, in2] with the same leading dims (none for unbatched vectors), weight [out, in1, in2] and an optional bias
    /// [out]. Composed of differentiable ops (one matmul of x1 by W laid out [in1, out·in2], a product with x2 and
    /// a sum), so dx1 = Σ_oj g_o W[o, ·, j] x2_j, dx2 = Σ_oi g_o x1_i W[o, i, ·], dW[o] = Σ_batch g_o x1 ⊗ x2.
    /// </summary>
    public static Tensor Bilinear(Tensor input1, Tensor input2, Tensor weight, Tensor? bias = null)
    {
        const string op = "bilinear";
        ArgumentNullException.ThrowIfNull(input1);
        ArgumentNullException.ThrowIfNull(input2);
        ArgumentNullException.ThrowIfNull(weight);
        Ops.CheckFloating(op, input1);
        Ops.CheckPair(op, input1, input2);
        Ops.CheckPair(op, input1, weight);
        if (input1.Rank != input2.Rank)
            throw new ArgumentException($"{op}(): input dimensions do not match: got {input1.Rank} and {input2.Rank} (shapes {Shapes.Format(input1.Shape)} and {Shapes.Format(input2.Shape)})");
        if (input1.Rank == 0) throw new ArgumentException($"{op}(): inputs must have at least 1 dimension [*, in_features], got scalars");
        if (weight.Rank != 3) throw new ArgumentException($"{op}(): weight must be 3-D [out_features, in1_features, in2_features], got shape {Shapes.Format(weight.Shape)}");
        for (int i = 0; i < input1.Rank - 1; i++)
            if (input1.Size(i) != input2.Size(i))
                throw new ArgumentException($"{op}(): input batch dimensions do not match: got {input1.Size(i)} and {input2.Size(i)} (shapes {Shapes.Format(input1.Shape)} and {Shapes.Format(input2.Shape)})");
        int in1 = input1.Size(-1), in2 = input2.Size(-1), outF = weight.Size(0);
        if (in1 != weight.Size(1)) throw new ArgumentException($"{op}(): input1 size does not match weight size: got {in1} but expected {weight.Size(1)}");
        if (in2 != weight.Size(2)) throw new ArgumentException($"{op}(): input2 size does not match weight size: got {in2} but expected {weight.Size(2)}");
        if (bias != null)
        {
            Ops.CheckPair(op, input1, bias);
            if (bias.Rank != 1 || bias.Size(0) != outF)
                throw new ArgumentException($"{op}(): bias size does not match weight size: got {Shapes.Format(bias.Shape)} but expected [{outF}]");
        }
        var lead = input1.Shape[..^1].ToArray();
        int m = lead.Aggregate(1, (a, b) => a * b);
        var x1 = input1.Reshape(m, in1);
        var x2 = input2.Reshape(m, 1, in2);
        var w = weight.Permute(1, 0, 2).Reshape(in1, outF * in2);
        var y = (Tensor.MatMul(x1, w).Reshape(m, outF, in2) * x2).Sum(-1);
        if (bias != null) y += bias;
        return y.Reshape([.. lead, outF]);
    }
}
