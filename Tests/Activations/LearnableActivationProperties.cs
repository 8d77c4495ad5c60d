using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using static Pade.Tests.Activations.ActivationGen;

namespace Pade.Tests.Activations;

/// <summary>
/// The learnable baselines and RReLU: forward against a scalar reference, and GradCheck of the input and of every
/// parameter, shared (one set) and per channel, with inputs away from the kinks the parameters put where they are.
/// </summary>
public class LearnableActivationProperties
{
    /// <summary>Parameter channel count: 1 (shared) or the input's channel count.</summary>
    private static Gen<int> ParamChannels(int c) => Gen.Elements(1, c);

    private static int Ch(ActCase x, long flat) => x.Shape[1] == 1 ? 0 : (int)(flat / (x.X.Length / x.Shape[0] / x.Shape[1]) % x.Shape[1]);

    [FsCheck.NUnit.Property(MaxTest = 15)]
    public Property PRelu() => Prop.ForAll(
        (from x in Input(Away(Uniform(-3, 3), 0))
         from pc in ParamChannels(x.Channels)
         from w in Gen.ArrayOf(Uniform(-1, 1), pc)
         select (x, w)).ToArbitrary(),
        c =>
        {
            var (x, w) = c;
            int pc = w.Length;
            var expected = x.X.Select((v, i) => v > 0 ? v : w[pc == 1 ? 0 : Ch(x, i)] * v).ToArray();
            Close(F.PRelu(x.Tensor(), Param(w, pc)).ToArray<double>(), expected, what: "prelu");
            Grad("prelu", xs => F.PRelu(xs[0], xs[1]), x.Seed, x.Tensor(), Param(w, pc));
        });

    [FsCheck.NUnit.Property(MaxTest = 15)]
    public Property Apl() => Prop.ForAll(
        (from hinges in Gen.Choose(1, 3)
         from shape in Shape
         from pc in ParamChannels(shape[1])
         from a in Gen.ArrayOf(Uniform(-1, 1), hinges * pc)
         from b in Gen.ArrayOf(Uniform(-1.5, 1.5), hinges * pc)
         from x in Input(Away(Uniform(-3, 3), [0, .. b]), Gen.Constant(shape))
         select (x, hinges, pc, a, b)).ToArbitrary(),
        c =>
        {
            var (x, S, pc, a, b) = c;
            var expected = x.X.Select((v, i) =>
            {
                int ch = pc == 1 ? 0 : Ch(x, i);
                double r = Math.Max(0, v);
                for (int s = 0; s < S; s++) r += a[s * pc + ch] * Math.Max(0, b[s * pc + ch] - v);
                return r;
            }).ToArray();
            Close(F.Apl(x.Tensor(), Param(a, S, pc), Param(b, S, pc)).ToArray<double>(), expected, what: "apl");
            Grad("apl", xs => F.Apl(xs[0], xs[1], xs[2]), x.Seed, x.Tensor(), Param(a, S, pc), Param(b, S, pc));
        });

    [FsCheck.NUnit.Property(MaxTest = 15)]
    public Property SRelu() => Prop.ForAll(
        (from shape in Shape
         from pc in ParamChannels(shape[1])
         from tl in Gen.ArrayOf(Uniform(-1.5, 0), pc)
         from width in Gen.ArrayOf(Uniform(0.2, 2), pc)
         from al in Gen.ArrayOf(Uniform(-0.5, 1), pc)
         from ar in Gen.ArrayOf(Uniform(0, 2), pc)
         let tr = tl.Zip(width, (l, w) => l + w).ToArray()
         from x in Input(Away(Uniform(-3, 3), [.. tl, .. tr]), Gen.Constant(shape))
         select (x, tl, al, tr, ar)).ToArbitrary(),
        c =>
        {
            var (x, tl, al, tr, ar) = c;
            int pc = tl.Length;
            var expected = x.X.Select((v, i) =>
            {
                int ch = pc == 1 ? 0 : Ch(x, i);
                return v >= tr[ch] ? tr[ch] + ar[ch] * (v - tr[ch]) : v <= tl[ch] ? tl[ch] + al[ch] * (v - tl[ch]) : v;
            }).ToArray();
            Tensor[] Ps() => [Param(tl, pc), Param(al, pc), Param(tr, pc), Param(ar, pc)];
            var p = Ps();
            Close(F.SRelu(x.Tensor(), p[0], p[1], p[2], p[3]).ToArray<double>(), expected, what: "srelu");
            Grad("srelu", xs => F.SRelu(xs[0], xs[1], xs[2], xs[3], xs[4]), x.Seed, [x.Tensor(), .. Ps()]);
        });

