using System.Numerics;
using System.Runtime.CompilerServices;
using Pade.Engine.Cpu;
using Pade.Engine.Functional;

namespace Pade.Engine;

/// <summary>
/// The tile transforms of Winograd's F(2x2, 3x3) one tile at a time, for rows of fewer than four tiles (images of 6
/// or fewer pixels across: VGG-8's 4² layers), where a row has no 128-bit vector's worth of tiles and the row kernels
/// of CpuConvWinogradRows.cs would only add their split and merge passes: on VGG-8's 256→512 4² at batch 64 the
/// output transform took 1.33 ms there against 0.77–0.83 here, the input adjoint 2.15–2.41 against 1.39–1.56
/// (bench/results/2026-12-07-winograd-lanes-phases.md). The same expressions in the same order as the row kernels,
/// so the same bits (ConvWinogradTests compares the two).
/// </summary>
public sealed partial class CpuBackend
{
    /// <summary>Rows this narrow take the per-tile loops below (unless the lanes are switched off, when the tests
    /// compare them with the row kernels' single-element path).</summary>
    private static bool WinogradPerTile(in WinogradTiles t) => t.TW < 4 && WinogradLanes.Enabled;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static void WinogradInputTiles<T>(T[] x, int xo, int s0, int ns, T[] v, int p, int c, in Conv2dGeometry g, in WinogradTiles t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hw = g.H * g.W, cp = WinogradStride(g.C * p);
        var pad = WinogradScratch<T>.Plane(t.PadH * t.PadW);
        for (int s = 0; s < ns; s++)
        {
            PadTiles<T>(x.AsSpan(xo + ((s0 + s) * g.C + c) * hw, hw), pad, g, t);
            int col = c * p + s * t.PerImage;
            for (int ty = 0; ty < t.TH; ty++)
                for (int tx = 0; tx < t.TW; tx++, col++)
                {
                    var d = pad.Slice(2 * ty * t.PadW + 2 * tx);
                    int w = t.PadW;
                    // Bᵀ d: the rows combined, column by column; then · B: the columns, row by row.
                    T a00 = d[0] - d[2 * w], a01 = d[1] - d[2 * w + 1], a02 = d[2] - d[2 * w + 2], a03 = d[3] - d[2 * w + 3];
                    T a10 = d[w] + d[2 * w], a11 = d[w + 1] + d[2 * w + 1], a12 = d[w + 2] + d[2 * w + 2], a13 = d[w + 3] + d[2 * w + 3];
                    T a20 = d[2 * w] - d[w], a21 = d[2 * w + 1] - d[w + 1], a22 = d[2 * w + 2] - d[w + 2], a23 = d[2 * w + 3] - d[w + 3];
                    T a30 = d[w] - d[3 * w], a31 = d[w + 1] - d[3 * w + 1], a32 = d[w + 2] - d[3 * w + 2], a33 = d[w + 3] - d[3 * w + 3];
                    v[col] = a00 - a02; v[cp + col] = a01 + a02; v[2 * cp + col] = a02 - a01; v[3 * cp + col] = a01 - a03;
                    v[4 * cp + col] = a10 - a12; v[5 * cp + col] = a11 + a12; v[6 * cp + col] = a12 - a11; v[7 * cp + col] = a11 - a13;
                    v[8 * cp + col] = a20 - a22; v[9 * cp + col] = a21 + a22; v[10 * cp + col] = a22 - a21; v[11 * cp + col] = a21 - a23;
                    v[12 * cp + col] = a30 - a32; v[13 * cp + col] = a31 + a32; v[14 * cp + col] = a32 - a31; v[15 * cp + col] = a31 - a33;
                }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static void WinogradOutputTiles<T>(T[] m, int p, T[] y, int yo, T[]? bias, int bo, int s0, int ns, int k, in Conv2dGeometry g, in WinogradTiles t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ohw = g.OH * g.OW, kp = WinogradStride(g.K * p);
        T b = bias == null ? T.Zero : bias[bo + k];
        for (int s = 0; s < ns; s++)
        {
            var plane = y.AsSpan(yo + ((s0 + s) * g.K + k) * ohw, ohw);
            int col = k * p + s * t.PerImage;
            for (int ty = 0; ty < t.TH; ty++)
                for (int tx = 0; tx < t.TW; tx++, col++)
                {
                    // Aᵀ M: rows (0 + 1 + 2) and (1 − 2 − 3); then · A: the same on the columns.
                    T r00 = m[col] + m[4 * kp + col] + m[8 * kp + col], r10 = m[4 * kp + col] - m[8 * kp + col] - m[12 * kp + col];
                    T r01 = m[kp + col] + m[5 * kp + col] + m[9 * kp + col], r11 = m[5 * kp + col] - m[9 * kp + col] - m[13 * kp + col];
                    T r02 = m[2 * kp + col] + m[6 * kp + col] + m[10 * kp + col], r12 = m[6 * kp + col] - m[10 * kp + col] - m[14 * kp + col];
                    T r03 = m[3 * kp + col] + m[7 * kp + col] + m[11 * kp + col], r13 = m[7 * kp + col] - m[11 * kp + col] - m[15 * kp + col];
                    int oh = 2 * ty, ow = 2 * tx, at = oh * g.OW + ow;
                    bool right = ow + 1 < g.OW;
                    plane[at] = r00 + r01 + r02 + b;
                    if (right) plane[at + 1] = r01 - r02 - r03 + b;
                    if (oh + 1 < g.OH)
                    {
                        plane[at + g.OW] = r10 + r11 + r12 + b;
                        if (right) plane[at + g.OW + 1] = r11 - r12 - r13 + b;
                    }
                }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static void WinogradOutputAdjointTiles<T>(T[] dy, int dyo, T[] z, int p, int s0, int ns, int k, in Conv2dGeometry g, in WinogradTiles t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ohw = g.OH * g.OW, kp = WinogradStride(g.K * p);
        for (int s = 0; s < ns; s++)
        {
            var plane = dy.AsSpan(dyo + ((s0 + s) * g.K + k) * ohw, ohw);
            int col = k * p + s * t.PerImage;
            for (int ty = 0; ty < t.TH; ty++)
                for (int tx = 0; tx < t.TW; tx++, col++)
                {
                    int oh = 2 * ty, ow = 2 * tx, at = oh * g.OW + ow;
                    bool right = ow + 1 < g.OW, down = oh + 1 < g.OH;
                    T y00 = plane[at], y01 = right ? plane[at + 1] : T.Zero;
                    T y10 = down ? plane[at + g.OW] : T.Zero, y11 = right && down ? plane[at + g.OW + 1] : T.Zero;
                    // A on the rows: (y0, y0 + y1, y0 − y1, −y1) of each column; then on the columns.
                    T c00 = y00, c01 = y01, c10 = y00 + y10, c11 = y01 + y11, c20 = y00 - y10, c21 = y01 - y11, c30 = -y10, c31 = -y11;
                    z[col] = c00; z[kp + col] = c00 + c01; z[2 * kp + col] = c00 - c01; z[3 * kp + col] = -c01;
                    z[4 * kp + col] = c10; z[5 * kp + col] = c10 + c11; z[6 * kp + col] = c10 - c11; z[7 * kp + col] = -c11;
                    z[8 * kp + col] = c20; z[9 * kp + col] = c20 + c21; z[10 * kp + col] = c20 - c21; z[11 * kp + col] = -c21;
                    z[12 * kp + col] = c30; z[13 * kp + col] = c30 + c31; z[14 * kp + col] = c30 - c31; z[15 * kp + col] = -c31;
                }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // hot loop: skip the slow first tier
    private static void WinogradInputAdjointTiles<T>(T[] dv, int p, T[] dx, int dxo, int s0, int ns, int c, in Conv2dGeometry g, in WinogradTiles t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hw = g.H * g.W, cp = WinogradStride(g.C * p);
        var pad = WinogradScratch<T>.Plane(t.PadH * t.PadW);
        Span<T> e = stackalloc T[16];
        for (int s = 0; s < ns; s++)
        {
            pad.Clear();
            int col = c * p + s * t.PerImage, w = t.PadW;
            for (int ty = 0; ty < t.TH; ty++)
                for (int tx = 0; tx < t.TW; tx++, col++)
                {
                    // B on the columns (index b of dV[a, b]) row by row, then on the rows, added onto the patch.
                    var d = pad.Slice(2 * ty * w + 2 * tx);
                    for (int a = 0; a < 4; a++)
                    {
                        T t0 = dv[4 * a * cp + col], t1 = dv[(4 * a + 1) * cp + col], t2 = dv[(4 * a + 2) * cp + col], t3 = dv[(4 * a + 3) * cp + col];
                        e[4 * a] = t0; e[4 * a + 1] = t1 - t2 + t3; e[4 * a + 2] = t1 + t2 - t0; e[4 * a + 3] = -t3;
                    }
                    for (int j = 0; j < 4; j++)
                    {
                        T t0 = e[j], t1 = e[4 + j], t2 = e[8 + j], t3 = e[12 + j];
                        d[j] += t0; d[w + j] += t1 - t2 + t3; d[2 * w + j] += t1 + t2 - t0; d[3 * w + j] -= t3;
                    }
                }
            // The inside of the scratch plane is dx's plane; what fell on the padding is dropped.
            var plane = dx.AsSpan(dxo + ((s0 + s) * g.C + c) * hw, hw);
            for (int h = 0; h < g.H; h++)
                pad.Slice((g.PH + h) * w + g.PW, g.W).CopyTo(plane.Slice(h * g.W, g.W));
        }
    }

    /// <summary>The plane x (H x W) into the scratch plane at (PH, PW), zeros around it.</summary>
    private static void PadTiles<T>(ReadOnlySpan<T> x, Span<T> pad, in Conv2dGeometry g, in WinogradTiles t) where T : unmanaged
    {
        pad.Clear();
        int rows = Math.Min(g.H, t.PadH - g.PH), cols = Math.Min(g.W, t.PadW - g.PW);
        for (int h = 0; h < rows; h++) x.Slice(h * g.W, cols).CopyTo(pad.Slice((g.PH + h) * t.PadW + g.PW, cols));
    }
}
