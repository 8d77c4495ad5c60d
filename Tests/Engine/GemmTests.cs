using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Cpu;

namespace Pade.Tests.Engine;

/// <summary>The packed GEMM against a naive triple loop: edge sizes around the register tile (MR = 8, NR = 32
/// floats / 16 doubles) and the K block, all four transpose combinations, beta 0 and 1, float and double.</summary>
[NonParallelizable]
public class GemmTests
{
    /// <summary>(m, n, k): ones, primes, sizes just off multiples of MR, NR and KC, and the direct path.</summary>
    private static readonly (int M, int N, int K)[] Sizes =
    [
        (1, 1, 1), (1, 70, 33), (70, 1, 33), (2, 3, 4), (13, 31, 7), (14, 32, 64), (15, 33, 65), (29, 17, 70),
        (37, 41, 43), (24, 64, 40), (16, 48, 48), (47, 65, 33), (64, 64, 64), (69, 67, 257), (28, 48, 383), (257, 33, 19), (100, 130, 300), (257, 383, 41),
    ];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var (m, n, k) in Sizes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    yield return new TestCaseData(m, n, k, ta, tb).SetName($"Gemm({m}x{n}x{k}, transA={ta}, transB={tb})");
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesNaive(int m, int n, int k, bool transA, bool transB)
    {
        var rnd = new Random(m * 7919 + n * 104729 + k * 31 + (transA ? 1 : 0) + (transB ? 2 : 0));
        foreach (double beta in new[] { 0.0, 1.0 })
        {
            Check<double>(rnd, m, n, k, transA, transB, beta, 1e-12);
            Check<float>(rnd, m, n, k, transA, transB, beta, 1e-5);
        }
    }

