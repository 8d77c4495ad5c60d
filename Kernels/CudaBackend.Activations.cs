using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Kernels.Interop;
using Pade.Kernels.Catalog;

namespace Pade.Kernels;

/// <summary>
/// Activation kernels (cuda/activations.cu, cuda/pau.cu): the pointwise activation ops of <see cref="UnaryOp"/>,
/// RReLU, the learnable baselines (PReLU, APL, SReLU, SLAF) with per-channel parameter gradients reduced per block
/// and then across blocks (no atomics), Maxout, and the PAU of every version through the Engine's API.
/// </summary>
public sealed partial class CudaBackend
{
    /// <summary>The pointwise activation ops activations.cu implements (forward and fused backward).</summary>
    internal static bool IsActivationUnary(UnaryOp op) => op is >= UnaryOp.Relu6 and <= UnaryOp.Hardtanh;

    partial void UnaryExtensionImpl(UnaryOp op, Tensor x, Tensor y, double alpha, double beta, ref bool handled)
    {
        if (!IsActivationUnary(op)) return;
        long n = x.Numel;
        ActivationKernels.Unary[x.DType].LaunchOver(CudaDevice, n,
            (int)op, PointerOf(x, "Unary"), PointerOf(y, "Unary"), n, Scalar(x.DType, alpha), Scalar(x.DType, beta));
        handled = true;
    }

    partial void UnaryBackwardExtensionImpl(UnaryOp op, Tensor x, Tensor y, Tensor dy, Tensor dx, double alpha, double beta, ref bool handled)
    {
        if (!IsActivationUnary(op)) return;
        long n = x.Numel;
        ActivationKernels.UnaryBackward[x.DType].LaunchOver(CudaDevice, n,
            (int)op, PointerOf(x, "UnaryBackward"), PointerOf(y, "UnaryBackward"), PointerOf(dy, "UnaryBackward"),
            PointerOf(dx, "UnaryBackward"), n, Scalar(x.DType, alpha), Scalar(x.DType, beta));
        handled = true;
    }

    public override void RRelu(Tensor x, Tensor y, Tensor noise, double lower, double upper, ulong seed, ulong offset)
    {
        CheckActivation("RRelu", x, y, noise);
        long n = x.Numel;
        if (n == 0) return;
        ActivationKernels.RRelu[x.DType].LaunchOver(CudaDevice, n, PointerOf(x, "RRelu"), PointerOf(y, "RRelu"), PointerOf(noise, "RRelu"),
            n, lower, upper, seed, offset);
    }

    public override void PRelu(Tensor x, Tensor weight, Tensor y, ChannelLayout layout)
    {
        CheckActivation("PRelu", x, y, weight);
        if (x.Numel == 0) return;
        ActivationKernels.PRelu[x.DType].LaunchOver(CudaDevice, x.Numel, PointerOf(x, "PRelu"), PointerOf(weight, "PRelu"), PointerOf(y, "PRelu"),
            layout.Outer, layout.Channels, layout.Inner);
    }

    public override void PReluBackward(Tensor x, Tensor weight, Tensor dy, Tensor dx, Tensor dweight, ChannelLayout layout)
    {
        const string op = "PReluBackward";
        CheckActivation(op, x, dy, dx, weight, dweight);
        ChannelBackward(op, ActivationKernels.PReluBackward[x.DType], x, layout, 1, [(dweight, 0, true)],
            [PointerOf(x, op), PointerOf(weight, op), PointerOf(dy, op), PointerOf(dx, op)], []);
    }

    public override void Apl(Tensor x, Tensor a, Tensor b, Tensor y, ChannelLayout layout)
    {
        CheckActivation("Apl", x, y, a, b);
        if (x.Numel == 0) return;
        ActivationKernels.Apl[x.DType].LaunchOver(CudaDevice, x.Numel, PointerOf(x, "Apl"), PointerOf(a, "Apl"), PointerOf(b, "Apl"), PointerOf(y, "Apl"),
            a.Size(0), layout.Outer, layout.Channels, layout.Inner);
    }

