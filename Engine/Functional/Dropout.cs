namespace Pade.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// Inverted dropout as torch.nn.functional.dropout: in training each element is kept with probability 1 − p
    /// and scaled by 1/(1 − p), so the expected output equals the input and evaluation needs no rescaling; in
    /// evaluation (or with p = 0) the input passes unchanged. The mask m ∈ {0, 1/(1 − p)} is drawn from the
    /// Philox generator (seeded, reproducible); y = x ⊙ m and dL/dx = dL/dy ⊙ m.
    /// </summary>
    public static Tensor Dropout(Tensor input, double p, bool training, Generator? generator = null)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"dropout: probability must be in [0, 1], got {p}");
        if (!training || p == 0) return input;
        return DropoutWithMask(input, DropoutMask(input.ShapeCopy(), p, input.DType, input.Device, generator));
    }

    /// <summary>A dropout mask: 1/(1 − p) with probability 1 − p, else 0 (all zeros for p = 1).</summary>
    public static Tensor DropoutMask(int[] shape, double p, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
    {
        using var _ = Tensor.NoGrad();
        if (p >= 1) return Tensor.Zeros(shape, dtype, device);
        var keep = Tensor.Bernoulli(shape, 1 - p, dtype, device, generator);
        return keep.Mul_(1 / (1 - p));
    }

    /// <summary>y = x ⊙ mask with a given mask (broadcast to x), e.g. a fixed one in tests: dL/dx = dL/dy ⊙ mask.</summary>
    public static Tensor DropoutWithMask(Tensor input, Tensor mask) => input * mask.Detach();
}
