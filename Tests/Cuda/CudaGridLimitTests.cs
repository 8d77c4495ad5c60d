using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Kernels;

namespace Pade.Tests.Cuda;

/// <summary>
/// Sizes whose natural grid would exceed 65535 blocks in y (the limit of every GPU so far, and of the emulated
/// driver): the kernels keep their large dimension in x, so such shapes run instead of being refused at launch.
/// Small in memory, but tens of thousands of blocks: a few seconds each on the emulator.
/// </summary>
public class CudaGridLimitTests
{
    private static CudaBackend Gpu() => CudaBackend.Use(CudaTestEnvironment.RequireDevice());

    [Test]
    public void MatMulWithMoreThan65535RowTiles()
    {
        var gpu = Gpu();
        // float64 uses 64-row tiles: 65536 · 64 + 999 rows need 65552 of them.
        const int m = 65536 * 64 + 999;
        var a = Tensor.Rand([1, m, 1], -1, 1, DType.Float64, Device.Cpu, new Generator(5));
        var b = Tensor.FromArray(new[] { -1.5 }, 1, 1, 1);
        var c = Tensor.Empty([1, m, 1], DType.Float64, Device.Cuda);
        gpu.MatMul(a.To(Device.Cuda), b.To(Device.Cuda), c, false, false);
        var expected = a.ToArray<double>().Select(v => v * -1.5).ToArray();
        Assert.That(c.Cpu().ToArray<double>(), Is.EqualTo(expected)); // one product per element: exact
    }

    [Test]
    public void MatMulWithMoreThan65535ColumnTiles()
    {
        var gpu = Gpu();
        const int n = 65536 * 64 + 999;
        var a = Tensor.FromArray(new[] { 0.25 }, 1, 1, 1);
        var b = Tensor.Rand([1, 1, n], -1, 1, DType.Float64, Device.Cpu, new Generator(6));
        var c = Tensor.Empty([1, 1, n], DType.Float64, Device.Cuda);
        gpu.MatMul(a.To(Device.Cuda), b.To(Device.Cuda), c, false, false);
        Assert.That(c.Cpu().ToArray<double>(), Is.EqualTo(b.ToArray<double>().Select(v => v * 0.25).ToArray()));
    }

    [Test]
    public void PerChannelBackwardWithMoreThan65535Channels()
    {
        var gpu = Gpu();
        const int channels = 70001;
        var layout = new ChannelLayout(1, channels, 1);
        var x = Tensor.Rand([channels], -1, 1, DType.Float32, Device.Cpu, new Generator(8));
        var w = Tensor.Rand([channels], 0, 0.5, DType.Float32, Device.Cpu, new Generator(9));
        var dy = Tensor.Rand([channels], -1, 1, DType.Float32, Device.Cpu, new Generator(10));
        var (dx, dw) = (Tensor.Empty([channels], DType.Float32, Device.Cpu), Tensor.Empty([channels], DType.Float32, Device.Cpu));
        CpuBackend.Instance.PReluBackward(x, w, dy, dx, dw, layout);
        var (gdx, gdw) = (Tensor.Empty([channels], DType.Float32, Device.Cuda), Tensor.Empty([channels], DType.Float32, Device.Cuda));
        gpu.PReluBackward(x.To(Device.Cuda), w.To(Device.Cuda), dy.To(Device.Cuda), gdx, gdw, layout);
        // One element per channel: a single product each, exact on both sides.
        Assert.That(gdx.Cpu().ToArray<float>(), Is.EqualTo(dx.ToArray<float>()));
        Assert.That(gdw.Cpu().ToArray<float>(), Is.EqualTo(dw.ToArray<float>()));
    }

    [Test]
    public void PauWithMoreThan65535Channels()
    {
        // Refused before ("channels in 1..65535"); the channel is in x now. The forward only: the backward and its
        // reduction put the channel in x the same way, and each of their 70001-block grids costs seconds here.
        var gpu = Gpu();
        const int channels = 70001;
        var layout = new ChannelLayout(1, channels, 3);
        Tensor R(int[] shape, double lo, double hi, ulong seed) => Tensor.Rand(shape, lo, hi, DType.Float64, Device.Cpu, new Generator(seed));
        var (x, a, b) = (R([channels, 3], -2, 2, 21), R([channels, 4], -1, 1, 23), R([channels, 2], -1, 1, 24));
        var y = Tensor.Empty([channels, 3], DType.Float64, Device.Cpu);
        CpuBackend.Instance.PauForward(x, a, b, y, PauVersion.B, layout, PauNoise.None);
        var gy = Tensor.Empty([channels, 3], DType.Float64, Device.Cuda);
        gpu.PauForward(x.To(Device.Cuda), a.To(Device.Cuda), b.To(Device.Cuda), gy, PauVersion.B, layout, PauNoise.None);
        var (want, got) = (y.ToArray<double>(), gy.Cpu().ToArray<double>());
        Assert.That(want.Zip(got, (w, g) => Math.Abs(w - g) / (1 + Math.Abs(w))).Max(), Is.LessThan(1e-13));
    }
}
