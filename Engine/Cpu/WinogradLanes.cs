using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pade.Engine.Cpu;

/// <summary>
/// The weight transform of Winograd's F(2x2, 3x3) and its adjoint (CpuConvWinograd.cs) for eight (k, c) pairs at once,
/// one pair per float32 lane of a 256-bit vector, and the switches of the vector paths of the tile transforms
/// (CpuConvWinogradRows.cs). U's sixteen planes ξ are in the GEMM's packed layout (slivers of 8 rows k,
/// column-major), so a channel's 8 rows are 8 consecutive elements: one vector store per plane. w keeps a pair's nine
/// taps together and dw likewise; 8x8 register transposes (SimdTranspose) turn those runs into vectors over the pairs
/// and back. Every lane computes exactly the scalar path's expressions in the same order, so the results are bit for
/// bit those of the scalar loops, which stay the reference (Tests/Layers/ConvWinogradTests.cs).
/// </summary>
internal static unsafe class WinogradLanes
{
    /// <summary>Whether the tile-row transforms take 512-bit lanes: in hardware, and not switched off.</summary>
    public static bool Applies => Enabled && Vector512.IsHardwareAccelerated;

    /// <summary>Whether the tile-row transforms (CpuConvWinogradRows.cs) take 128-bit lanes.</summary>
    public static bool Rows128 => Enabled && Vector128.IsHardwareAccelerated;

    /// <summary>Tests switch the lanes off to get the scalar reference's bits.</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>Whether the eight-lane weight transforms run (256-bit vectors and their 8x8 transposes).</summary>
    public static bool Weights8 => Enabled && Avx.IsSupported;

    /// <summary>
    /// U[ξ] for 8 rows k0 .. k0 + 7 and <paramref name="channels"/> channels (a multiple of 8) from c0, one row per lane:
    /// channel c's eight results are eight consecutive elements of each packed plane (<see cref="Gemm.PackedIndex"/>,
    /// plane ξ from u + ξ·su; u points at (k0, c0)). w points at the taps of (k0, c0); rowStride = 9·C elements from
    /// one row's kernels to the next. A row's taps of eight channels are 72 consecutive floats; nine 8x8 transposes
    /// of the eight rows' runs put each (channel, tap) into one vector of the eight rows, with no scalar moves (a
    /// vector load of scalars just stored waits for every store to retire: the sixteen-lane version with a scalar
    /// transpose spent most of its time there). Same expressions as the scalar loop, lane by lane: same bits.
    /// </summary>
    public static void WeightsRows(float* w, int rowStride, int channels, float* u, int su)
    {
        float* t = stackalloc float[72 * 8];   // t[x·8 + r] = w[r][x] for x = 9·c + tap over eight channels
        var half = Vector256.Create(0.5f);
        for (int c8 = 0; c8 < channels; c8 += 8)
        {
            for (int b = 0; b < 9; b++) SimdTranspose.Transpose8x8(w + c8 * 9 + b * 8, rowStride, t + b * 64, 8);
            for (int c = 0; c < 8; c++)
            {
                float* f = t + c * 72, uc = u + (c8 + c) * 8;
                for (int a = 0; a < 4; a++)
                {
                    // Row a of e = G f (4x3), column by column; then U's row a = G applied to it.
                    Vector256<float> e0, e1, e2;
                    if (a == 0) { e0 = Load(f, 0); e1 = Load(f, 1); e2 = Load(f, 2); }
                    else if (a == 3) { e0 = Load(f, 6); e1 = Load(f, 7); e2 = Load(f, 8); }
                    else if (a == 1)
                    {
                        e0 = (Load(f, 0) + Load(f, 3) + Load(f, 6)) * half;
                        e1 = (Load(f, 1) + Load(f, 4) + Load(f, 7)) * half;
                        e2 = (Load(f, 2) + Load(f, 5) + Load(f, 8)) * half;
                    }
                    else
                    {
                        e0 = (Load(f, 0) - Load(f, 3) + Load(f, 6)) * half;
                        e1 = (Load(f, 1) - Load(f, 4) + Load(f, 7)) * half;
                        e2 = (Load(f, 2) - Load(f, 5) + Load(f, 8)) * half;
                    }
                    Vector256.Store(e0, uc + (4 * a) * su);
                    Vector256.Store((e0 + e1 + e2) * half, uc + (4 * a + 1) * su);
                    Vector256.Store((e0 - e1 + e2) * half, uc + (4 * a + 2) * su);
                    Vector256.Store(e2, uc + (4 * a + 3) * su);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load(float* f, int tap) => Vector256.Load(f + tap * 8);

    /// <summary>dw[9(q0 + i) ..] = Gᵀ dU[·, q0 + i] G for eight consecutive pairs from q0 (plane ξ of dU at du + ξ·su), one
    /// pair per lane: the adjoint of <see cref="WeightsRows"/>. The nine taps come out as nine vectors over the pairs;
    /// an 8x8 transpose writes taps 0..7 of each pair in place and tap 8 follows by scalar moves.</summary>
    public static void WeightsAdjointRow(float* du, float* dw, int su)
    {
        float* t = stackalloc float[9 * 8];
        var half = Vector256.Create(0.5f);
        // e = dU G (4x3), row a from dU's row a; then dw = Gᵀ e column by column.
        Vector256<float> e00, e01, e02, e10, e11, e12, e20, e21, e22, e30, e31, e32;
        Row(du, su, 0, half, out e00, out e01, out e02);
        Row(du, su, 1, half, out e10, out e11, out e12);
        Row(du, su, 2, half, out e20, out e21, out e22);
        Row(du, su, 3, half, out e30, out e31, out e32);
        Column(e00, e10, e20, e30, t, 0, half);
        Column(e01, e11, e21, e31, t, 1, half);
        Column(e02, e12, e22, e32, t, 2, half);
        SimdTranspose.Transpose8x8(t, 8, dw, 9);
        for (int i = 0; i < 8; i++) dw[i * 9 + 8] = t[64 + i];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Row(float* du, int su, int a, Vector256<float> half, out Vector256<float> e0, out Vector256<float> e1, out Vector256<float> e2)
        {
            var t0 = Vector256.Load(du + (4 * a) * su);
            var t1 = Vector256.Load(du + (4 * a + 1) * su);
            var t2 = Vector256.Load(du + (4 * a + 2) * su);
            var t3 = Vector256.Load(du + (4 * a + 3) * su);
            var s = (t1 + t2) * half;
            e0 = t0 + s; e1 = (t1 - t2) * half; e2 = s + t3;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Column(Vector256<float> t0, Vector256<float> t1, Vector256<float> t2, Vector256<float> t3, float* f, int j, Vector256<float> half)
        {
            var s = (t1 + t2) * half;
            Vector256.Store(t0 + s, f + j * 8);
            Vector256.Store((t1 - t2) * half, f + (3 + j) * 8);
            Vector256.Store(s + t3, f + (6 + j) * 8);
        }
    }
}
