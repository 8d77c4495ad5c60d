using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Tests.Layers;

/// <summary>Geometries libtorch accepts where a kernel column (or row) only ever reads the padding: the tap's valid
/// output range is empty. Each case runs forward and both gradients against the naive reference, on every CPU path
/// that takes the geometry (the switches send it through the direct kernels, the offset table and the row slices).</summary>
[NonParallelizable]
public class ConvEdgeTests
{
    private static Tensor Rand(int[] shape, ulong seed) => Tensor.Rand(shape, -1, 1, DType.Float64, generator: new Generator(seed));

    // x, w, stride, padding, dilation, groups. The first two are the issue's: depthwise (groups = C = K), horizontal
    // stride 1, a kernel column reading only the left (first) or right padding.
    private static readonly object[] Cases =
    [
        new object[] { new[] { 1, 1, 1, 5 }, new[] { 1, 1, 1, 5 }, 1, 1, 0, 2, 1, 2, 1 },
        new object[] { new[] { 2, 6, 4, 3 }, new[] { 6, 1, 4, 4 }, 1, 1, 2, 2, 2, 2, 6 },
        // Plain convolutions with both outer taps in the padding (a narrow output, and one 18 wide: the row slices),
        // and a depthwise one with horizontal stride 2.
        new object[] { new[] { 1, 2, 2, 1 }, new[] { 3, 2, 1, 3 }, 1, 1, 0, 4, 1, 3, 1 },
        new object[] { new[] { 1, 1, 1, 1 }, new[] { 2, 1, 1, 2 }, 1, 1, 0, 20, 1, 23, 1 },
        new object[] { new[] { 2, 3, 3, 2 }, new[] { 3, 1, 3, 3 }, 1, 2, 3, 3, 1, 2, 3 },
    ];

    [TestCaseSource(nameof(Cases))]
    public void PaddingOnlyTapsMatchNaive(int[] xs, int[] ws, int sh, int sw, int ph, int pw, int dh, int dw, int groups)
    {
        var c = new ConvCase(xs, ws, (sh, sw), (ph, pw), (dh, dw), groups);
        foreach (var set in new ConvSwitchSet[] { new(true, true, true), new(true, true, false), new(false, true, false), new(false, false, false) })
            ConvSwitches.With(set, () => MatchesNaive(c, bias: true, seed: 1));
    }

    /// <summary>Every CPU path (<see cref="ConvGeometries"/>: depthwise, direct, dense, offset table, row slices) on
    /// random geometries half of whose axes are edge axes, forward and all gradients against the naive reference.</summary>
    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void EveryPathMatchesNaiveOnEdgeGeometries(int a, int b, int c, bool bias)
    {
        foreach (var path in ConvGeometries.Paths)
        {
            var r = new Naive.Picker(a, b, c, (int)path);
            var set = ConvGeometries.Switches(path);
            for (int i = 0; i < 3; i++)
            {
                var cc = ConvGeometries.Pick(r, path, maxImage: path == CpuBackend.ConvPath.Depthwise ? 20 : 9, maxBatch: 3);
                ConvSwitches.With(set, () => MatchesNaive(cc, bias, (ulong)(uint)a));
                // The depthwise loops come in two kinds chosen by the output width: both on every geometry.
                if (path == CpuBackend.ConvPath.Depthwise)
                    foreach (bool gather in new[] { true, false })
                    {
                        CpuBackend.DepthwiseGatherAlways = gather;
                        try { ConvSwitches.With(set, () => MatchesNaive(cc, bias, (ulong)(uint)a)); }
                        finally { CpuBackend.DepthwiseGatherAlways = null; }
                    }
            }
        }
    }

    private static void MatchesNaive(ConvCase c, bool bias, ulong seed)
    {
        var (xs, ws, s, p, d, groups) = c;
        var x0 = Rand(xs, seed); var w0 = Rand(ws, seed + 1); var b0 = Rand([ws[0]], seed + 2);
        var expected = Naive.Conv2d(x0.ToArray<double>(), xs, w0.ToArray<double>(), ws, bias ? b0.ToArray<double>() : null, s, p, d, groups, out var ys);
        var up = Rand(ys, seed + 3);
        var (edx, edw, edb) = Naive.Conv2dBackward(x0.ToArray<double>(), xs, w0.ToArray<double>(), ws, up.ToArray<double>(), s, p, d, groups);
        var x = x0.Clone(); x.RequiresGrad = true;
        var w = w0.Clone(); w.RequiresGrad = true;
        var b = b0.Clone(); b.RequiresGrad = true;
        string what = $"direct={CpuBackend.DirectConvolution} table={CpuBackend.Im2ColTable} winograd={CpuBackend.WinogradConvolution} {c}";
        var y = F.Conv2d(x, w, bias ? b : null, s, p, d, groups);
        Assert.That(y.ShapeCopy(), Is.EqualTo(ys), what);
        Naive.AssertClose(y.ToArray<double>(), expected, 1e-12, what + " forward");
        (y * up).Sum().Backward();
        Naive.AssertClose(x.Grad!.ToArray<double>(), edx, 1e-12, what + " dx");
        Naive.AssertClose(w.Grad!.ToArray<double>(), edw, 1e-12, what + " dw");
        if (bias) Naive.AssertClose(b.Grad!.ToArray<double>(), edb, 1e-12, what + " db");
    }

    [Test]
    public void IssueSmallestCaseGivesOneOutput()
    {
        // torch.nn.functional.conv2d(x [1,1,1,5], w [1,1,1,5], padding=(0,2), dilation=(1,2)) → [1,1,1,1]: taps 0
        // and 4 read only padding, taps 1..3 read x[0], x[2], x[4].
        var x = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5 }, 1, 1, 1, 5);
        var w = Tensor.FromArray(new double[] { 10, 1, 100, 1000, 10000 }, 1, 1, 1, 5);
        var y = F.Conv2d(x, w, null, 1, (0, 2), (1, 2));
        Assert.That(y.ShapeCopy(), Is.EqualTo(new[] { 1, 1, 1, 1 }));
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 1 * 1 + 100 * 3 + 1000 * 5.0 }));
    }
}

/// <summary>The CPU convolution switches a test runs under.</summary>
internal readonly record struct ConvSwitchSet(bool Direct, bool Table, bool Winograd)
{
    public override string ToString() => $"direct={Direct} table={Table} winograd={Winograd}";
}

/// <summary>Sets the CPU convolution switches for one action and restores them. With Winograd on, its floor is
/// lowered to 1 channel and 1 tile so that the small shapes tests can afford reach it.</summary>
internal static class ConvSwitches
{
    public static readonly CpuBackend.WinogradFloor AnyWinograd = new(1, 1);

    public static void With(ConvSwitchSet s, Action action)
    {
        bool savedDirect = CpuBackend.DirectConvolution, savedTable = CpuBackend.Im2ColTable, savedWinograd = CpuBackend.WinogradConvolution;
        var savedFloor = CpuBackend.WinogradMinimum;
        CpuBackend.DirectConvolution = s.Direct;
        CpuBackend.Im2ColTable = s.Table;
        CpuBackend.WinogradConvolution = s.Winograd;
        if (s.Winograd) CpuBackend.WinogradMinimum = AnyWinograd;
        try { action(); }
        finally
        {
            CpuBackend.DirectConvolution = savedDirect;
            CpuBackend.Im2ColTable = savedTable;
            CpuBackend.WinogradConvolution = savedWinograd;
            CpuBackend.WinogradMinimum = savedFloor;
        }
    }
}
