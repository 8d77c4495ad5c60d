using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Pade.Engine.Cpu;

/// <summary>
/// The weight transform of Winograd's F(2x2, 3x3) and its adjoint (CpuConvWinograd.cs) for sixteen (k, c) pairs at
/// once, one pair per float32 lane. U's sixteen planes ξ are in the GEMM's packed layout (slivers of 8 rows k,
/// column-major), so the pairs of 8 rows and 2 channels are contiguous and each plane gets one vector store per
/// sixteen pairs instead of sixteen scattered scalar ones; the adjoint reads dU, plain [K, C], sixteen consecutive
/// pairs q = k·C + c at a time. w keeps a pair's nine taps together,
/// so they are transposed through a small stack block first (a 16 x 9 block, 144 scalar moves: cheaper than the
/// 16 x 16 scalar stores they replace). Every lane computes exactly the scalar path's expressions in the same order,
/// so the results are bit for bit those of the scalar loops, which stay the reference (Tests/Layers/ConvWinogradTests.cs).
/// </summary>
internal static unsafe class WinogradLanes
{
    /// <summary>Pairs per call.</summary>
    public const int Width = 16;

    /// <summary>Whether the lanes run: 512-bit vectors in hardware, and not switched off.</summary>
    public static bool Applies => Enabled && Vector512.IsHardwareAccelerated;

    /// <summary>Whether the tile-row transforms (CpuConvWinogradRows.cs) take 128-bit lanes.</summary>
    public static bool Rows128 => Enabled && Vector128.IsHardwareAccelerated;

    /// <summary>Tests switch the lanes off to get the scalar reference's bits.</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>
    /// U[ξ] for the sixteen (k, c) pairs of one sliver of U's packed layout (<see cref="Gemm.PackedIndex"/>): lane i is
    /// row k0 + i mod 8 of channel c + i / 8, so the sixteen results are sixteen consecutive elements of each packed
    /// plane (plane ξ from u + ξ·su). w points at the taps of (k0, c) (w[k, c] = its nine taps); rowStride = 9·C
    /// elements from one row's kernels to the next. Row by row, e = G f (4x3), then U = e Gᵀ:
    ///   G maps (f0, f1, f2) to (f0, (f0 + f1 + f2)/2, (f0 − f1 + f2)/2, f2).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WeightsSliver(float* w, int rowStride, float* u, int su)
    {
        // Rows 0..8: the taps of f, transposed; e = G f (4x3) then overwrites them row by row (rows 0..11).
        float* t = stackalloc float[12 * Width];
        for (int i = 0; i < Width; i++)
        {
            float* f = w + (i & 7) * rowStride + (i >> 3) * 9;
            for (int j = 0; j < 9; j++) t[j * Width + i] = f[j];
        }
        var half = Vector512.Create(0.5f);
        for (int j = 0; j < 3; j++)
        {
            // Column j of f: taps (0, j), (1, j), (2, j) give column j of e's four rows.
            var f0 = Vector512.Load(t + j * Width);
            var f1 = Vector512.Load(t + (3 + j) * Width);
            var f2 = Vector512.Load(t + (6 + j) * Width);
            Vector512.Store(f0, t + j * Width);
            Vector512.Store((f0 + f1 + f2) * half, t + (3 + j) * Width);
            Vector512.Store((f0 - f1 + f2) * half, t + (6 + j) * Width);
            Vector512.Store(f2, t + (9 + j) * Width);
        }
        // t now holds e (4x3, rows a); U's row a is G applied to e's row a.
        float* e = t;
        for (int a = 0; a < 4; a++)
        {
            var e0 = Vector512.Load(e + (3 * a) * Width);
            var e1 = Vector512.Load(e + (3 * a + 1) * Width);
            var e2 = Vector512.Load(e + (3 * a + 2) * Width);
            Vector512.Store(e0, u + (4 * a) * su);
            Vector512.Store((e0 + e1 + e2) * half, u + (4 * a + 1) * su);
            Vector512.Store((e0 - e1 + e2) * half, u + (4 * a + 2) * su);
            Vector512.Store(e2, u + (4 * a + 3) * su);
        }
    }

    /// <summary>dw[9(q0 + i) ..] = Gᵀ dU[·, q0 + i] G for the sixteen pairs from q0 (plane ξ of dU at du + ξ·su): the
    /// adjoint of <see cref="Weights"/>. Gᵀ maps (t0, t1, t2, t3) to (t0 + (t1 + t2)/2, (t1 − t2)/2, (t1 + t2)/2 + t3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WeightsAdjoint(float* du, float* dw, int su)
    {
        // 12 + 9 lanes' worth of scratch: e = dU G (4x3) in rows 0..11, then dw's nine taps in rows 12..20.
        float* t = stackalloc float[21 * Width];
        var half = Vector512.Create(0.5f);
        for (int a = 0; a < 4; a++)
        {
            var t0 = Vector512.Load(du + (4 * a) * su);
            var t1 = Vector512.Load(du + (4 * a + 1) * su);
            var t2 = Vector512.Load(du + (4 * a + 2) * su);
            var t3 = Vector512.Load(du + (4 * a + 3) * su);
            var s = (t1 + t2) * half;
            Vector512.Store(t0 + s, t + (3 * a) * Width);
            Vector512.Store((t1 - t2) * half, t + (3 * a + 1) * Width);
            Vector512.Store(s + t3, t + (3 * a + 2) * Width);
        }
        float* f = t + 12 * Width;
        for (int j = 0; j < 3; j++)
        {
            var t0 = Vector512.Load(t + j * Width);
            var t1 = Vector512.Load(t + (3 + j) * Width);
            var t2 = Vector512.Load(t + (6 + j) * Width);
            var t3 = Vector512.Load(t + (9 + j) * Width);
            var s = (t1 + t2) * half;
            Vector512.Store(t0 + s, f + j * Width);
            Vector512.Store((t1 - t2) * half, f + (3 + j) * Width);
            Vector512.Store(s + t3, f + (6 + j) * Width);
        }
        for (int i = 0; i < Width; i++)
            for (int j = 0; j < 9; j++) dw[i * 9 + j] = f[j * Width + i];
    }
}
