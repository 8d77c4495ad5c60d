using NUnit.Framework;
using Pade.Engine.Cpu;

namespace Pade.Tests.Engine;

/// <summary>
/// <see cref="Gemm.MultiplyPacked{T}"/>: A handed over in the packed layout (Winograd's U is written that way), read in
/// place or as the transpose of the packed matrix. Where the plain product blocks too (m·n·k ≥ 32³) it must give its
/// bits on the unpacked matrix (the same sums in the same order); below, where the plain product takes its unpacked
/// path, it must agree within rounding. Rows and depths off multiples of the sliver (8), K blocks that split unevenly,
/// small blocks in every dimension, both thread counts, beta 0 and 1, float and double.
/// </summary>
[NonParallelizable]
public class GemmPackedTests
{
    private static readonly (int M, int N, int K)[] Sizes =
    [
        (1, 1, 1), (8, 32, 8), (7, 5, 3), (13, 31, 9), (16, 33, 64), (29, 70, 17), (64, 128, 64), (100, 130, 300),
        (257, 65, 41), (33, 2, 520),
    ];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var (m, n, k) in Sizes)
            foreach (bool tr in new[] { false, true })
                yield return new TestCaseData(m, n, k, tr).SetName($"GemmPacked({m}x{n}x{k}, transposed={tr})");
    }

    [TestCaseSource(nameof(Cases))]
    public void GivesTheBitsOfThePlainProduct(int m, int n, int k, bool transposed)
    {
        var rnd = new Random(m * 131 + n * 7 + k * 3 + (transposed ? 1 : 0));
        foreach (int threads in new[] { 1, 2 })
            foreach (float beta in new[] { 0f, 1f })
            {
                Check<float>(rnd, m, n, k, transposed, beta, threads);
                Check<double>(rnd, m, n, k, transposed, beta, threads);
            }
    }

    /// <summary>Several jc, pc and ic blocks with uneven ends, and K blocks that start off a sliver of the packed
    /// source (the transposed repacking then goes element by element there).</summary>
    [Test]
    public void SmallBlocksGiveTheSameBits()
    {
        var saved = Gemm.Blocking;
        try
        {
            Gemm.Blocking = new GemmBlocking(Kc: 37, Mc: 30, Nc: 40);
            var rnd = new Random(9);
            foreach (bool tr in new[] { false, true })
            {
                Check<float>(rnd, 97, 131, 150, tr, 1f, 2);
                Check<double>(rnd, 97, 131, 150, tr, 0f, 1);
            }
        }
        finally { Gemm.Blocking = saved; }
    }

    [Test]
    public void TooShortPackedOperandIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.MultiplyPacked<float>(false, 9, 4, 3, new float[40], new float[12], new float[36], 0f));
        Assert.That(ex!.Message, Does.Contain("packed A holds 40 elements, needs 48"));
    }

    /// <summary>Packs the stored matrix (rows x cols, row-major) into the layout of <see cref="Gemm.PackedIndex"/>,
    /// padding rows filled with NaN: they must not reach C.</summary>
    private static T[] Pack<T>(T[] matrix, int rows, int cols) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var packed = new T[Gemm.PackedLength(rows, cols)];
        Array.Fill(packed, T.NaN);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) packed[Gemm.PackedIndex(r, c, cols)] = matrix[r * cols + c];
        return packed;
    }

    private static void Check<T>(Random rnd, int m, int n, int k, bool transposed, float beta, int threads)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        // A as stored: [m, k], or [k, m] when op(A) is its transpose.
        var a = Enumerable.Range(0, m * k).Select(_ => T.CreateTruncating(rnd.NextDouble() * 2 - 1)).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => T.CreateTruncating(rnd.NextDouble() * 2 - 1)).ToArray();
        var c0 = Enumerable.Range(0, m * n).Select(_ => T.CreateTruncating(rnd.NextDouble() * 2 - 1)).ToArray();
        var expected = (T[])c0.Clone();
        var actual = (T[])c0.Clone();
        var packed = transposed ? Pack(a, k, m) : Pack(a, m, k);
        int saved = CpuParallel.Threads;
        try
        {
            CpuParallel.Threads = threads;
            Gemm.Multiply(transposed, false, m, n, k, a, b, expected, T.CreateTruncating(beta));
            Gemm.MultiplyPacked(transposed, m, n, k, packed, b, actual, T.CreateTruncating(beta));
        }
        finally { CpuParallel.Threads = saved; }
        bool blocked = (long)m * n * k >= 32 * 32 * 32 && m > 1 && n > 1;
        double tol = (typeof(T) == typeof(float) ? 1e-5 : 1e-12) * Math.Max(1, k / 16.0);
        for (int i = 0; i < m * n; i++)
            if (blocked ? !actual[i].Equals(expected[i]) : !(Math.Abs(double.CreateTruncating(actual[i] - expected[i])) <= tol))
                Assert.Fail($"{typeof(T).Name} packed gemm {m}x{n}x{k} transposed={transposed} beta={beta} threads={threads}: " +
                            $"C[{i / n}, {i % n}] = {actual[i]}, the plain product gives {expected[i]}{(blocked ? " (bits must match)" : "")}");
    }
}
