using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pade.Engine;

/// <summary>
/// <see cref="Philox.Block(ulong, ulong)"/> for 8 counters side by side: each 64-bit lane of a Vector512 carries one
/// block's 32-bit words, because AVX-512's 32×32 → 64-bit multiply (vpmuludq) works on the low halves of 64-bit
/// lanes and leaves the product's high word where a shift by 32 fetches it. A round is then 2 multiplies, 2 shifts
/// and 2 three-way XORs for 8 blocks.
/// <para>
/// The high halves of the lanes are never cleared between rounds: the multiply reads only low halves, and the low
/// half of an XOR depends only on the low halves of its operands. Callers read the low 32 bits of each result lane
/// (the high halves hold garbage). RPAU draws 10 words per element in its forward and again in its backward, so
/// these rounds are most of an RPAU's cost; the fused PAU kernels consume the words straight from registers.
/// </para>
/// </summary>
public static class PhiloxLanes
{
    private const ulong M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85, Low = 0xFFFFFFFF;

    /// <summary>Vectors in a key schedule: (k0, k1) for each of the 10 rounds.</summary>
    public const int KeyVectors = 20;

    /// <summary>The round keys of <paramref name="seed"/>, broadcast: keys[2r] = k0 + r·W0, keys[2r + 1] = k1 + r·W1
    /// (mod 2³²), computed once per kernel call instead of once per round.</summary>
    public static Vector512<ulong>[] Keys(ulong seed)
    {
        var keys = new Vector512<ulong>[KeyVectors];
        ulong k0 = seed & Low, k1 = seed >> 32;
        for (int r = 0; r < 10; r++)
        {
            keys[2 * r] = Vector512.Create(k0);
            keys[2 * r + 1] = Vector512.Create(k1);
            k0 = (k0 + W0) & Low; k1 = (k1 + W1) & Low;
        }
        return keys;
    }

    /// <summary>
    /// Blocks counter + b for b = 0 .. batches − 1 (counter: one 64-bit block index per lane): word w of block
    /// counter[j] + b goes to the low half of lane j of words[4b + w]. With consecutive words, words[p] lane j is
    /// therefore word 4·counter[j] + p of the stream.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot: skip the slow first tiers
    public static void Fill(Vector512<ulong> counter, int batches, ReadOnlySpan<Vector512<ulong>> keys, Span<Vector512<ulong>> words)
    {
        if (keys.Length < KeyVectors) throw new ArgumentException($"PhiloxLanes: a key schedule has {KeyVectors} vectors, got {keys.Length}");
        if (words.Length < 4 * batches) throw new ArgumentException($"PhiloxLanes: {batches} batches need {4 * batches} vectors, got {words.Length}");
        ref var k = ref MemoryMarshal.GetReference(keys);
        ref var w = ref MemoryMarshal.GetReference(words);
        if ((!Avx512F.IsSupported || Cpu.CpuIsa.Force256) && Avx2.IsSupported) { Fill256(counter, batches, ref k, ref w); return; }
        int b = 0;
        // Four batches at a time: a round is a chain of multiply, shift and XOR; four independent chains side by side
        // keep the vector units busy (measured: 8.0 ns per batch against 9.3 with two chains and ~10.5 with one).
        for (; b + 4 <= batches; b += 4) Block4(counter + Vector512.Create((ulong)b), ref k, ref Unsafe.Add(ref w, 4 * b));
        for (; b < batches; b++) Block(counter + Vector512.Create((ulong)b), ref k, ref Unsafe.Add(ref w, 4 * b));
    }

    /// <summary>The ten rounds for 8 counters (counter words 2 and 3 are 0, as in the streams); words to w[0..4).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block(Vector512<ulong> counter, ref Vector512<ulong> keys, ref Vector512<ulong> w)
    {
        var m0 = Vector512.Create(M0);
        var m1 = Vector512.Create(M1);
        // Round 1 with c2 = c3 = 0: the M1 product is 0.
        var p0 = Mul32(m0, counter);
        var c0 = (counter >> 32) ^ keys;
        var c1 = Vector512<ulong>.Zero;
        var c2 = (p0 >> 32) ^ Unsafe.Add(ref keys, 1);
        var c3 = p0;
        for (int r = 1; r < 10; r++)
        {
            p0 = Mul32(m0, c0);
            var p1 = Mul32(m1, c2);
            c0 = Xor3(p1 >> 32, c1, Unsafe.Add(ref keys, 2 * r));
            c1 = p1;
            c2 = Xor3(p0 >> 32, c3, Unsafe.Add(ref keys, 2 * r + 1));
            c3 = p0;
        }
        w = c0; Unsafe.Add(ref w, 1) = c1; Unsafe.Add(ref w, 2) = c2; Unsafe.Add(ref w, 3) = c3;
    }

