using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Pade.Engine.Functional;

namespace Pade.Engine.Cpu;

/// <summary>
/// Max pooling with 2x2 windows, stride 2 and no padding (LeNet's and VGG's pools), float32, AVX-512: 16 outputs
/// per step (AVX2: 8). The general loop in CpuPool spends most of its time on mispredicted compares (on real activations the
/// winner of a window is a coin toss); here the four candidates of 16 windows are compared as vectors and the
/// winner and its index are chosen with masks, in the same order and with the same rule as the general loop
/// (row-major, strict &gt;: the first maximum wins ties; a NaN wins and sticks), so the results are identical.
/// </summary>
/// <remarks>
/// Two input rows give one output row: 32 consecutive floats of each row are split into their even and odd columns
/// (vpermt2ps), so window k's candidates sit in lane k of four vectors: (r0, even), (r0, odd), (r1, even),
/// (r1, odd). Rows narrower than 32 (LeNet: 28 and 10) still load 32 floats, reaching into the next row or plane
/// (read only); the lanes past the row's outputs are stored over the next row's first outputs, which the next
/// step rewrites. Only a load that would pass the end of the array takes the scalar loop, and only the stores of a
/// plane's last row that would pass the plane's end are written lane by lane.
/// </remarks>
internal static class MaxPool2x2
{
    /// <summary>2x2 windows, stride 2, no padding or dilation, and every window whole: ceil mode on an odd size
    /// adds a last row or column of clipped windows, which the vector loop would read past.</summary>
    public static bool Applies(Pool2dGeometry g) =>
        (CpuIsa.Avx512 || Avx2.IsSupported) && g.KH == 2 && g.KW == 2 && g.SH == 2 && g.SW == 2 && g.PH == 0 && g.PW == 0 &&
        g.DH == 1 && g.DW == 1 && 2 * g.OH <= g.H && 2 * g.OW <= g.W;

    private static readonly Vector512<int> Even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static readonly Vector512<int> Odd = Even + Vector512<int>.One;

