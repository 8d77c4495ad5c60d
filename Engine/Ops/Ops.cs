namespace Pade.Engine;

/// <summary>Argument checks shared by ops: every message names the op and both sides.</summary>
public static class Ops
{
    public static void CheckSameDevice(string op, Tensor a, Tensor b)
    {
        if (a.Device != b.Device)
            throw new ArgumentException($"{op}: tensors are on different devices, {a.Device} and {b.Device}: move one with .To(device)");
    }

    public static void CheckSameDType(string op, Tensor a, Tensor b)
    {
        if (a.DType != b.DType)
            throw new ArgumentException($"{op}: tensors have different dtypes, {a.DType.TorchName()} and {b.DType.TorchName()}: convert one with .To(dtype)");
    }

    public static void CheckFloating(string op, Tensor a)
    {
        if (!a.DType.IsFloating())
            throw new ArgumentException($"{op}: needs a floating-point tensor, got {a.DType.TorchName()}");
    }

    public static void CheckPair(string op, Tensor a, Tensor b)
    {
        CheckSameDevice(op, a, b);
        CheckSameDType(op, a, b);
    }
}