    public override void AplBackward(Tensor x, Tensor a, Tensor b, Tensor dy, Tensor dx, Tensor da, Tensor db, ChannelLayout layout)
    {
        const string op = "AplBackward";
        CheckActivation(op, x, dy, dx, a, b, da, db);
        int hinges = a.Size(0);
        if (hinges > MaxChannelParameters / 2)
            throw new NotSupportedException($"{op}: {hinges} hinges; the CUDA kernel takes at most {MaxChannelParameters / 2}");
        // Partials q = s (da[s, c]) then S + s (db[s, c]): parameter-major, da rows first.
        ChannelBackward(op, ActivationKernels.AplBackward[x.DType], x, layout, 2 * hinges, [(da, 0, false), (db, hinges, false)],
            [PointerOf(x, op), PointerOf(a, op), PointerOf(b, op), PointerOf(dy, op), PointerOf(dx, op)], [hinges]);
    }

    public override void SRelu(Tensor x, Tensor tl, Tensor al, Tensor tr, Tensor ar, Tensor y, ChannelLayout layout)
    {
        CheckActivation("SRelu", x, y, tl, al, tr, ar);
        if (x.Numel == 0) return;
        ActivationKernels.SRelu[x.DType].LaunchOver(CudaDevice, x.Numel, PointerOf(x, "SRelu"), PointerOf(tl, "SRelu"), PointerOf(al, "SRelu"),
            PointerOf(tr, "SRelu"), PointerOf(ar, "SRelu"), PointerOf(y, "SRelu"), layout.Outer, layout.Channels, layout.Inner);
    }

    public override void SReluBackward(Tensor x, Tensor tl, Tensor al, Tensor tr, Tensor ar, Tensor dy, Tensor dx,
        Tensor dtl, Tensor dal, Tensor dtr, Tensor dar, ChannelLayout layout)
    {
        const string op = "SReluBackward";
        CheckActivation(op, x, dy, dx, tl, al, tr, ar, dtl, dal, dtr, dar);
        ChannelBackward(op, ActivationKernels.SReluBackward[x.DType], x, layout, 4, [(dtl, 0, false), (dal, 1, false), (dtr, 2, false), (dar, 3, false)],
            [PointerOf(x, op), PointerOf(tl, op), PointerOf(al, op), PointerOf(tr, op), PointerOf(ar, op), PointerOf(dy, op), PointerOf(dx, op)], []);
    }

    public override void Slaf(Tensor x, Tensor coefficients, Tensor y, ChannelLayout layout)
    {
        CheckActivation("Slaf", x, y, coefficients);
        if (x.Numel == 0) return;
        ActivationKernels.Slaf[x.DType].LaunchOver(CudaDevice, x.Numel, PointerOf(x, "Slaf"), PointerOf(coefficients, "Slaf"), PointerOf(y, "Slaf"),
            coefficients.Size(1), layout.Outer, layout.Channels, layout.Inner);
    }

    public override void SlafBackward(Tensor x, Tensor coefficients, Tensor dy, Tensor dx, Tensor dcoefficients, ChannelLayout layout)
    {
        const string op = "SlafBackward";
        CheckActivation(op, x, dy, dx, coefficients, dcoefficients);
        int width = coefficients.Size(1);
        if (width > MaxChannelParameters)
            throw new NotSupportedException($"{op}: {width} coefficients; the CUDA kernel takes at most {MaxChannelParameters}");
        ChannelBackward(op, ActivationKernels.SlafBackward[x.DType], x, layout, width, [(dcoefficients, 0, true)],
            [PointerOf(x, op), PointerOf(coefficients, op), PointerOf(dy, op), PointerOf(dx, op)], [width]);
    }

    public override void Maxout(Tensor x, Tensor y, Tensor argmax, int pieces, long outer, int groups, long inner)
    {
        CheckActivation("Maxout", x, y);
        if (y.Numel == 0) return;
        ActivationKernels.Maxout[x.DType].LaunchOver(CudaDevice, y.Numel, PointerOf(x, "Maxout"), PointerOf(y, "Maxout"), PointerOf(argmax, "Maxout"),
            pieces, outer, groups, inner);
    }