    /// <summary>Pools one (sample, channel) plane: x from <paramref name="xp"/> (H·W floats of an array of
    /// <paramref name="xLength"/>), y and the plane-relative argmax indices at <paramref name="yp"/>, <paramref name="ip"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Plane(float[] x, int xp, float[] y, int yp, int[] idx, int ip, Pool2dGeometry g)
    {
        if (!CpuIsa.Avx512) { Plane256(x, xp, y, yp, idx, ip, g); return; }
        int w = g.W, ow = g.OW, ohw = g.OH * g.OW;
        for (int oh = 0; oh < g.OH; oh++)
        {
            int r0 = xp + 2 * oh * w, r1 = r0 + w;
            for (int o0 = 0; o0 < ow; o0 += 16)
            {
                int c0 = 2 * o0, n = Math.Min(16, ow - o0), outAt = oh * ow + o0;
                if (r1 + c0 + 32 > x.Length) { Scalar(x, xp, y, yp, idx, ip, g, oh, o0); break; }
                var e0 = Avx512F.PermuteVar16x32x2(Vector512.LoadUnsafe(ref x[r0 + c0]), Even, Vector512.LoadUnsafe(ref x[r0 + c0 + 16]));
                var d0 = Avx512F.PermuteVar16x32x2(Vector512.LoadUnsafe(ref x[r0 + c0]), Odd, Vector512.LoadUnsafe(ref x[r0 + c0 + 16]));
                var e1 = Avx512F.PermuteVar16x32x2(Vector512.LoadUnsafe(ref x[r1 + c0]), Even, Vector512.LoadUnsafe(ref x[r1 + c0 + 16]));
                var d1 = Avx512F.PermuteVar16x32x2(Vector512.LoadUnsafe(ref x[r1 + c0]), Odd, Vector512.LoadUnsafe(ref x[r1 + c0 + 16]));
                var ia = Even + Vector512.Create(2 * oh * w + c0);            // plane index of each window's top-left
                var best = e0;
                var at = ia;
                Take(d0, ia + Vector512<int>.One, ref best, ref at);
                Take(e1, ia + Vector512.Create(w), ref best, ref at);
                Take(d1, ia + Vector512.Create(w + 1), ref best, ref at);
                if (outAt + 16 <= ohw)   // lanes past the row land on the next row's outputs, rewritten next
                {
                    best.StoreUnsafe(ref y[yp + outAt]);
                    at.StoreUnsafe(ref idx[ip + outAt]);
                }
                else
                {
                    for (int k = 0; k < n; k++) { y[yp + outAt + k] = best.GetElement(k); idx[ip + outAt + k] = at.GetElement(k); }
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Plane"/> with 256-bit vectors (AVX2 machines): 8 windows per step from 16 floats of each row, split
    /// into even and odd columns by a shuffle within 128-bit lanes (vshufps) and a 64-bit permute (vpermpd) that puts
    /// the lanes' halves in order. The same rule, so the same outputs and indices.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Plane256(float[] x, int xp, float[] y, int yp, int[] idx, int ip, Pool2dGeometry g)
    {
        int w = g.W, ow = g.OW, ohw = g.OH * g.OW;
        var even = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
        for (int oh = 0; oh < g.OH; oh++)
        {
            int r0 = xp + 2 * oh * w, r1 = r0 + w;
            for (int o0 = 0; o0 < ow; o0 += 8)
            {
                int c0 = 2 * o0, n = Math.Min(8, ow - o0), outAt = oh * ow + o0;
                if (r1 + c0 + 16 > x.Length) { Scalar(x, xp, y, yp, idx, ip, g, oh, o0); break; }
                var (e0, d0) = Split(Vector256.LoadUnsafe(ref x[r0 + c0]), Vector256.LoadUnsafe(ref x[r0 + c0 + 8]));
                var (e1, d1) = Split(Vector256.LoadUnsafe(ref x[r1 + c0]), Vector256.LoadUnsafe(ref x[r1 + c0 + 8]));
                var ia = even + Vector256.Create(2 * oh * w + c0);
                var best = e0;
                var at = ia;
                Take(d0, ia + Vector256<int>.One, ref best, ref at);
                Take(e1, ia + Vector256.Create(w), ref best, ref at);
                Take(d1, ia + Vector256.Create(w + 1), ref best, ref at);
                if (outAt + 8 <= ohw)
                {
                    best.StoreUnsafe(ref y[yp + outAt]);
                    at.StoreUnsafe(ref idx[ip + outAt]);
                }
                else
                {
                    for (int k = 0; k < n; k++) { y[yp + outAt + k] = best.GetElement(k); idx[ip + outAt + k] = at.GetElement(k); }
                }
            }
        }
    }

    /// <summary>16 consecutive floats (a, b) into their even and their odd columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Even, Vector256<float> Odd) Split(Vector256<float> a, Vector256<float> b) =>
        (Avx2.Permute4x64(Avx.Shuffle(a, b, 0x88).AsDouble(), 0xD8).AsSingle(),
         Avx2.Permute4x64(Avx.Shuffle(a, b, 0xDD).AsDouble(), 0xD8).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(Vector256<float> v, Vector256<int> iv, ref Vector256<float> best, ref Vector256<int> at)
    {
        var take = Vector256.GreaterThan(v, best) | (~Vector256.Equals(v, v) & Vector256.Equals(best, best));
        best = Vector256.ConditionalSelect(take, v, best);
        at = Vector256.ConditionalSelect(take.AsInt32(), iv, at);
    }

    /// <summary>The general loop's rule as masks: take v where v &gt; best, or where v is NaN and best is not.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(Vector512<float> v, Vector512<int> iv, ref Vector512<float> best, ref Vector512<int> at)
    {
        var take = Vector512.GreaterThan(v, best) | (~Vector512.Equals(v, v) & Vector512.Equals(best, best));
        best = Vector512.ConditionalSelect(take, v, best);
        at = Vector512.ConditionalSelect(take.AsInt32(), iv, at);
    }

    /// <summary>The rest of output row <paramref name="oh"/> from column <paramref name="o0"/>, one window at a time.</summary>
    private static void Scalar(float[] x, int xp, float[] y, int yp, int[] idx, int ip, Pool2dGeometry g, int oh, int o0)
    {
        for (int o = o0; o < g.OW; o++)
        {
            int at = 2 * oh * g.W + 2 * o;
            float best = x[xp + at];
            foreach (int k in (ReadOnlySpan<int>)[at + 1, at + g.W, at + g.W + 1])
            {
                float v = x[xp + k];
                if (v > best || (float.IsNaN(v) && !float.IsNaN(best))) { best = v; at = k; }
            }
            y[yp + oh * g.OW + o] = best;
            idx[ip + oh * g.OW + o] = at;
        }
    }
}
