using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Autograd;
using Pade.Engine.Functional;
using Pade.Testing;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>
/// softmax / log_softmax / softmin, glu, threshold, bilinear and rms_norm against plain float64 loops of their
/// definitions and their backward against central differences, on random shapes (size-1 dims, empty batches,
/// negative dims). EmbeddingBag's are in <see cref="EmbeddingBagProperties"/>.
/// </summary>
public class Modules2Properties
{
    /// <summary>Applies f to every line of x along dim d (the other indices fixed).</summary>
    internal static Nd AlongDim(Nd x, int d, int outLen, Func<double[], double[]> f)
    {
        var outShape = (int[])x.Shape.Clone();
        outShape[d] = outLen;
        var y = new double[Nd.Count(outShape)];
        var lineShape = (int[])x.Shape.Clone();
        lineShape[d] = 1;
        for (int flat = 0; flat < Nd.Count(lineShape); flat++)
        {
            var idx = Nd.Unravel(flat, lineShape);
            var line = new double[x.Shape[d]];
            for (int i = 0; i < line.Length; i++) { idx[d] = i; line[i] = x.Data[Nd.Ravel(idx, x.Shape)]; }
            var r = f(line);
            for (int i = 0; i < outLen; i++) { idx[d] = i; y[Nd.Ravel(idx, outShape)] = r[i]; }
        }
        return new Nd(outShape, y);
    }

    private static double[] SoftmaxOf(double[] v)
    {
        double m = v.Max();
        var e = v.Select(x => Math.Exp(x - m)).ToArray();
        double s = e.Sum();
        return [.. e.Select(x => x / s)];
    }

    public sealed record DimCase(Spec X, int Dim, string Kind, ulong Seed)
    {
        public override string ToString() => $"{Kind} X {X} dim {Dim} seed {Seed}";
    }

    private static readonly Gen<DimCase> DimCases =
        from shape in EngineGen.Shape(1, 4)
        from x in EngineGen.Values(shape, EngineGen.Uniform(-3, 3))
        from dim in Gen.Choose(-shape.Length, shape.Length - 1)
        from kind in Gen.Elements("softmax", "log_softmax", "softmin")
        from seed in EngineGen.Seed
        select new DimCase(x, dim, kind, seed);

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public Property SoftmaxFamilyMatchesTheDefinition() => Prop.ForAll(DimCases.ToArbitrary(), c =>
    {
        Func<Tensor, Tensor> f = c.Kind switch
        {
            "softmax" => t => F.Softmax(t, c.Dim),
            "log_softmax" => t => F.LogSoftmax(t, c.Dim),
            _ => t => F.Softmin(t, c.Dim),
        };
        int d = c.Dim < 0 ? c.Dim + c.X.Rank : c.Dim;
        var expected = AlongDim(Nd.Of(c.X), d, c.X.Shape[d], (double[] v) => c.Kind switch
        {
            "softmax" => SoftmaxOf(v),
            "log_softmax" => SoftmaxOf(v).Select(p => Math.Log(p)).ToArray(),
            _ => SoftmaxOf(v.Select(x => -x).ToArray()),
        });
        Expect.Close(f(c.X.Tensor()), expected, 1e-12, 1e-12, c.Kind);
        Expect.Close(f(c.X.Tensor(DType.Float32)).To(DType.Float64), expected, 1e-6, 1e-5, c.Kind + " float32");
        Expect.Grad(c.Kind, t => f(t[0]), c.Seed, c.X.Tensor());
    });

    private static readonly Gen<DimCase> GluCases =
        from raw in EngineGen.Shape(1, 4)
        from dim in Gen.Choose(-raw.Length, raw.Length - 1)
        let shape = raw.Select((s, i) => i == (dim < 0 ? dim + raw.Length : dim) ? 2 * Math.Min(s, 3) : s).ToArray()
        from x in EngineGen.Values(shape, EngineGen.Uniform(-3, 3))
        from seed in EngineGen.Seed
        select new DimCase(x, dim, "glu", seed);

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public Property GluMatchesTheDefinition() => Prop.ForAll(GluCases.ToArbitrary(), c =>
    {
        int d = c.Dim < 0 ? c.Dim + c.X.Rank : c.Dim, h = c.X.Shape[d] / 2;
        var expected = AlongDim(Nd.Of(c.X), d, h, v => [.. Enumerable.Range(0, h).Select(i => v[i] / (1 + Math.Exp(-v[h + i])))]);
        Expect.Close(F.Glu(c.X.Tensor(), c.Dim), expected, 1e-12, 1e-12, "glu");
        Expect.Grad("glu", t => F.Glu(t[0], c.Dim), c.Seed, c.X.Tensor());
    });

    public sealed record ThresholdCase(Spec X, double Threshold, double Value, ulong Seed)
    {
        public override string ToString() => $"X {X} threshold {Threshold} value {Value} seed {Seed}";
    }

    [FsCheck.NUnit.Property(MaxTest = 50)]
    public Property ThresholdMatchesTheDefinition() => Prop.ForAll((
        from th in Gen.Elements(-0.5, 0.0, 0.7)
        from value in Gen.Elements(0.0, -3.0, 20.0)
        from shape in EngineGen.Shape(0, 4)
        from x in EngineGen.Values(shape, PadeArb.ValueAwayFrom(-2, 2, [th], 0.01))
        from seed in EngineGen.Seed
        select new ThresholdCase(x, th, value, seed)).ToArbitrary(), c =>
    {
        var expected = new Nd(c.X.Shape, [.. c.X.Values.Select(v => v > c.Threshold ? v : c.Value)]);
        Expect.Exact(F.Threshold(c.X.Tensor(), c.Threshold, c.Value), expected, "threshold");
        Expect.Grad("threshold", t => F.Threshold(t[0], c.Threshold, c.Value), c.Seed, c.X.Tensor());
    });