    [FsCheck.NUnit.Property(MaxTest = 15)]
    public Property Slaf() => Prop.ForAll(
        (from degree in Gen.Choose(0, 4)
         from shape in Shape
         from pc in ParamChannels(shape[1])
         from a in Gen.ArrayOf(Uniform(-1, 1), pc * (degree + 1))
         from x in Input(Uniform(-2, 2), Gen.Constant(shape))
         select (x, degree, pc, a)).ToArbitrary(),
        c =>
        {
            var (x, K, pc, a) = c;
            var expected = x.X.Select((v, i) =>
            {
                int ch = pc == 1 ? 0 : Ch(x, i);
                double r = 0;
                for (int k = 0; k <= K; k++) r += a[ch * (K + 1) + k] * Math.Pow(v, k);
                return r;
            }).ToArray();
            // Shared coefficients are 1-D [K + 1]; per-channel ones [C, K + 1].
            Tensor Coeffs() => pc == 1 ? Param(a, K + 1) : Param(a, pc, K + 1);
            Close(F.Slaf(x.Tensor(), Coeffs()).ToArray<double>(), expected, atol: 1e-12, rtol: 1e-12, what: "slaf");
            Grad("slaf", xs => F.Slaf(xs[0], xs[1]), x.Seed, x.Tensor(), Coeffs());
        });

