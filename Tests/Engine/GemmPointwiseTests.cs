using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Cpu;

namespace Pade.Tests.Engine;

/// <summary>The CPU bandwidth-bound kernels (pointwise, strided copy, reductions) on the paths the performance
/// work added: streaming stores for large outputs, long rows cut across cores, tiled transposes, pooled
/// intermediates. (Kept next to the GEMM tests: same CPU-performance work.)</summary>
public class PointwiseKernelTests
{
    /// <summary>Past <see cref="VectorLoop.StreamingBytes"/> (5M floats = 20 MB), with an odd length.</summary>
    private const int Large = 5_000_003;

    [Test]
    public void LargeBinaryOpsMatchScalar()
    {
        var a = Tensor.Randn([Large]); var b = Tensor.Randn([Large]);
        var av = a.ToArray<float>(); var bv = b.ToArray<float>();
        var sum = (a + b).ToArray<float>();
        var prod = (a * b).ToArray<float>();
        for (int i = 0; i < Large; i++)
        {
            if (sum[i] != av[i] + bv[i]) Assert.Fail($"(a + b)[{i}] = {sum[i]}, expected {av[i] + bv[i]}");
            if (prod[i] != av[i] * bv[i]) Assert.Fail($"(a * b)[{i}] = {prod[i]}, expected {av[i] * bv[i]}");
        }
    }

    [Test]
    public void LargeInPlaceAddReadsOriginalValues()
    {
        var a = Tensor.Randn([Large]); var b = Tensor.Randn([Large]);
        var expected = a.ToArray<float>().Zip(b.ToArray<float>(), (x, y) => x + y).ToArray();
        using (Tensor.NoGrad()) a.Add_(b);
        Assert.That(a.ToArray<float>().SequenceEqual(expected), Is.True, "a.Add_(b) differs from a + b");
        // Same buffer as both input and output: y = y + y.
        var c = Tensor.Randn([Large]);
        var doubled = c.ToArray<float>().Select(x => x + x).ToArray();
        using (Tensor.NoGrad()) c.Add_(c);
        Assert.That(c.ToArray<float>().SequenceEqual(doubled), Is.True, "c.Add_(c) differs from c + c");
    }

