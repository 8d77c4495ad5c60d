using Pade.Engine;
using Pade.Kernels;
using Pade.Layers;
using Pade.Layers.Models;
using Pade.Training.Optim;

namespace Pade.Training.Gpu;

/// <summary>Training-step times of the paper's MNIST networks on the GPU (GpuBench's last rows).</summary>
public static partial class GpuBench
{
    static partial void AddModelRows(CudaBackend gpu, int repetitions, int batch, List<Row> rows, ref bool added)
    {
        rows.AddRange(ModelRows(gpu, repetitions, batch));
        added = true;
    }

    /// <summary>One SGD step (forward, cross-entropy, backward, update) of LeNet and VGG-8 on a batch of
    /// <paramref name="batch"/> random 1x32x32 images, float32, in milliseconds per step (CUDA events around the
    /// repetitions after 3 warm-up steps).</summary>
    internal static IEnumerable<Row> ModelRows(CudaBackend gpu, int repetitions, int batch = 128)
    {
        foreach (var (name, make) in new (string, Func<Module>)[]
                 {
                     ($"LeNet training step (batch {batch})", () => new LeNet(generator: new Generator(5))),
                     ($"VGG-8 training step (batch {batch})", () => new Vgg8(generator: new Generator(5))),
                 })
        {
            var model = make().To(Device.Cuda);
            model.Train();
            var x = Tensor.Randn([batch, 1, 32, 32], 0, 1, DType.Float32, Device.Cuda, new Generator(6));
            var t = Tensor.FromArray(Enumerable.Range(0, batch).Select(i => i % 10).ToArray()).To(Device.Cuda);
            var sgd = new Sgd(model.Parameters(), lr: 0.01, momentum: 0.9);
            double ms = CudaTimer.Milliseconds(gpu.CudaDevice, () =>
            {
                sgd.ZeroGrad();
                var loss = Tensor.CrossEntropy(model.Call(x), t);
                loss.Backward();
                sgd.Step();
            }, repetitions);
            yield return new Row(name, 0, ms, null, null, $"{model.ParameterCount():N0} parameters, ReLU, SGD momentum 0.9");
        }
    }
}
