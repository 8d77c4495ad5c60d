using System.Numerics;
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
}
