using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;
using Pade.Layers.Onnx;

namespace Pade.Tests.Onnx;

/// <summary>
/// Runs exported models in ONNX Runtime (CPU) and compares them with Pade's evaluation-mode forward. The error
/// norm is max_i |onnx_i − pade_i| / max_i |pade_i| over the whole output tensor (float32 both).
/// </summary>
internal static class OnnxCheck
{
    public const double Tolerance = 1e-5;

    /// <summary>Exports <paramref name="model"/> for samples of <paramref name="x"/>'s shape, runs the file's bytes
    /// in ONNX Runtime and Pade's eval forward on x, and asserts the relative error; returns it.</summary>
    public static double AssertMatches(Module model, Tensor x, string what, double tolerance = Tolerance)
    {
        var bytes = model.ToOnnx(x.ShapeCopy()[1..]).ToByteArray();
        model.Eval();
        float[] expected;
        using (Tensor.NoGrad()) expected = model.Forward(x).ToArray<float>();
        var actual = Run(bytes, x, out var shape);
        Assert.That(actual, Has.Length.EqualTo(expected.Length), $"{what}: output size (ONNX shape [{string.Join(", ", shape)}])");
        double error = RelativeError(actual, expected);
        TestContext.Out.WriteLine($"{what}: max |onnx − pade| / max |pade| = {error:G3} (max |pade| = {expected.Max(Math.Abs):G4}, {bytes.Length / 1024} KiB)");
        Assert.That(expected.All(float.IsFinite), $"{what}: Pade's output is not finite");
        Assert.That(error, Is.LessThanOrEqualTo(tolerance), $"{what}: ONNX Runtime and Pade differ");
        return error;
    }

    public static double RelativeError(float[] actual, float[] expected)
    {
        double diff = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)actual[i] - expected[i]);
            diff = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(diff, d);
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }

    /// <summary>The model's output for input x in ONNX Runtime (CPU, 2 threads).</summary>
    public static float[] Run(byte[] model, Tensor x, out long[] shape)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        using var input = OrtValue.CreateTensorValueFromMemory(x.ToArray<float>(), x.ShapeCopy().Select(d => (long)d).ToArray());
        using var run = new RunOptions();
        using var outputs = session.Run(run, ["input"], [input], ["output"]);
        shape = outputs[0].GetTensorTypeAndShape().Shape;
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>
    /// Moves every parameter away from its initialisation (p·U(0.75, 1.25) + N(0, 0.05)) except those of
    /// convolutions and linear layers (random already), and gives batch norms random running statistics (mean
    /// N(0, 0.1), variance U(0.5, 1.5)), so that no activation or normalisation is at a special point (APL with
    /// a = 0 is ReLU, a fresh batch norm is the identity). Version-A PAU denominators also get random signs, which
    /// leave F unchanged (Q uses |b_k|) but would expose an export that forgets the |·|: the initial coefficients
    /// are mostly positive. (Random signs in B, C, D would change F, and C's Q = 0.1 + |…| near a root of the inner
    /// polynomial makes F so steep that float32 rounding alone, Pade's fused multiply-adds against ONNX's separate
    /// Mul and Add, moves it by more than the tolerance.)
    /// </summary>
    public static void Randomize(Module model, ulong seed)
    {
        var g = new Generator(seed);
        using var _ = Tensor.NoGrad();
        foreach (var (_, m) in model.NamedModules())
        {
            if (m is Conv2d or Linear) continue;
            foreach (var (name, p) in m.LocalParameters())
                p.CopyFrom(p * Tensor.Rand(p.ShapeCopy(), 0.75, 1.25, generator: g) + Tensor.Randn(p.ShapeCopy(), 0, 0.05, generator: g));
            if (m is Pade.Layers.Activations.Pau { Version: Pade.Engine.Functional.PauVersion.A } pau)
                pau.Denominator.CopyFrom(pau.Denominator * Tensor.Rand(pau.Denominator.ShapeCopy(), -1, 1, generator: g).Sign());
            var (runningMean, runningVar) = m switch
            {
                NormBase norm => (norm.RunningMean, norm.RunningVar),
                _ => (null, null),
            };
            if (runningMean is Tensor mean && runningVar is Tensor variance)
            {
                mean.CopyFrom(Tensor.Randn(mean.ShapeCopy(), 0, 0.1, generator: g));
                variance.CopyFrom(Tensor.Rand(variance.ShapeCopy(), 0.5, 1.5, generator: g));
            }
        }
    }

    public static Tensor Input(ulong seed, params int[] shape) => Tensor.Randn(shape, generator: new Generator(seed));
}