    [FsCheck.NUnit.Property(MaxTest = 15)]
    public Property Maxout() => Prop.ForAll(
        (from k in Gen.Choose(1, 3)
         from n in Gen.Choose(1, 2)
         from g in Gen.Choose(1, 3)
         from l in Gen.Choose(1, 3)
         let count = n * g * k * l
         from order in Gen.Shuffle(Enumerable.Range(0, count))
         from seed in Seed
         select (k, new ActCase([n, g * k, l], order.Select(o => -2 + 4.0 * (o + 0.5) / count).ToArray(), seed))).ToArbitrary(),
        c =>
        {
            var (k, x) = c;
            int n = x.Shape[0], groups = x.Shape[1] / k, l = x.Shape[2];
            var expected = new double[n * groups * l];
            for (int o = 0; o < n; o++)
                for (int g = 0; g < groups; g++)
                    for (int s = 0; s < l; s++)
                        expected[(o * groups + g) * l + s] = Enumerable.Range(0, k).Max(j => x.X[(o * groups * k + g * k + j) * l + s]);
            var y = F.Maxout(x.Tensor(), k);
            Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { n, groups, l }));
            Close(y.ToArray<double>(), expected, what: "maxout");
            Grad("maxout", xs => F.Maxout(xs[0], k), x.Seed, x.Tensor());
        });

    [FsCheck.NUnit.Property(MaxTest = 15)]
    public Property Mixture() => Prop.ForAll(
        (from x in Input(Away(Uniform(-3, 3), 0))
         from pc in ParamChannels(x.Channels)
         from w in Gen.ArrayOf(Uniform(-1, 1), 3 * pc)
         select (x, pc, w)).ToArbitrary(),
        c =>
        {
            var (x, pc, w) = c;
            Func<Tensor, Tensor>[] fs = [t => t, t => F.Relu(t), t => F.Tanh(t)];
            Tensor W() => pc == 1 ? Param(w, 3) : Param(w, 3, pc);
            var expected = x.X.Select((v, i) =>
            {
                int ch = pc == 1 ? 0 : Ch(x, i);
                return w[ch] * v + w[pc + ch] * Math.Max(0, v) + w[2 * pc + ch] * Math.Tanh(v);
            }).ToArray();
            Close(F.Mixture(x.Tensor(), W(), fs).ToArray<double>(), expected, atol: 1e-14, rtol: 1e-13, what: "mixture");
            Grad("mixture", xs => F.Mixture(xs[0], xs[1], fs), x.Seed, x.Tensor(), W());
        });

    [FsCheck.NUnit.Property(MaxTest = 15)]
    public Property RReluTrainingWithFixedNoise() => Prop.ForAll(Inputs(-3, 3, 0), x =>
    {
        // A fresh generator with the same seed on every call: the check sees the same slopes each time.
        Tensor Op(Tensor t) => F.RRelu(t, 0.1, 0.4, training: true, generator: new Generator(x.Seed));
        var y = Op(x.Tensor()).ToArray<double>();
        for (int i = 0; i < y.Length; i++)
        {
            if (x.X[i] > 0) Assert.That(y[i], Is.EqualTo(x.X[i]));
            else Assert.That(y[i] / x.X[i], Is.InRange(0.1, 0.4), "slope drawn from U(lower, upper)");
        }
        Grad("rrelu", xs => Op(xs[0]), x.Seed, x.Tensor());
    });

    [Test]
    public void RReluSlopesFollowTheDocumentedNoiseStream()
    {
        var gen = new Generator(42) { Offset = 8 };
        var x = Tensor.Full([5], -1.0, DType.Float64);
        var y = F.RRelu(x, 0.2, 0.3, training: true, generator: gen).ToArray<double>();
        for (int i = 0; i < 5; i++)
            Assert.That(-y[i], Is.EqualTo(0.2 + 0.1 * NoiseStream.Uniform(42, 8, (ulong)i, single: false)).Within(1e-15));
        Assert.That(gen.Offset, Is.EqualTo(8 + 2 * 5), "float64 numbers take two words each");
        var y32 = F.RRelu(Tensor.Full([3], -1.0), 0.2, 0.3, training: true, generator: new Generator(42) { Offset = 8 }).ToArray<float>();
        Assert.That(-y32[2], Is.EqualTo((float)(0.2 + 0.1 * NoiseStream.Uniform(42, 8, 2, single: true))));
    }

    [Test]
    public void ParameterGradientsDoNotDependOnTheThreadCount()
    {
        // Large enough for many pieces: the per-channel sums must be bit-identical with 1 and 2 threads.
        var x = Tensor.Randn([4, 3, 20000], generator: new Generator(3));
        var g = Tensor.Randn([4, 3, 20000], generator: new Generator(4));
        float[] Run(int threads)
        {
            int saved = CpuBackend.Threads;
            CpuBackend.Threads = threads;
            try
            {
                var w = Tensor.Full([3], 0.1); w.RequiresGrad = true;
                F.PRelu(x, w).Backward(g);
                var c = Tensor.Full([3, 4], 0.1); c.RequiresGrad = true;
                F.Slaf(x, c).Backward(g);
                return [.. w.Grad!.ToArray<float>(), .. c.Grad!.ToArray<float>()];
            }
            finally { CpuBackend.Threads = saved; }
        }
        Assert.That(Run(2), Is.EqualTo(Run(1)));
    }

    [Test]
    public void BadShapesGiveClearErrors()
    {
        var x = Tensor.Zeros(2, 3, 4);
        Assert.That(() => F.PRelu(x, Tensor.Zeros(2)), Throws.ArgumentException.With.Message.Contains("has 3 channels on axis 1, the parameters have 2"));
        Assert.That(() => F.Maxout(x, 2), Throws.ArgumentException.With.Message.Contains("3 input channels"));
        Assert.That(() => F.Apl(x, Tensor.Zeros(2, 3), Tensor.Zeros(1, 3)), Throws.ArgumentException.With.Message.Contains("[hinges, channels]"));
        Assert.That(() => F.PRelu(Tensor.Zeros(5), Tensor.Zeros(5)), Throws.ArgumentException.With.Message.Contains("rank ≥ 2"));
        Assert.That(() => F.PRelu(x, Tensor.Zeros([3], DType.Float64)), Throws.ArgumentException.With.Message.Contains("dtypes"));
    }
}
