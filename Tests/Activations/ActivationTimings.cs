using System.Diagnostics;
using NUnit.Framework;
using Pade.Engine;

namespace Pade.Tests.Activations;

/// <summary>Kernel timings of the pointwise activations on float32 (explicit: not part of the suite). Calls the
/// backend directly, into preallocated outputs, so the numbers are the kernels' alone (no autograd, no allocation).</summary>
[Explicit("timing, run by hand")]
public class ActivationTimings
{
    private static readonly (string Name, UnaryOp Op, double A, double B)[] Ops =
    [
        ("relu", UnaryOp.Relu, 0, 0), ("sigmoid", UnaryOp.Sigmoid, 0, 0), ("tanh", UnaryOp.Tanh, 0, 0),
        ("elu", UnaryOp.Elu, 1, 0), ("celu", UnaryOp.Celu, 1, 0), ("softplus", UnaryOp.Softplus, 1, 20),
        ("silu", UnaryOp.Silu, 1, 0), ("gelu", UnaryOp.Gelu, 0, 0), ("gelu_tanh", UnaryOp.GeluTanh, 0, 0),
        ("mish", UnaryOp.Mish, 0, 0),
    ];

    [TestCase(1 << 20, 5)]
    [TestCase(1 << 24, 2)]
    public void Float32(int n, int reps)
    {
        var x = Tensor.Randn([n], std: 3, generator: new Generator(1));
        var y = Tensor.Empty([n]);
        var dy = Tensor.Randn([n], generator: new Generator(2));
        var dx = Tensor.Empty([n]);
        var be = x.Backend;
        foreach (var (name, op, a, b) in Ops)
        {
            double fwd = double.MaxValue, bwd = double.MaxValue;
            for (int rep = 0; rep <= reps; rep++)
            {
                var sw = Stopwatch.StartNew();
                be.Unary(op, x, y, a, b);
                double f = sw.Elapsed.TotalMilliseconds;
                sw.Restart();
                be.UnaryBackward(op, x, y, dy, dx, a, b);
                double g = sw.Elapsed.TotalMilliseconds;
                if (rep > 0) { fwd = Math.Min(fwd, f); bwd = Math.Min(bwd, g); }
            }
            TestContext.Out.WriteLine($"{n,9} {name,-10} forward {fwd,8:F2} ms  backward {bwd,8:F2} ms  fwd+bwd {fwd + bwd,8:F2} ms");
        }
    }
}