    [TestCase(1000, 5003)]   // long rows, streamed
    [TestCase(300, 7)]       // many short rows grouped per task
    public void BroadcastBinaryMatchesScalar(int rows, int cols)
    {
        var x = Tensor.Randn([rows, cols]); var bias = Tensor.Randn([cols]); var scale = Tensor.Randn([rows, 1]);
        var y = ((x + bias) * scale).ToArray<float>();
        var z = (bias - x).ToArray<float>();
        var xv = x.ToArray<float>(); var bv = bias.ToArray<float>(); var sv = scale.ToArray<float>();
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                int i = r * cols + c;
                if (y[i] != (xv[i] + bv[c]) * sv[r]) Assert.Fail($"(x + bias) * scale at [{r}, {c}] = {y[i]}, expected {(xv[i] + bv[c]) * sv[r]}");
                if (z[i] != bv[c] - xv[i]) Assert.Fail($"bias - x at [{r}, {c}] = {z[i]}, expected {bv[c] - xv[i]}");
            }
    }

    [Test]
    public void WhereOverOneLongRowAndBroadcast()
    {
        var x = Tensor.Randn([100_003]); var y = Tensor.Randn([100_003]);
        var w = Tensor.Where(x.Gt(y), x, y).ToArray<float>();
        var xv = x.ToArray<float>(); var yv = y.ToArray<float>();
        for (int i = 0; i < xv.Length; i++) Assert.That(w[i], Is.EqualTo(Math.Max(xv[i], yv[i])));
        var m = Tensor.Randn([30, 40]); var zero = Tensor.Zeros(40);
        var relu = Tensor.Where(m.Gt(zero), m, zero).ToArray<float>();
        Assert.That(relu, Is.EqualTo(m.ToArray<float>().Select(v => v > 0 ? v : 0f).ToArray()));
    }

    [Test]
    public void LargeExpMatchesScalar()
    {
        var x = Tensor.Rand([Large], -10, 10);
        var y = x.Exp().ToArray<float>();
        var xv = x.ToArray<float>();
        for (int i = 0; i < Large; i++)
        {
            float e = MathF.Exp(xv[i]);
            if (!Expect.Near(y[i], e, 1e-6f * e)) Assert.Fail($"exp({xv[i]}) = {y[i]}, expected {e}");
        }
    }

    /// <summary>The float vector exp against the correctly rounded value, over the whole range including
    /// subnormal results, and at the special values.</summary>
    [Test]
    public void FloatExpIsWithinTwoUlp()
    {
        double worst = 0; float at = 0;
        var lanes = new float[16];
        for (double v = -104; v < 89; v += 16 * 0.000731)
        {
            for (int i = 0; i < 16; i++) lanes[i] = (float)(v + i * 0.000731);
            var y = VMath.ExpFloat(System.Runtime.Intrinsics.Vector512.Create(lanes));
            for (int i = 0; i < 16; i++)
            {
                double exact = Math.Exp(lanes[i]);
                float rounded = (float)exact, got = y[i];
                if (float.IsInfinity(rounded)) { Assert.That(got, Is.EqualTo(float.PositiveInfinity), $"exp({lanes[i]})"); continue; }
                // One ulp at the result's magnitude; subnormals share the smallest one.
                double ulp = Math.Max(MathF.BitIncrement(rounded) - rounded, float.Epsilon);
                double err = Math.Abs(got - exact) / ulp;
                if (err > worst) { worst = err; at = lanes[i]; }
            }
        }
        TestContext.Out.WriteLine($"max error {worst:F2} ulp at x = {at}");
        Assert.That(worst, Is.LessThan(2), $"exp({at}) is off by {worst:F2} ulp");
        float[] special = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, -200f, 200f, 1f];
        float[] expected = [1f, 1f, float.PositiveInfinity, 0f, float.NaN, 0f, float.PositiveInfinity, MathF.E];
        var s = VMath.ExpFloat(System.Runtime.Intrinsics.Vector512.Create([.. special, .. new float[8]]));
        for (int i = 0; i < special.Length; i++)
            Assert.That(s[i], Is.EqualTo(expected[i]).Within(i == 7 ? 1e-6f : 0f), $"exp({special[i]})");
    }

    /// <summary>The exponential's scale step without AVX-512 (two exponent-bit factors) gives the same bits as
    /// vscalefps, which the exponential uses where AVX-512 is present, for every n it is given and mantissas p in
    /// e^[−ln2/2, ln2/2], subnormal and rounded-to-zero results included; NaN in x gives NaN.</summary>
    [Test]
    public void ExpScaleWithoutAvx512GivesTheBitsOfVscalef()
    {
        if (!System.Runtime.Intrinsics.X86.Avx512F.IsSupported) Assert.Ignore("no AVX-512 here: nothing to compare with");
        var rng = new Random(18);
        var p = new float[16]; var n = new float[16]; var x = new float[16];
        for (int round = 0; round < 4000; round++)
        {
            for (int i = 0; i < 16; i++)
            {
                p[i] = MathF.Exp((float)(rng.NextDouble() - 0.5) * 0.6931472f);
                n[i] = rng.Next(-150, 129);
                x[i] = round % 97 == 0 && i == 3 ? float.NaN : 1f;
            }
            var pv = System.Runtime.Intrinsics.Vector512.Create(p);
            var nv = System.Runtime.Intrinsics.Vector512.Create(n);
            var t = nv + System.Runtime.Intrinsics.Vector512.Create(12582912f);
            var portable = VMath.ScaleByExponentBits(pv, t, System.Runtime.Intrinsics.Vector512.Create(x));
            var scalef = System.Runtime.Intrinsics.X86.Avx512F.Scale(pv, nv);
            for (int i = 0; i < 16; i++)
            {
                if (float.IsNaN(x[i])) { Assert.That(portable[i], Is.NaN, "NaN in x"); continue; }
                Assert.That(BitConverter.SingleToInt32Bits(portable[i]), Is.EqualTo(BitConverter.SingleToInt32Bits(scalef[i])),
                    $"{p[i]:R}·2^{n[i]}: {portable[i]:R} without AVX-512, {scalef[i]:R} from vscalefps");
            }
        }
    }

    [TestCase(3, 37, 45)]
    [TestCase(1, 300, 257)]
    public void TransposedCopy(int batch, int rows, int cols)
    {
        var m = Tensor.Randn([batch, rows, cols], dtype: DType.Float64);
        var mv = m.ToArray<double>();
        var t = m.Transpose(1, 2).Contiguous().ToArray<double>();
        var tf = m.Transpose(1, 2).To(DType.Float32).ToArray<float>();
        var mf = m.To(DType.Float32);
        var tff = mf.Transpose(1, 2).Contiguous().ToArray<float>();
        Assert.That(tff, Is.EqualTo(tf), "float transpose (register blocks) differs from the converting copy");
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < cols; i++)
                for (int j = 0; j < rows; j++)
                {
                    double v = mv[(b * rows + j) * cols + i];
                    Assert.That(t[(b * cols + i) * rows + j], Is.EqualTo(v));
                    Assert.That(tf[(b * cols + i) * rows + j], Is.EqualTo((float)v));
                }
    }

    [Test]
    public void LongStridedRowCopy()
    {
        int n = 100_003;
        var x = Tensor.Randn([2 * n]);
        var every2nd = x.Reshape(n, 2).Narrow(1, 1, 1);   // one row of n elements with stride 2
        var y = every2nd.Contiguous().ToArray<float>();
        var xv = x.ToArray<float>();
        for (int i = 0; i < n; i++) Assert.That(y[i], Is.EqualTo(xv[2 * i + 1]));
    }

    [Test]
    public void ReductionsOverRunsAndColumns()
    {
        var x = Tensor.Randn([7, 9, 11, 5], dtype: DType.Float64);
        var xv = x.ToArray<double>();
        // Two separate runs of axes: {0} and {2, 3}, the second through a pooled intermediate.
        var s = x.Sum([0, 2, 3]).ToArray<double>();
        var mx = x.Max([0, 2, 3]).ToArray<double>();
        for (int j = 0; j < 9; j++)
        {
            double sum = 0, max = double.NegativeInfinity;
            for (int i = 0; i < 7; i++)
                for (int k = 0; k < 55; k++) { double v = xv[(i * 9 + j) * 55 + k]; sum += v; max = Math.Max(max, v); }
            Assert.That(s[j], Is.EqualTo(sum).Within(1e-12));
            Assert.That(mx[j], Is.EqualTo(max));
        }
        // Column sums of tall matrices: outer = 1, the rows cut into chunks and the inner axis into pieces.
        foreach (var (rows, cols) in new[] { (600, 9001), (5000, 37), (300, 5) })
        {
            var tall = Tensor.Randn([rows, cols]);
            var cs = tall.Sum([0]).ToArray<float>();
            var cm = tall.Max([0]).ToArray<float>();
            var tv = tall.ToArray<float>();
            for (int c = 0; c < cols; c += 1 + cols / 100)
            {
                double sum = 0; float max = float.NegativeInfinity;
                for (int r = 0; r < rows; r++) { sum += tv[r * cols + c]; max = Math.Max(max, tv[r * cols + c]); }
                Assert.That(cs[c], Is.EqualTo(sum).Within(1e-3), $"sum of column {c} of [{rows}, {cols}]");
                Assert.That(cm[c], Is.EqualTo(max), $"max of column {c} of [{rows}, {cols}]");
            }
        }
    }

    /// <summary>A loop that drops its results without disposing them reuses buffers after warm-up: the pool's
    /// budget triggers a collection whose finalizers return the dead buffers before new pages are touched.</summary>
    [Test]
    public void AddLoopDoesNotAllocateAfterWarmUp()
    {
        var a = Tensor.Randn([16 << 20]); var b = Tensor.Randn([16 << 20]);
        AddLoop(a, b, 8);
        var before = BufferPool<float>.Stats();
        AddLoop(a, b, 16);
        var after = BufferPool<float>.Stats();
        TestContext.Out.WriteLine($"before {before}\nafter  {after}");
        Assert.That(after.Misses - before.Misses, Is.Zero, "new arrays were allocated after warm-up");
        Assert.That(after.Hits - before.Hits, Is.EqualTo(16));
    }

    /// <summary>The loop in its own method: a debug build keeps a local alive to the end of its method, so a
    /// second loop in the test would see one more live result than the first.</summary>
    private static void AddLoop(Tensor a, Tensor b, int iterations)
    {
        for (int i = 0; i < iterations; i++) { var c = a + b; }
    }
}
