using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Pade.Engine.Functional;

namespace Pade.Engine;

/// <summary>
/// im2col and col2im for small output widths, through a table of source offsets. The row-slice loops of CpuConv.cs
/// copy one span per (row, output row): with OW = 2, 4 or 8 (VGG's and ResNet's deep layers) that is a call and
/// two clears per two to eight elements, more time than the GEMM's share. Here each element is one table read and
/// one load: entry (row, p) holds the offset of the input element that column p of im2col row row reads in one
/// sample's [C/G, H, W], or −1 where the window reads padding. The table depends on the geometry alone and is
/// kept per thread for the last geometry seen.
/// </summary>
public sealed partial class CpuBackend
{
    /// <summary>Output widths below this take the table.</summary>
    private const int Im2ColTableBelow = 16;

    /// <summary>Switch for tests and timing: false sends every width through the row-slice loops.</summary>
    public static bool Im2ColTable { get; set; } = true;

    [ThreadStatic] private static Conv2dGeometry _tableGeometry;
    [ThreadStatic] private static int[]? _table;

    private static bool UsesIm2ColTable(in Conv2dGeometry g) => Im2ColTable && g.OW < Im2ColTableBelow;

    /// <summary>The [ColRows, OH·OW] table of source offsets (−1: padding) for <paramref name="g"/>.</summary>
    internal static int[] Im2ColOffsets(in Conv2dGeometry g)
    {
        if (_table != null && _tableGeometry == g) return _table;
        int ohw = g.OH * g.OW, hw = g.H * g.W, row = 0;
        var table = new int[g.ColRows * ohw];
        for (int c = 0; c < g.CPerGroup; c++)
            for (int i = 0; i < g.KH; i++)
                for (int j = 0; j < g.KW; j++, row++)
                    for (int oh = 0; oh < g.OH; oh++)
                        for (int ow = 0; ow < g.OW; ow++)
                        {
                            int ih = oh * g.SH + i * g.DH - g.PH, iw = ow * g.SW + j * g.DW - g.PW;
                            bool inside = (uint)ih < (uint)g.H && (uint)iw < (uint)g.W;
                            table[row * ohw + oh * g.OW + ow] = inside ? c * hw + ih * g.W + iw : -1;
                        }
        _tableGeometry = g;
        _table = table;
        return table;
    }

