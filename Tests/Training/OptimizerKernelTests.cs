using System.Numerics;
using NUnit.Framework;
using Pade.Engine;
using Pade.Training.Optim;

namespace Pade.Tests.Training;

/// <summary>
/// The vectorised SGD and Adam updates against the same rule written element by element in T's own arithmetic
/// (same operations, same order), bit for bit, on lengths that leave no tail, a tail, only a tail, and several
/// parallel ranges; with momentum, dampening, Nesterov, weight decay, maximize, AdamW and AMSGrad, over three steps
/// (the first SGD step copies the gradient into the buffer).
/// </summary>
public class OptimizerKernelTests
{
    private static readonly int[] Lengths = [1, 7, 16, 17, 31, 33, 100, (1 << 15) + 45, 3 * (1 << 15)];

    private static T[] Values<T>(Random rng, int n, double scale) where T : IFloatingPointIeee754<T> =>
        Enumerable.Range(0, n).Select(_ => T.CreateTruncating(scale * (2 * rng.NextDouble() - 1))).ToArray();

    private static Tensor Make<T>(T[] v) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var t = typeof(T) == typeof(float) ? Tensor.FromArray((float[])(object)v, v.Length) : Tensor.FromArray((double[])(object)v, v.Length);
        t.RequiresGrad = true;
        return t;
    }

    [TestCase(0.0, 0.0, false, 0.0, false)]
    [TestCase(0.9, 0.0, false, 0.01, false)]
    [TestCase(0.9, 0.3, false, 0.0, true)]
    [TestCase(0.8, 0.0, true, 0.05, true)]
    public void SgdMatchesElementwiseRuleBitForBit(double momentum, double dampening, bool nesterov, double wd, bool maximize)
    {
        Sgd<float>(momentum, dampening, nesterov, wd, maximize);
        Sgd<double>(momentum, dampening, nesterov, wd, maximize);
    }

    private static void Sgd<T>(double momentum, double dampening, bool nesterov, double wd, bool maximize) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(11);
        foreach (int n in Lengths)
        {
            var x = Values<T>(rng, n, 2);
            var p = Make(x);
            var opt = new Sgd([new ParamGroup([p], lr: 0.1, weightDecay: wd)], momentum, dampening, nesterov, maximize);
            T lr = T.CreateTruncating(0.1), mu = T.CreateTruncating(momentum), damp = T.CreateTruncating(dampening), w = T.CreateTruncating(wd);
            var buf = new T[n];
            for (int step = 0; step < 3; step++)
            {
                var grad = Values<T>(rng, n, 1);
                p.Grad = Make(grad);
                opt.Step();
                for (int i = 0; i < n; i++)
                {
                    T g = (maximize ? -grad[i] : grad[i]) + w * x[i];
                    T d = g;
                    if (momentum != 0)
                    {
                        buf[i] = step == 0 ? g : mu * buf[i] + (T.One - damp) * g;
                        d = nesterov ? g + mu * buf[i] : buf[i];
                    }
                    x[i] -= lr * d;
                }
                Assert.That(p.ToArray<T>(), Is.EqualTo(x), $"{typeof(T).Name}, n = {n}, step {step}");
            }
        }
    }

    [TestCase(false, false, false)]
    [TestCase(true, false, false)]
    [TestCase(false, true, true)]
    [TestCase(true, true, false)]
    public void AdamMatchesElementwiseRuleBitForBit(bool decoupled, bool amsgrad, bool maximize)
    {
        Adam<float>(decoupled, amsgrad, maximize);
        Adam<double>(decoupled, amsgrad, maximize);
    }

    private static void Adam<T>(bool decoupled, bool amsgrad, bool maximize) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const double lr = 0.01, wd = 0.1, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        var rng = new Random(12);
        foreach (int n in Lengths)
        {
            var x = Values<T>(rng, n, 2);
            var p = Make(x);
            var opt = new Adam([new ParamGroup([p], lr, wd)], beta1, beta2, eps, decoupled, amsgrad, maximize);
            var m = new T[n]; var v = new T[n]; var vMax = new T[n];
            T b1 = T.CreateTruncating(beta1), b2 = T.CreateTruncating(beta2), w = T.CreateTruncating(wd), decay = T.CreateTruncating(1 - lr * wd);
            for (int t = 1; t <= 3; t++)
            {
                // Shrinking gradients: v falls below its running maximum, so AMSGrad's branch matters.
                var grad = Values<T>(rng, n, t == 1 ? 10 : 0.01);
                p.Grad = Make(grad);
                opt.Step();
                T stepSize = T.CreateTruncating(lr / (1 - Math.Pow(beta1, t))), sqrtBc2 = T.CreateTruncating(Math.Sqrt(1 - Math.Pow(beta2, t)));
                for (int i = 0; i < n; i++)
                {
                    T g = maximize ? -grad[i] : grad[i];
                    if (decoupled) x[i] *= decay; else g += w * x[i];
                    m[i] = b1 * m[i] + (T.One - b1) * g;
                    v[i] = b2 * v[i] + (T.One - b2) * g * g;
                    T vv = v[i];
                    if (amsgrad) { vMax[i] = T.Max(vMax[i], vv); vv = vMax[i]; }
                    x[i] = x[i] - stepSize * m[i] / (T.Sqrt(vv) / sqrtBc2 + T.CreateTruncating(eps));
                }
                Assert.That(p.ToArray<T>(), Is.EqualTo(x), $"{typeof(T).Name}, n = {n}, step {t}");
            }
        }
    }

    /// <summary>AMSGrad's maximum keeps a NaN (torch.maximum propagates it) in the vector lanes as in the tail.</summary>
    [Test]
    public void AmsGradMaximumPropagatesNaNInEveryLane()
    {
        foreach (int n in new[] { 16, 19 })
        {
            var p = Make(new float[n]);
            var opt = new Adam([new ParamGroup([p], 0.01, 0)], amsgrad: true);
            var g = Enumerable.Repeat(1f, n).ToArray();
            g[0] = g[n - 1] = float.NaN;
            p.Grad = Make(g);
            opt.Step();
            var max = opt.StateDict()["0.max_exp_avg_sq"].ToArray<float>();
            Assert.That(float.IsNaN(max[0]) && float.IsNaN(max[n - 1]), Is.True, $"n = {n}: NaN kept at both ends");
            float beta2 = 0.999f;
            Assert.That(max[1..^1], Has.All.EqualTo((1f - beta2) * 1f * 1f), $"n = {n}: the others are (1 − β₂)·g²");
        }
    }
}