    public override void MaxoutBackward(Tensor dy, Tensor argmax, Tensor dx, int pieces, long outer, int groups, long inner)
    {
        CheckActivation("MaxoutBackward", dy, dx);
        if (dx.Numel == 0) return;
        ActivationKernels.MaxoutBackward[dy.DType].LaunchOver(CudaDevice, dx.Numel, PointerOf(dy, "MaxoutBackward"), PointerOf(argmax, "MaxoutBackward"),
            PointerOf(dx, "MaxoutBackward"), pieces, outer, groups, inner);
    }

    public override void PauForward(Tensor x, Tensor numerator, Tensor denominator, Tensor y, PauVersion version, ChannelLayout layout, PauNoise noise) =>
        PauForward(Formula(version), x, numerator, denominator, y, layout.Outer, layout.Channels, layout.Inner,
            noise.IsActive ? noise.Alpha : 0, noise.Seed, noise.Offset);

    public override void PauBackward(Tensor x, Tensor dy, Tensor numerator, Tensor denominator, Tensor dx, Tensor dnumerator,
        Tensor ddenominator, PauVersion version, ChannelLayout layout, PauNoise noise) =>
        PauBackward(Formula(version), x, dy, numerator, denominator, dx, dnumerator, ddenominator, layout.Outer, layout.Channels, layout.Inner,
            noise.IsActive ? noise.Alpha : 0, noise.Seed, noise.Offset);

    private static PauFormula Formula(PauVersion version) => version switch
    {
        PauVersion.A => PauFormula.A,
        PauVersion.C => PauFormula.C,
        _ => PauFormula.B, // B and D share the formula; D's noise comes with the call
    };

    /// <summary>Parameter-gradient sums one block keeps (activations.cu's ACT_MAXP).</summary>
    internal const int MaxChannelParameters = ActivationKernels.MaxChannelParameters;

    /// <summary>
    /// A per-channel backward: the kernel writes dx and each block's sums of the <paramref name="parameters"/>
    /// gradient terms; channel_reduce then adds the blocks of each channel in order into each output, whose rows
    /// start at partial index <c>First</c> (parameter-major [P, C], or channel-major [C, P] for a single output).
    /// </summary>
    private void ChannelBackward(string op, Kernel kernel, Tensor x, ChannelLayout layout, int parameters,
        (Tensor Output, int First, bool ChannelMajor)[] outputs, KernelArg[] pointers, KernelArg[] extra)
    {
        int channels = layout.Channels, pieces = PauPieces(layout.Outer * layout.Inner, channels);
        using var partials = Scratch((long)channels * pieces * parameters, DType.Float64);
        if (x.Numel == 0)
        {
            foreach (var (output, _, _) in outputs) Fill(output, 0);
            return;
        }
        var args = new List<KernelArg>(pointers) { partials.Pointer };
        args.AddRange(extra);
        args.AddRange([layout.Outer, channels, layout.Inner]);
        // Channels in x (activations.cu): y and z stop at 65535, x at 2³¹ − 1; pieces ≤ PauMaxBlocks.
        kernel.Launch(CudaDevice, new Dim3((uint)channels, (uint)pieces), args.ToArray());
        // All parameters into one [P, C] (or [C, P]) scratch, then each output's rows copied out.
        bool single = outputs.Length == 1;
        using var reduced = Scratch((long)parameters * channels, x.DType);
        ActivationKernels.ChannelReduce[x.DType].Launch(CudaDevice, new Dim3((uint)channels, (uint)parameters), partials.Pointer, pieces, parameters, channels,
            single ? PointerOf(outputs[0].Output, op) : reduced.Pointer, single && outputs[0].ChannelMajor ? 1 : 0);
        if (single) return;
        int size = x.DType.SizeInBytes();
        foreach (var (output, first, _) in outputs)
            CudaDevice.CopyDeviceToDevice<byte>(reduced.Pointer.Offset((long)first * channels * size), PointerOf(output, op), output.Numel * size);
    }

    private static void CheckActivation(string op, Tensor x, params Tensor[] others)
    {
        RequireFloating(op, x);
        RequireContiguous(op, x);
        foreach (var t in others)
        {
            RequireContiguous(op, t);
            if (t.DType != x.DType && t.DType != DType.Int32)
                throw new ArgumentException($"{op}: tensors of {x.DType.TorchName()} and {t.DType.TorchName()}");
        }
    }
}
