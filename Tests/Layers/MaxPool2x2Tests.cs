using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Tests.Layers;

/// <summary>The float32 vector path (AVX-512, or AVX2) for 2x2/stride-2 max pooling (Engine/Cpu/MaxPool2x2.cs) against the general
/// loop, which float64 always takes: same maxima, same winners (ties and NaNs included), on shapes whose rows are
/// narrower and wider than 32 and whose last plane ends at the array's end. With ceil mode on odd sizes the last row
/// and column of windows are clipped: the fast path must leave those geometries to the general loop.</summary>
public class MaxPool2x2Tests
{
    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void Float32FastPathPicksTheSameWinnersAsTheGeneralLoop(int a, int b, bool ceilMode) => Check(a, b, ceilMode);

    /// <summary>One random case (also run with the 256-bit path forced, Avx2KernelTests).</summary>
    internal static void Check(int a, int b, bool ceilMode)
    {
        var r = new Naive.Picker(a, b);
        int n = r.Next(1, 3), c = r.Next(1, 4), h = r.Next(2, 40), w = r.Next(2, 70);
        var rnd = new Random(a ^ (b << 8));
        // Values on a coarse grid (many ties) with a few NaNs.
        var v = new double[n * c * h * w];
        for (int i = 0; i < v.Length; i++) v[i] = rnd.Next(50) == 0 ? double.NaN : Math.Round(rnd.NextDouble() * 6 - 3) * 0.5;

        var x64 = Tensor.FromArray(v, n, c, h, w);
        var x32 = x64.To(DType.Float32);
        x64.RequiresGrad = true;
        x32.RequiresGrad = true;
        var y64 = F.MaxPool2d(x64, 2, ceilMode: ceilMode);
        var y32 = F.MaxPool2d(x32, 2, ceilMode: ceilMode);
        Assert.That(y32.ToArray<float>().Select(f => (double)f), Is.EqualTo(y64.ToArray<double>()), $"maxima, shape [{n}, {c}, {h}, {w}], ceil {ceilMode}");

        // The winner of each window receives its output's gradient: equal input gradients mean equal argmax.
        y64.Sum().Backward();
        y32.Sum().Backward();
        Assert.That(x32.Grad!.ToArray<float>().Select(f => (double)f), Is.EqualTo(x64.Grad!.ToArray<double>()), "winners");
    }
}