    public sealed record BilinearCase(Spec X1, Spec X2, Spec W, Spec? B, ulong Seed)
    {
        public override string ToString() => $"x1 {X1} x2 {X2} W {W} b {B?.ToString() ?? "none"} seed {Seed}";
    }

    private static readonly Gen<BilinearCase> BilinearCases =
        from leadRank in Gen.Choose(0, 2)
        from lead in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0)), (2, Gen.Constant(1)), (4, Gen.Choose(2, 3))), leadRank)
        from in1 in Gen.Choose(1, 4)
        from in2 in Gen.Choose(1, 4)
        from outF in Gen.Choose(1, 3)
        from x1 in EngineGen.Values([.. lead, in1], EngineGen.Uniform(-2, 2))
        from x2 in EngineGen.Values([.. lead, in2], EngineGen.Uniform(-2, 2))
        from w in EngineGen.Values([outF, in1, in2], EngineGen.Uniform(-1, 1))
        from hasBias in Gen.Elements(true, false)
        from b in EngineGen.Values([outF], EngineGen.Uniform(-1, 1))
        from seed in EngineGen.Seed
        select new BilinearCase(x1, x2, w, hasBias ? b : null, seed);

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public Property BilinearMatchesTheDefinition() => Prop.ForAll(BilinearCases.ToArbitrary(), c =>
    {
        int in1 = c.X1.Shape[^1], in2 = c.X2.Shape[^1], outF = c.W.Shape[0];
        var lead = c.X1.Shape[..^1];
        int m = Nd.Count(lead);
        var y = new double[m * outF];
        for (int r = 0; r < m; r++)
            for (int o = 0; o < outF; o++)
            {
                double s = c.B?.Values[o] ?? 0;
                for (int i = 0; i < in1; i++)
                    for (int j = 0; j < in2; j++)
                        s += c.X1.Values[r * in1 + i] * c.W.Values[(o * in1 + i) * in2 + j] * c.X2.Values[r * in2 + j];
                y[r * outF + o] = s;
            }
        var expected = new Nd([.. lead, outF], y);
        Expect.Close(F.Bilinear(c.X1.Tensor(), c.X2.Tensor(), c.W.Tensor(), c.B?.Tensor()), expected, 1e-12, 1e-12, "bilinear");
        if (m == 0) return;
        Expect.Close(F.Bilinear(c.X1.Tensor(DType.Float32), c.X2.Tensor(DType.Float32), c.W.Tensor(DType.Float32), c.B?.Tensor(DType.Float32)).To(DType.Float64),
            expected, 1e-5, 1e-5, "bilinear float32");
        Tensor[] inputs = c.B is Spec bs ? [c.X1.Tensor(), c.X2.Tensor(), c.W.Tensor(), bs.Tensor()] : [c.X1.Tensor(), c.X2.Tensor(), c.W.Tensor()];
        Expect.Grad("bilinear", t => F.Bilinear(t[0], t[1], t[2], t.Length > 3 ? t[3] : null), c.Seed, inputs);
    });

    public sealed record RmsCase(Spec X, int D, double? Eps, Spec? Weight, ulong Seed)
    {
        public override string ToString() => $"X {X} normalized dims {D} eps {Eps?.ToString() ?? "None"} weight {Weight?.ToString() ?? "none"} seed {Seed}";
    }

    private static readonly Gen<RmsCase> RmsCases =
        from shape in EngineGen.Shape(1, 4)
        from d in Gen.Choose(1, shape.Length)
        from x in EngineGen.Values(shape, EngineGen.NonZeroValue)
        from eps in Gen.Elements<double?>(null, 1e-3, 0.5)
        from hasWeight in Gen.Elements(true, false)
        from w in EngineGen.Values(shape[^d..], EngineGen.Uniform(-2, 2))
        from seed in EngineGen.Seed
        select new RmsCase(x, d, eps, hasWeight ? w : null, seed);

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public Property RmsNormMatchesTheDefinition() => Prop.ForAll(RmsCases.ToArbitrary(), c =>
    {
        var norm = c.X.Shape[^c.D..];
        int k = Nd.Count(norm), rows = c.X.Values.Length / k;
        double eps = c.Eps ?? Math.Pow(2, -52);
        var y = new double[c.X.Values.Length];
        for (int r = 0; r < rows; r++)
        {
            double ms = 0;
            for (int i = 0; i < k; i++) ms += c.X.Values[r * k + i] * c.X.Values[r * k + i];
            double inv = 1 / Math.Sqrt(ms / k + eps);
            for (int i = 0; i < k; i++) y[r * k + i] = c.X.Values[r * k + i] * inv * (c.Weight?.Values[i] ?? 1);
        }
        var expected = new Nd(c.X.Shape, y);
        Expect.Close(F.RmsNorm(c.X.Tensor(), norm, c.Weight?.Tensor(), c.Eps), expected, 1e-12, 1e-12, "rms_norm");
        Expect.Close(F.RmsNorm(c.X.Tensor(DType.Float32), norm, c.Weight?.Tensor(DType.Float32), c.Eps).To(DType.Float64), expected, 1e-5, 1e-5, "rms_norm float32");
        Tensor[] inputs = c.Weight is Spec ws ? [c.X.Tensor(), ws.Tensor()] : [c.X.Tensor()];
        Expect.Grad("rms_norm", t => F.RmsNorm(t[0], norm, t.Length > 1 ? t[1] : null, c.Eps), c.Seed, inputs);
    });
}