    /// <summary><see cref="Im2Col{T}"/> by the table.</summary>
    private static void Im2ColByTable<T>(ReadOnlySpan<T> x, Span<T> col, int ldc, int colOffset, in Conv2dGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && Im2ColLanesApply(g))
        {
            Im2ColByLanes(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(col), ldc, colOffset, g, 0, g.CPerGroup);
            return;
        }
        var table = Im2ColOffsets(g);
        int ohw = g.OH * g.OW, rows = g.ColRows;
        for (int r = 0; r < rows; r++)
        {
            var d = col.Slice(r * ldc + colOffset, ohw);
            var t = table.AsSpan(r * ohw, ohw);
            for (int p = 0; p < d.Length; p++)
            {
                int k = t[p];
                d[p] = k >= 0 ? x[k] : T.Zero;
            }
        }
    }

    /// <summary><see cref="Col2Im{T}"/> by the table: dx[table[r, p]] += col[r, p], padding entries dropped.</summary>
    private static void Col2ImByTable<T>(ReadOnlySpan<T> col, int ldc, int colOffset, Span<T> dx, in Conv2dGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && Im2ColLanesApply(g))
        {
            Col2ImByLanes(MemoryMarshal.Cast<T, float>(col), ldc, colOffset, MemoryMarshal.Cast<T, float>(dx), g);
            return;
        }
        var table = Im2ColOffsets(g);
        int ohw = g.OH * g.OW, rows = g.ColRows;
        for (int r = 0; r < rows; r++)
        {
            var s = col.Slice(r * ldc + colOffset, ohw);
            var t = table.AsSpan(r * ohw, ohw);
            for (int p = 0; p < s.Length; p++)
            {
                int k = t[p];
                if (k >= 0) dx[k] += s[p];
            }
        }
    }

    /// <summary>
    /// Images of at most 16 pixels with exactly 16 output positions (ResNet-101's 512-channel 3x3 layers on 4x4
    /// images, float32, AVX-512): a channel is one vector, and each of its im2col rows is that vector permuted
    /// (vpermps) with the padding lanes masked to +0: one permute, one AND and one store per row instead of 16 table
    /// reads and gathers. col2im adds each row back through the inverse permutation (a tap reads each pixel from at
    /// most one output position), taps in order, so the sums are those of the table, bit for bit; a masked lane adds
    /// +0, which changes no sum that starts from +0. Same switch as the table (<see cref="Im2ColTable"/>).
    /// </summary>
    private static bool Im2ColLanesApply(in Conv2dGeometry g) =>
        Im2ColLanes && Avx512F.IsSupported && g.OH * g.OW == 16 && g.H * g.W <= 16;

    /// <summary>Tests switch the lanes off to compare them with the table.</summary>
    internal static bool Im2ColLanes { get; set; } = true;

    [ThreadStatic] private static Conv2dGeometry _lanesGeometry;
    [ThreadStatic] private static Vector512<int>[]? _lanes;

    /// <summary>Per tap t (4 vectors each): the source pixel of each output position and its mask (−1 on the image,
    /// 0 on padding), then the output position that reads each pixel and its mask.</summary>
    private static Vector512<int>[] Im2ColLaneTable(in Conv2dGeometry g)
    {
        if (_lanes != null && _lanesGeometry == g) return _lanes;
        int taps = g.KH * g.KW;
        var lanes = new Vector512<int>[4 * taps];
        Span<int> idx = stackalloc int[16], mask = stackalloc int[16], inv = stackalloc int[16], invMask = stackalloc int[16];
        for (int i = 0; i < g.KH; i++)
            for (int j = 0; j < g.KW; j++)
            {
                idx.Clear(); mask.Clear(); inv.Clear(); invMask.Clear();
                for (int p = 0; p < 16; p++)
                {
                    int ih = p / g.OW * g.SH + i * g.DH - g.PH, iw = p % g.OW * g.SW + j * g.DW - g.PW;
                    if ((uint)ih >= (uint)g.H || (uint)iw >= (uint)g.W) continue;
                    int q = ih * g.W + iw;
                    idx[p] = q; mask[p] = -1;
                    inv[q] = p; invMask[q] = -1;
                }
                int t = i * g.KW + j;
                lanes[4 * t] = Vector512.Create<int>(idx); lanes[4 * t + 1] = Vector512.Create<int>(mask);
                lanes[4 * t + 2] = Vector512.Create<int>(inv); lanes[4 * t + 3] = Vector512.Create<int>(invMask);
            }
        _lanesGeometry = g;
        _lanes = lanes;
        return lanes;
    }

    /// <summary>One channel's pixels as a vector (lanes past H·W are never selected; read from a copy where the
    /// channel ends within 16 elements of the array).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ChannelVector(ReadOnlySpan<float> x, int at, int hw)
    {
        if (at + 16 <= x.Length) return Vector512.Create(x.Slice(at, 16));
        Span<float> copy = stackalloc float[16];
        copy.Clear();
        x.Slice(at, hw).CopyTo(copy);
        return Vector512.Create<float>(copy);
    }

    /// <summary>The rows of channels c0 .. c1 − 1 of one sample's group (x: its [C/G, H, W]).</summary>
    private static void Im2ColByLanes(ReadOnlySpan<float> x, Span<float> col, int ldc, int colOffset, in Conv2dGeometry g, int c0, int c1)
    {
        var lanes = Im2ColLaneTable(g);
        int taps = g.KH * g.KW, hw = g.H * g.W;
        for (int c = c0; c < c1; c++)
        {
            var v = ChannelVector(x, c * hw, hw);
            for (int t = 0; t < taps; t++)
            {
                var r = Avx512F.PermuteVar16x32(v, lanes[4 * t]).AsInt32() & lanes[4 * t + 1];
                r.AsSingle().CopyTo(col.Slice((c * taps + t) * ldc + colOffset, 16));
            }
        }
    }

    private static void Col2ImByLanes(ReadOnlySpan<float> col, int ldc, int colOffset, Span<float> dx, in Conv2dGeometry g)
    {
        var lanes = Im2ColLaneTable(g);
        int taps = g.KH * g.KW, hw = g.H * g.W;
        Span<float> sum = stackalloc float[16];
        for (int c = 0; c < g.CPerGroup; c++)
        {
            var acc = ChannelVector(dx, c * hw, hw);
            for (int t = 0; t < taps; t++)
            {
                var row = Vector512.Create(col.Slice((c * taps + t) * ldc + colOffset, 16));
                acc += (Avx512F.PermuteVar16x32(row, lanes[4 * t + 2]).AsInt32() & lanes[4 * t + 3]).AsSingle();
            }
            acc.CopyTo(sum);
            sum[..hw].CopyTo(dx.Slice(c * hw, hw));
        }
    }
}
