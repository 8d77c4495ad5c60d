using Pade.Layers.Onnx;

namespace Pade.Layers.Models;

// The ONNX forms of the model zoo: each mirrors its Forward step by step, emitting the children through
// OnnxEmitter.Emit and the ops the Forward calls directly (flatten, average pool, residual add, concat) as nodes.

file static class Steps
{
    /// <summary>Modules applied in order (conv → bn → act and the like).</summary>
    public static OnnxValue Chain(this OnnxEmitter onnx, OnnxValue x, params Module[] modules)
    {
        foreach (var m in modules) x = onnx.Emit(m, x);
        return x;
    }

    /// <summary>The CIFAR networks' head: 4x4 average pool, flatten, the linear classifier.</summary>
    public static OnnxValue PoolAndClassify(this OnnxEmitter onnx, Module owner, OnnxValue x, Module linear) =>
        onnx.Emit(linear, Flatten.Emit(onnx, owner, AvgPool2d.Emit(onnx, owner, x, 4), 1));
}

public sealed partial class LeNet : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        x = Flatten.Emit(onnx, this, onnx.Chain(x, _body), 1);
        return onnx.Chain(x, _head);
    }
}

public sealed partial class Vgg8 : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) =>
        onnx.Emit(Classifier, Flatten.Emit(onnx, this, onnx.Emit(Features, x), 1));
}

public sealed partial class Vgg8Cifar : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) =>
        onnx.Emit(Classifier, Flatten.Emit(onnx, this, onnx.Emit(Features, x), 1));
}

public sealed partial class Bottleneck : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        var y = onnx.Chain(x, _conv1, _bn1, _act1, _conv2, _bn2, _act2, _conv3, _bn3);
        return onnx.Emit(_act3, onnx.Add(y, onnx.Emit(_shortcut, x)));
    }
}

public sealed partial class ResNet : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        x = onnx.Chain(x, _conv1, _bn1, _act1, _layer1, _layer2, _layer3, _layer4);
        return onnx.PoolAndClassify(this, x, _linear);
    }
}

public sealed partial class InvertedResidual : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue input)
    {
        var x = onnx.Chain(input, _conv1, _bn1, _act1, _conv2, _bn2, _act2, _conv3, _bn3);
        return _stride == 1 ? onnx.Add(x, onnx.Emit(_shortcut, input)) : x;
    }
}

public sealed partial class MobileNetV2 : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        x = onnx.Chain(x, _conv1, _bn1, _act1, _layers, _conv2, _bn2, _act2);
        return onnx.PoolAndClassify(this, x, _linear);
    }
}

public sealed partial class DenseLayer : IOnnxExportable
{
    /// <summary>The new features first, then the input: Concat on axis 1.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue input)
    {
        var x = onnx.Chain(input, _bn1, _act1, _conv1, _bn2, _act2, _conv2);
        int[] shape = [x.Shape[0], x.Shape[1] + input.Shape[1], .. x.Shape[2..]];
        return onnx.Op("Concat", [x, input], shape, OnnxAttribute.Int("axis", 1));
    }
}

public sealed partial class Transition : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) =>
        AvgPool2d.Emit(onnx, this, onnx.Chain(x, _bn, _act, _conv), 2);
}

public sealed partial class DenseNet : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        x = onnx.Chain(x, _conv1, _dense1, _trans1, _dense2, _trans2, _dense3, _trans3, _dense4, _bn, _act);
        return onnx.PoolAndClassify(this, x, _linear);
    }
}
