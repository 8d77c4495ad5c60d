namespace Pade.Layers.Onnx;

/// <summary>
/// A module with an ONNX form: it emits the nodes of its evaluation-mode forward (batch norm with the running
/// statistics, dropout off, RPAU without noise, RReLU with the mean slope) into an <see cref="OnnxEmitter"/>.
/// Containers and models emit their children through <see cref="OnnxEmitter.Emit"/>, so a child without an ONNX
/// form is reported by its path. A custom module exports by implementing this interface.
/// </summary>
public interface IOnnxExportable
{
    /// <summary>Emits the nodes that compute this module's output from <paramref name="input"/> and returns it.</summary>
    OnnxValue EmitOnnx(OnnxEmitter onnx, OnnxValue input);
}

/// <summary>A value of the graph being built: its name and static shape, where −1 is a dimension known only at run
/// time (axis 0, the batch, is the symbolic "N").</summary>
public sealed record OnnxValue(string Name, int[] Shape)
{
    public int Rank => Shape.Length;

    /// <summary>The size of axis 1 (the channels of [N, C, ...]).</summary>
    public int Channels => Shape.Length >= 2 ? Shape[1] : 1;

    public override string ToString() => $"{Name} [{string.Join(", ", Shape.Select(d => d < 0 ? "N" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";
}

/// <summary>A node attribute (the ONNX kinds the exporters use: int, ints, float, string).</summary>
public sealed record OnnxAttribute(string Name, long? IntValue = null, long[]? IntsValue = null, float? FloatValue = null,
    string? StringValue = null)
{
    public static OnnxAttribute String(string name, string value) => new(name, StringValue: value);
    public static OnnxAttribute Int(string name, long value) => new(name, IntValue: value);
    public static OnnxAttribute Ints(string name, params long[] values) => new(name, IntsValue: values);
    public static OnnxAttribute Float(string name, double value) => new(name, FloatValue: (float)value);
}

/// <summary>A model cannot be exported to ONNX; the message names the module (type and path) and the reason.</summary>
public sealed class OnnxExportException(string message) : Exception(message);
