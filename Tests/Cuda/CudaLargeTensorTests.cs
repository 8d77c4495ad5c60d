using NUnit.Framework;
using Pade.Engine;

namespace Pade.Tests.Cuda;

/// <summary>
/// Tensors of more than 2³¹ elements on the GPU: a slice far into one copies to the host, the whole one says
/// clearly that no .NET array holds it. (On the emulated driver the 8 GiB are address space only: nothing touches
/// them but the slice.)
/// </summary>
public class CudaLargeTensorTests
{
    [Test]
    public void SlicesBeyondTwoToThe31CopyToTheHostAndTheWholeTensorSaysWhyNot()
    {
        var device = CudaTestEnvironment.RequireDevice();
        if (!Kernels.Interop.CudaLibraries.DriverIsEmulated && device.TotalMemory < 12L << 30)
            Assert.Ignore("the GPU has less than 12 GiB");
        Kernels.CudaBackend.Use(device);
        const long n = (1L << 31) + 16;
        const int rows = (int)(n / 16);
        using var x = Tensor.Empty([rows, 16], DType.Float32, Device.Cuda);
        var tail = x.Narrow(0, rows - 2, 2); // the last 32 elements, past 2³¹
        Assert.That(tail.Offset, Is.EqualTo(n - 32));
        Assert.That(tail.ToArray<float>(), Has.Length.EqualTo(32)); // the last 128 bytes of an 8 GiB allocation
        var e = Assert.Throws<InvalidOperationException>(() => x.ToArray<float>())!;
        Assert.That(e.Message, Does.Contain("2,147,483,664 elements exceed"));
    }
}