    /// <summary>Many small blocks in every dimension: several jc, pc and ic iterations, uneven last blocks.</summary>
    [Test]
    public void SmallBlocksMatchNaive()
    {
        var saved = Gemm.Blocking;
        try
        {
            Gemm.Blocking = new GemmBlocking(Kc: 37, Mc: 30, Nc: 40);
            var rnd = new Random(5);
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    Check<float>(rnd, 97, 131, 150, ta, tb, 1.0, 1e-5);
                    Check<double>(rnd, 97, 131, 150, ta, tb, 0.0, 1e-12);
                }
        }
        finally { Gemm.Blocking = saved; }
    }

    [Test]
    public void BetaZeroIgnoresNaNInC()
    {
        var a = Enumerable.Range(0, 40 * 50).Select(i => (float)(i % 7)).ToArray();
        var b = Enumerable.Range(0, 50 * 60).Select(i => (float)(i % 5)).ToArray();
        var c = Enumerable.Repeat(float.NaN, 40 * 60).ToArray();
        Gemm.Multiply(false, false, 40, 60, 50, a, b, c, 0f);
        Assert.That(c.All(float.IsFinite), Is.True);
    }

    [Test]
    public void ZeroKScalesC()
    {
        var c = new[] { 1.0, 2.0, 3.0, 4.0 };
        Gemm.Multiply(false, false, 2, 2, 0, ReadOnlySpan<double>.Empty, ReadOnlySpan<double>.Empty, c, 1.0);
        Assert.That(c, Is.EqualTo(new[] { 1.0, 2.0, 3.0, 4.0 }));
        Gemm.Multiply(false, false, 2, 2, 0, ReadOnlySpan<double>.Empty, ReadOnlySpan<double>.Empty, c, 0.0);
        Assert.That(c, Is.EqualTo(new double[4]));
    }

    [Test]
    public void TooShortOperandIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 4, 4, 4, new float[15], new float[16], new float[16], 0f));
        Assert.That(ex!.Message, Does.Contain("A holds 15 elements"));
    }

    /// <summary>Each element of C is summed in the same order whatever the thread count.</summary>
    [Test]
    public void ThreadCountDoesNotChangeBits()
    {
        var rnd = new Random(11);
        int m = 300, n = 200, k = 520;
        var a = Random<float>(rnd, m * k); var b = Random<float>(rnd, k * n);
        var c1 = new float[m * n]; var c2 = new float[m * n];
        int saved = CpuParallel.Threads;
        try
        {
            CpuParallel.Threads = 1;
            Gemm.Multiply(false, true, m, n, k, a, b, c1, 0f);
            CpuParallel.Threads = 2;
            Gemm.Multiply(false, true, m, n, k, a, b, c2, 0f);
        }
        finally { CpuParallel.Threads = saved; }
        Assert.That(c2, Is.EqualTo(c1));
    }

    /// <summary>A read in place (Gemm.AInPlace: AVX-512, at most 512 columns) gives the bits of packed A: stored
    /// [M, K] or [K, M] (transA), rows off multiples of the sliver (the partial last sliver is packed on the fly), K
    /// in uneven blocks, both thread counts, beta 0 and 1, float and double, and B transposed or not.</summary>
    [TestCase(257, 130, 300)]
    [TestCase(512, 128, 600)]
    [TestCase(9, 512, 40)]
    [TestCase(33, 33, 1000)]
    public void AInPlaceGivesTheBitsOfPackedA(int m, int n, int k)
    {
        var rnd = new Random(m + n + k);
        Bits<float>(rnd, m, n, k);
        Bits<double>(rnd, m, n, k);
        var saved = Gemm.Blocking;
        try { Gemm.Blocking = new GemmBlocking(Kc: 37, Mc: 30, Nc: 40); Bits<float>(rnd, m, n, k); }
        finally { Gemm.Blocking = saved; }
    }

    /// <summary>The same for the column-batched product (a 1x1 convolution over NCHW in place), A stored either way,
    /// batches narrower than a sliver and with gaps between them.</summary>
    [TestCase(257, 8, 64, 40)]
    [TestCase(64, 16, 130, 24)]
    [TestCase(33, 64, 8, 300)]
    [TestCase(41, 4, 30, 70)]
    public void AInPlaceGivesTheBitsOfPackedAInColumnBatches(int m, int batches, int P, int k)
    {
        var rnd = new Random(m + P + k);
        int n = batches * P;
        long strideB = (long)k * P + 5, strideC = (long)m * P + 3;
        var a = Random<float>(rnd, m * k);
        var b = Random<float>(rnd, (int)(strideB * batches));
        var c0 = Random<float>(rnd, (int)(strideC * batches));
        bool savedSwitch = Gemm.AInPlace;
        int savedThreads = CpuParallel.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
                foreach (bool ta in new[] { false, true })
                {
                    CpuParallel.Threads = threads;
                    var packed = (float[])c0.Clone(); var inPlace = (float[])c0.Clone();
                    Gemm.AInPlace = false;
                    Gemm.Multiply(ta, m, n, k, a, b, packed, 1f, new GemmColumnBatches(P, strideB, strideC));
                    Gemm.AInPlace = true;
                    Gemm.Multiply(ta, m, n, k, a, b, inPlace, 1f, new GemmColumnBatches(P, strideB, strideC));
                    Assert.That(inPlace, Is.EqualTo(packed), $"{m}x{n}x{k} in batches of {P}, transA={ta}, threads={threads}");
                }
        }
        finally { Gemm.AInPlace = savedSwitch; CpuParallel.Threads = savedThreads; }
    }

    private static void Bits<T>(Random rnd, int m, int n, int k) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var a = Random<T>(rnd, m * k); var b = Random<T>(rnd, k * n); var c0 = Random<T>(rnd, m * n);
        bool savedSwitch = Gemm.AInPlace;
        int savedThreads = CpuParallel.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
                foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (T beta in new[] { T.Zero, T.One })
                    {
                        CpuParallel.Threads = threads;
                        var packed = (T[])c0.Clone(); var inPlace = (T[])c0.Clone();
                        Gemm.AInPlace = false;
                        Gemm.Multiply(ta, tb, m, n, k, a, b, packed, beta);
                        Gemm.AInPlace = true;
                        Gemm.Multiply(ta, tb, m, n, k, a, b, inPlace, beta);
                        for (int i = 0; i < m * n; i++)
                            if (!inPlace[i].Equals(packed[i]))
                                Assert.Fail($"{typeof(T).Name} {m}x{n}x{k} transA={ta} transB={tb} beta={beta} threads={threads}: A in place gives C[{i / n}, {i % n}] = {inPlace[i]}, packed A {packed[i]}");
                    }
        }
        finally { Gemm.AInPlace = savedSwitch; CpuParallel.Threads = savedThreads; }
    }

    /// <summary>a.T and b.T reach the GEMM as transposed operands (no contiguous copy) and agree with the copies.</summary>
    [Test]
    public void MatMulOfTransposedViews()
    {
        var a = Tensor.Randn([70, 45]);   // used as a.T: [45, 70]
        var b = Tensor.Randn([33, 70]);   // used as b.T: [70, 33]
        var before = BufferPool<float>.Stats();
        var viaViews = Tensor.MatMul(a.T, b.T);
        var after = BufferPool<float>.Stats();
        // Only the [45, 33] result is rented: neither operand was copied.
        Assert.That(after.Hits + after.Misses - before.Hits - before.Misses, Is.EqualTo(1));
        var viaCopies = Tensor.MatMul(a.T.Contiguous(), b.T.Contiguous());
        Assert.That(viaViews.Shape.ToArray(), Is.EqualTo(new[] { 45, 33 }));
        // Packing absorbs the transposes, so the arithmetic (and the bits) are the same.
        Assert.That(viaViews.ToArray<float>(), Is.EqualTo(viaCopies.ToArray<float>()));
        var av = a.ToArray<float>(); var bv = b.ToArray<float>(); var cv = viaViews.ToArray<float>();
        for (int i = 0; i < 45; i++)
            for (int j = 0; j < 33; j++)
            {
                double s = 0;
                for (int p = 0; p < 70; p++) s += (double)av[p * 45 + i] * bv[j * 70 + p];
                Assert.That(cv[i * 33 + j], Is.EqualTo(s).Within(1e-4));
            }
    }

    [Test]
    public void BatchedMatMulOfTransposedViews()
    {
        var a = Tensor.Randn([3, 20, 50], dtype: DType.Float64);
        var b = Tensor.Randn([3, 40, 20], dtype: DType.Float64);
        var c = Tensor.MatMul(a.Transpose(-2, -1), b.Transpose(-2, -1)).ToArray<double>();
        var reference = Tensor.MatMul(a.Transpose(-2, -1).Contiguous(), b.Transpose(-2, -1).Contiguous()).ToArray<double>();
        Assert.That(c, Is.EqualTo(reference));
        // Small matrices of a batch run in parallel with each other; each must equal its own 2-D product.
        for (int i = 0; i < 3; i++)
        {
            var one = Tensor.MatMul(a.Select(0, i).T, b.Select(0, i).T).ToArray<double>();
            Assert.That(c.AsSpan(i * 50 * 40, 50 * 40).ToArray(), Is.EqualTo(one), $"batch item {i}");
        }
    }

    /// <summary>Column batches (B and C of images in NCHW: batch s of P columns, strides past the rows, so gaps between
    /// batches stay untouched): P below, at and past the 32-column sliver, batches that split a sliver, beta 0, 1 and
    /// 0.5, both layouts of A, small blocks so several K and N blocks meet batch edges.</summary>
    [TestCase(1, 5, 3, 4)] [TestCase(7, 9, 2, 5)] [TestCase(16, 17, 33, 3)] [TestCase(32, 8, 40, 2)] [TestCase(33, 13, 20, 3)]
    [TestCase(49, 24, 70, 4)] [TestCase(64, 40, 300, 2)] [TestCase(100, 9, 5, 3)]
    public void ColumnBatchesMatchNaive(int P, int m, int k, int batches)
    {
        var saved = Gemm.Blocking;
        try
        {
            foreach (var blocking in new[] { saved, new GemmBlocking(Kc: 37, Mc: 16, Nc: 40) })
            {
                Gemm.Blocking = blocking;
                var rnd = new Random(P * 131 + m * 17 + k);
                foreach (bool ta in new[] { false, true })
                    foreach (double beta in new[] { 0.0, 1.0, 0.5 })
                    {
                        ColumnBatches<float>(rnd, P, m, k, batches, ta, beta, 1e-5);
                        ColumnBatches<double>(rnd, P, m, k, batches, ta, beta, 1e-12);
                    }
            }
        }
        finally { Gemm.Blocking = saved; }
    }

    /// <summary>Depth batches (A [M, K] and B stored [N, K], K cut into batches of D with gaps between them): the sum
    /// runs over every batch, whatever the K blocks.</summary>
    [TestCase(1, 5, 3, 4)] [TestCase(7, 9, 33, 5)] [TestCase(16, 17, 33, 3)] [TestCase(64, 8, 40, 6)] [TestCase(49, 24, 70, 4)]
    [TestCase(300, 10, 12, 2)] [TestCase(5, 40, 9, 9)]
    public void DepthBatchesMatchNaive(int D, int m, int n, int batches)
    {
        var saved = Gemm.Blocking;
        try
        {
            foreach (var blocking in new[] { saved, new GemmBlocking(Kc: 37, Mc: 16, Nc: 40) })
            {
                Gemm.Blocking = blocking;
                var rnd = new Random(D * 131 + m * 17 + n);
                foreach (double beta in new[] { 0.0, 1.0, 0.5 })
                {
                    DepthBatches<float>(rnd, D, m, n, batches, beta, 1e-5);
                    DepthBatches<double>(rnd, D, m, n, batches, beta, 1e-12);
                }
            }
        }
        finally { Gemm.Blocking = saved; }
    }

    [Test]
    public void BatchesThatDoNotFitAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, 2, 10, 3, new float[6], new float[100], new float[100], 0f, new GemmColumnBatches(4, 12, 8)));
        Assert.That(ex!.Message, Does.Contain("not whole batches of 4"));
        ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(2, 3, 8, new float[100], new float[100], new float[6], 0f, new GemmDepthBatches(4, 7, 12)));
        Assert.That(ex!.Message, Does.Contain("overlap"));
        ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, 2, 8, 3, new float[6], new float[20], new float[100], 0f, new GemmColumnBatches(4, 12, 8)));
        Assert.That(ex!.Message, Does.Contain("B holds 20 elements"));
    }

    private static void ColumnBatches<T>(Random rnd, int P, int m, int k, int batches, bool transA, double beta, double tol)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int n = P * batches;
        long sb = (long)k * P + 3, sc = (long)m * P + 5;   // gaps between the batches
        var a = Random<T>(rnd, m * k);
        var b = Random<T>(rnd, (int)(sb * batches));
        var c = Random<T>(rnd, (int)(sc * batches));
        var before = (T[])c.Clone();
        Gemm.Multiply(transA, m, n, k, a, b, c, T.CreateTruncating(beta), new GemmColumnBatches(P, sb, sc));
        double bound = tol * Math.Max(1, k / 16.0);
        for (int s = 0; s < batches; s++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < P; j++)
                {
                    long at = s * sc + (long)i * P + j;
                    double e = beta == 0 ? 0 : beta * double.CreateTruncating(before[at]);
                    for (int p = 0; p < k; p++)
                        e += double.CreateTruncating(transA ? a[p * m + i] : a[i * k + p]) * double.CreateTruncating(b[s * sb + (long)p * P + j]);
                    if (!Expect.Near(double.CreateTruncating(c[at]), e, bound))
                        Assert.Fail($"{typeof(T).Name} column batches P={P} m={m} k={k} transA={transA} beta={beta}: C[batch {s}][{i}, {j}] = {c[at]}, expected {e}");
                }
        for (int s = 0; s < batches; s++)
            for (long at = s * sc + (long)m * P; at < (s + 1) * sc; at++)
                if (c[at] != before[at]) Assert.Fail($"{typeof(T).Name} column batches P={P}: the gap at {at} after batch {s} was written");
    }

    private static void DepthBatches<T>(Random rnd, int D, int m, int n, int batches, double beta, double tol)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int k = D * batches;
        long sa = (long)m * D + 7, sb = (long)n * D + 2;
        var a = Random<T>(rnd, (int)(sa * batches));
        var b = Random<T>(rnd, (int)(sb * batches));
        var c = Random<T>(rnd, m * n);
        var before = (T[])c.Clone();
        Gemm.Multiply(m, n, k, a, b, c, T.CreateTruncating(beta), new GemmDepthBatches(D, sa, sb));
        double bound = tol * Math.Max(1, k / 16.0);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double e = beta == 0 ? 0 : beta * double.CreateTruncating(before[i * n + j]);
                for (int s = 0; s < batches; s++)
                    for (int p = 0; p < D; p++)
                        e += double.CreateTruncating(a[s * sa + (long)i * D + p]) * double.CreateTruncating(b[s * sb + (long)j * D + p]);
                if (!Expect.Near(double.CreateTruncating(c[i * n + j]), e, bound))
                    Assert.Fail($"{typeof(T).Name} depth batches D={D} m={m} n={n} beta={beta}: C[{i}, {j}] = {c[i * n + j]}, expected {e}");
            }
    }

    private static void Check<T>(Random rnd, int m, int n, int k, bool transA, bool transB, double beta, double tol)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var a = Random<T>(rnd, m * k);
        var b = Random<T>(rnd, k * n);
        var c = Random<T>(rnd, m * n);
        var expected = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = beta == 0 ? 0 : beta * double.CreateTruncating(c[i * n + j]);
                for (int p = 0; p < k; p++)
                {
                    T aip = transA ? a[p * m + i] : a[i * k + p];
                    T bpj = transB ? b[j * k + p] : b[p * n + j];
                    s += double.CreateTruncating(aip) * double.CreateTruncating(bpj);
                }
                expected[i * n + j] = s;
            }
        Gemm.Multiply(transA, transB, m, n, k, a, b, c, T.CreateTruncating(beta));
        // Inputs lie in [-1, 1): the error bound grows like k · eps.
        double bound = tol * Math.Max(1, k / 16.0);
        for (int i = 0; i < m * n; i++)
            if (!Expect.Near(double.CreateTruncating(c[i]), expected[i], bound))
                Assert.Fail($"{typeof(T).Name} gemm {m}x{n}x{k} transA={transA} transB={transB} beta={beta}: " +
                            $"C[{i / n}, {i % n}] = {c[i]}, expected {expected[i]}");
    }

    private static T[] Random<T>(Random rnd, int length) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        Enumerable.Range(0, length).Select(_ => T.CreateTruncating(rnd.NextDouble() * 2 - 1)).ToArray();
}