    /// <summary><see cref="Block"/> for counter .. counter + 3, interleaved; words to w[0..16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4(Vector512<ulong> counter, ref Vector512<ulong> keys, ref Vector512<ulong> w)
    {
        var m0 = Vector512.Create(M0);
        var m1 = Vector512.Create(M1);
        var cB = counter + Vector512<ulong>.One; var cC = cB + Vector512<ulong>.One; var cD = cC + Vector512<ulong>.One;
        var p0 = Mul32(m0, counter); var q0 = Mul32(m0, cB); var r0 = Mul32(m0, cC); var s0 = Mul32(m0, cD);
        var a0 = (counter >> 32) ^ keys; var b0 = (cB >> 32) ^ keys; var c0 = (cC >> 32) ^ keys; var d0 = (cD >> 32) ^ keys;
        var a1 = Vector512<ulong>.Zero; var b1 = a1; var c1 = a1; var d1 = a1;
        var k1 = Unsafe.Add(ref keys, 1);
        var a2 = (p0 >> 32) ^ k1; var b2 = (q0 >> 32) ^ k1; var c2 = (r0 >> 32) ^ k1; var d2 = (s0 >> 32) ^ k1;
        var a3 = p0; var b3 = q0; var c3 = r0; var d3 = s0;
        for (int r = 1; r < 10; r++)
        {
            var kk0 = Unsafe.Add(ref keys, 2 * r);
            var kk1 = Unsafe.Add(ref keys, 2 * r + 1);
            p0 = Mul32(m0, a0); q0 = Mul32(m0, b0); r0 = Mul32(m0, c0); s0 = Mul32(m0, d0);
            var p1 = Mul32(m1, a2); var q1 = Mul32(m1, b2); var r1 = Mul32(m1, c2); var s1 = Mul32(m1, d2);
            a0 = Xor3(p1 >> 32, a1, kk0); b0 = Xor3(q1 >> 32, b1, kk0); c0 = Xor3(r1 >> 32, c1, kk0); d0 = Xor3(s1 >> 32, d1, kk0);
            a1 = p1; b1 = q1; c1 = r1; d1 = s1;
            a2 = Xor3(p0 >> 32, a3, kk1); b2 = Xor3(q0 >> 32, b3, kk1); c2 = Xor3(r0 >> 32, c3, kk1); d2 = Xor3(s0 >> 32, d3, kk1);
            a3 = p0; b3 = q0; c3 = r0; d3 = s0;
        }
        w = a0; Unsafe.Add(ref w, 1) = a1; Unsafe.Add(ref w, 2) = a2; Unsafe.Add(ref w, 3) = a3;
        Unsafe.Add(ref w, 4) = b0; Unsafe.Add(ref w, 5) = b1; Unsafe.Add(ref w, 6) = b2; Unsafe.Add(ref w, 7) = b3;
        Unsafe.Add(ref w, 8) = c0; Unsafe.Add(ref w, 9) = c1; Unsafe.Add(ref w, 10) = c2; Unsafe.Add(ref w, 11) = c3;
        Unsafe.Add(ref w, 12) = d0; Unsafe.Add(ref w, 13) = d1; Unsafe.Add(ref w, 14) = d2; Unsafe.Add(ref w, 15) = d3;
    }

    /// <summary>
    /// <see cref="Fill"/> on AVX2 machines: the 8 lanes as two halves of 4, each through the rounds in ymm registers
    /// (two blocks side by side). Written out for 256 bits because the JIT keeps the many 512-bit values of
    /// <see cref="Block4"/> in memory where it has to emulate them: measured 290 ns per batch of 8 blocks there, against
    /// 6.8 ns with AVX-512. The same words.
    /// </summary>
    private static void Fill256(Vector512<ulong> counter, int batches, ref Vector512<ulong> keys, ref Vector512<ulong> words)
    {
        for (int half = 0; half < 2; half++)
        {
            var c = half == 0 ? counter.GetLower() : counter.GetUpper();
            ref var w = ref Unsafe.Add(ref Unsafe.As<Vector512<ulong>, Vector256<ulong>>(ref words), half);
            int b = 0;
            for (; b + 2 <= batches; b += 2) Block2x256(c + Vector256.Create((ulong)b), ref keys, ref Unsafe.Add(ref w, 8 * b));
            if (b < batches) Block1x256(c + Vector256.Create((ulong)b), ref keys, ref Unsafe.Add(ref w, 8 * b));
        }
    }

