using Pade.Layers.Onnx;

namespace Pade.Layers.Models;

// The ONNX forms of the model zoo: each mirrors its Forward step by step, emitting the children through
// OnnxEmitter.Emit and the ops the Forward calls directly (flatten, average pool, residual add, concat) as nodes.

public sealed partial class LeNet : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        foreach (var m in _body) x = onnx.Emit(m, x);
        x = Flatten.Emit(onnx, this, x, 1);
        foreach (var m in _head) x = onnx.Emit(m, x);
        return x;
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
        var out1 = onnx.Emit(_act1, onnx.Emit(_bn1, onnx.Emit(_conv1, x)));
        var out2 = onnx.Emit(_act2, onnx.Emit(_bn2, onnx.Emit(_conv2, out1)));
        var out3 = onnx.Emit(_bn3, onnx.Emit(_conv3, out2));
        return onnx.Emit(_act3, onnx.Add(out3, onnx.Emit(_shortcut, x)));
    }
}

public sealed partial class ResNet : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        x = onnx.Emit(_act1, onnx.Emit(_bn1, onnx.Emit(_conv1, x)));
        x = onnx.Emit(_layer4, onnx.Emit(_layer3, onnx.Emit(_layer2, onnx.Emit(_layer1, x))));
        x = AvgPool2d.Emit(onnx, this, x, 4);
        return onnx.Emit(_linear, Flatten.Emit(onnx, this, x, 1));
    }
}

public sealed partial class InvertedResidual : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue input)
    {
        var x = onnx.Emit(_act1, onnx.Emit(_bn1, onnx.Emit(_conv1, input)));
        x = onnx.Emit(_act2, onnx.Emit(_bn2, onnx.Emit(_conv2, x)));
        x = onnx.Emit(_bn3, onnx.Emit(_conv3, x));
        return _stride == 1 ? onnx.Add(x, onnx.Emit(_shortcut, input)) : x;
    }
}

public sealed partial class MobileNetV2 : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        x = onnx.Emit(_act1, onnx.Emit(_bn1, onnx.Emit(_conv1, x)));
        x = onnx.Emit(_layers, x);
        x = onnx.Emit(_act2, onnx.Emit(_bn2, onnx.Emit(_conv2, x)));
        x = AvgPool2d.Emit(onnx, this, x, 4);
        return onnx.Emit(_linear, Flatten.Emit(onnx, this, x, 1));
    }
}

public sealed partial class DenseLayer : IOnnxExportable
{
    /// <summary>The new features first, then the input: Concat on axis 1.</summary>
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue input)
    {
        var x = onnx.Emit(_conv1, onnx.Emit(_act1, onnx.Emit(_bn1, input)));
        x = onnx.Emit(_conv2, onnx.Emit(_act2, onnx.Emit(_bn2, x)));
        int[] shape = [x.Shape[0], x.Shape[1] + input.Shape[1], .. x.Shape[2..]];
        return onnx.Op("Concat", [x, input], shape, OnnxAttribute.Int("axis", 1));
    }
}

public sealed partial class Transition : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x) =>
        AvgPool2d.Emit(onnx, this, onnx.Emit(_conv, onnx.Emit(_act, onnx.Emit(_bn, x))), 2);
}

public sealed partial class DenseNet : IOnnxExportable
{
    public OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue x)
    {
        x = onnx.Emit(_conv1, x);
        x = onnx.Emit(_trans1, onnx.Emit(_dense1, x));
        x = onnx.Emit(_trans2, onnx.Emit(_dense2, x));
        x = onnx.Emit(_trans3, onnx.Emit(_dense3, x));
        x = onnx.Emit(_dense4, x);
        x = AvgPool2d.Emit(onnx, this, onnx.Emit(_act, onnx.Emit(_bn, x)), 4);
        return onnx.Emit(_linear, Flatten.Emit(onnx, this, x, 1));
    }
}