    /// <summary>Blocks counter and counter + 1 of 4 lanes; words to w[0], w[2], ... (the half's slots of 8 vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block2x256(Vector256<ulong> counter, ref Vector512<ulong> keys, ref Vector256<ulong> w)
    {
        var m0 = Vector256.Create(M0);
        var m1 = Vector256.Create(M1);
        var cB = counter + Vector256<ulong>.One;
        var k0 = Unsafe.As<Vector512<ulong>, Vector256<ulong>>(ref keys);
        var k1 = Unsafe.As<Vector512<ulong>, Vector256<ulong>>(ref Unsafe.Add(ref keys, 1));
        var p0 = Mul32(m0, counter); var q0 = Mul32(m0, cB);
        var a0 = (counter >> 32) ^ k0; var b0 = (cB >> 32) ^ k0;
        var a1 = Vector256<ulong>.Zero; var b1 = a1;
        var a2 = (p0 >> 32) ^ k1; var b2 = (q0 >> 32) ^ k1;
        var a3 = p0; var b3 = q0;
        for (int r = 1; r < 10; r++)
        {
            var kk0 = Unsafe.As<Vector512<ulong>, Vector256<ulong>>(ref Unsafe.Add(ref keys, 2 * r));
            var kk1 = Unsafe.As<Vector512<ulong>, Vector256<ulong>>(ref Unsafe.Add(ref keys, 2 * r + 1));
            p0 = Mul32(m0, a0); q0 = Mul32(m0, b0);
            var p1 = Mul32(m1, a2); var q1 = Mul32(m1, b2);
            a0 = (p1 >> 32) ^ a1 ^ kk0; b0 = (q1 >> 32) ^ b1 ^ kk0;
            a1 = p1; b1 = q1;
            a2 = (p0 >> 32) ^ a3 ^ kk1; b2 = (q0 >> 32) ^ b3 ^ kk1;
            a3 = p0; b3 = q0;
        }
        w = a0; Unsafe.Add(ref w, 2) = a1; Unsafe.Add(ref w, 4) = a2; Unsafe.Add(ref w, 6) = a3;
        Unsafe.Add(ref w, 8) = b0; Unsafe.Add(ref w, 10) = b1; Unsafe.Add(ref w, 12) = b2; Unsafe.Add(ref w, 14) = b3;
    }

    /// <summary>One block of 4 lanes; words to w[0], w[2], w[4], w[6].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block1x256(Vector256<ulong> counter, ref Vector512<ulong> keys, ref Vector256<ulong> w)
    {
        var m0 = Vector256.Create(M0);
        var m1 = Vector256.Create(M1);
        var k0 = Unsafe.As<Vector512<ulong>, Vector256<ulong>>(ref keys);
        var k1 = Unsafe.As<Vector512<ulong>, Vector256<ulong>>(ref Unsafe.Add(ref keys, 1));
        var p0 = Mul32(m0, counter);
        var c0 = (counter >> 32) ^ k0;
        var c1 = Vector256<ulong>.Zero;
        var c2 = (p0 >> 32) ^ k1;
        var c3 = p0;
        for (int r = 1; r < 10; r++)
        {
            p0 = Mul32(m0, c0);
            var p1 = Mul32(m1, c2);
            c0 = (p1 >> 32) ^ c1 ^ Unsafe.As<Vector512<ulong>, Vector256<ulong>>(ref Unsafe.Add(ref keys, 2 * r));
            c1 = p1;
            c2 = (p0 >> 32) ^ c3 ^ Unsafe.As<Vector512<ulong>, Vector256<ulong>>(ref Unsafe.Add(ref keys, 2 * r + 1));
            c3 = p0;
        }
        w = c0; Unsafe.Add(ref w, 2) = c1; Unsafe.Add(ref w, 4) = c2; Unsafe.Add(ref w, 6) = c3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Mul32(Vector256<ulong> a, Vector256<ulong> b) => Avx2.Multiply(a.AsUInt32(), b.AsUInt32());

    /// <summary>Full 64-bit products of the low 32-bit halves of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Mul32(Vector512<ulong> a, Vector512<ulong> b) =>
        Avx512F.IsSupported ? Avx512F.Multiply(a.AsUInt32(), b.AsUInt32())
        : Avx2.IsSupported ? Vector512.Create(Avx2.Multiply(a.GetLower().AsUInt32(), b.GetLower().AsUInt32()), Avx2.Multiply(a.GetUpper().AsUInt32(), b.GetUpper().AsUInt32()))
        : (a & Vector512.Create(Low)) * (b & Vector512.Create(Low));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Xor3(Vector512<ulong> a, Vector512<ulong> b, Vector512<ulong> c) =>
        Avx512F.IsSupported ? Avx512F.TernaryLogic(a, b, c, 0x96) : a ^ b ^ c;
}
