using System.Globalization;
using Google.Protobuf;
using Onnx;
using Pade.Engine;

namespace Pade.Layers.Onnx;

/// <summary>
/// Builds the ONNX graph of a model: modules emit their nodes through it (<see cref="IOnnxExportable"/>), it names
/// nodes and values after the emitting module's path ("layer1.0.act1/Mul"), stores parameters as float32
/// initializers named by their state-dict keys ("layer1.0.act1.numerator"), and tracks every value's static shape
/// so that per-channel parameters can be laid out to broadcast against it. Opset <see cref="Opset"/> of the default
/// domain only.
/// </summary>
public sealed class OnnxEmitter
{
    /// <summary>The opset version the exported models import: 17 rather than the newest, so that older runtimes and
    /// converters read the files too; GELU (an op from opset 20) and Mish (18) are written as subgraphs.</summary>
    public const int Opset = 17;

    private readonly GraphProto _graph;
    private readonly Dictionary<string, int> _names = [];
    private readonly Dictionary<string, OnnxValue> _constants = [];
    private readonly Dictionary<Tensor, List<OnnxValue>> _parameters = new(ReferenceEqualityComparer.Instance);
    private string _scope = "";

    internal OnnxEmitter(GraphProto graph) => _graph = graph;

    /// <summary>The graph input when it holds int64 indices (a model starting with an Embedding), else null.</summary>
    internal OnnxValue? IndexInput { get; set; }

    /// <summary>Whether <paramref name="x"/> is the model's int64 index input (the only integer value of a graph).</summary>
    public bool IsIndexInput(OnnxValue x) => IndexInput is { } i && ReferenceEquals(i, x);

    /// <summary>Emits <paramref name="module"/> applied to <paramref name="input"/>; a module without an ONNX form
    /// throws <see cref="OnnxExportException"/> naming its type and path.</summary>
    public OnnxValue Emit(Module module, OnnxValue input)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (module is not IOnnxExportable exportable)
            throw new OnnxExportException(
                $"ONNX export: {Name(module)} has no ONNX form ({module.GetType().FullName} does not implement {nameof(IOnnxExportable)}); " +
                "replace it, or implement IOnnxExportable to emit its evaluation-mode forward");
        string outer = _scope;
        _scope = module.Path;
        try { return exportable.EmitOnnx(this, input); }
        finally { _scope = outer; }
    }

    /// <summary>"Conv2d 'features.3'" or "the root module (LeNet)", for messages.</summary>
    public static string Name(Module m) => m.Path.Length == 0 ? $"the root module ({m.GetType().Name})" : $"{m.GetType().Name} '{m.Path}'";

    /// <summary>An <see cref="OnnxExportException"/> "ONNX export: {module}: {problem}".</summary>
    public static OnnxExportException Error(Module m, string problem) => new($"ONNX export: {Name(m)}: {problem}");

    // ---- nodes --------------------------------------------------------------------------------------------------

    /// <summary>Adds node <paramref name="opType"/> with one output of shape <paramref name="shape"/>.</summary>
    public OnnxValue Op(string opType, OnnxValue[] inputs, int[] shape, params OnnxAttribute[] attributes)
    {
        var name = Unique(_scope.Length == 0 ? opType : $"{_scope}/{opType}");
        var node = new NodeProto { Name = name, OpType = opType };
        node.Input.AddRange(inputs.Select(i => i.Name));
        node.Output.Add(name);
        foreach (var a in attributes) node.Attribute.Add(ToProto(a));
        _graph.Node.Add(node);
        return new OnnxValue(name, shape);
    }

    /// <summary>An elementwise op of one input (the shape is kept).</summary>
    public OnnxValue Unary(string opType, OnnxValue x, params OnnxAttribute[] attributes) => Op(opType, [x], x.Shape, attributes);

    /// <summary>An elementwise op of inputs that broadcast (numpy rules) to the output shape.</summary>
    public OnnxValue Elementwise(string opType, params OnnxValue[] inputs) =>
        Op(opType, inputs, inputs.Skip(1).Aggregate(inputs[0].Shape, (s, v) => Broadcast(s, v.Shape)));

    public OnnxValue Add(OnnxValue a, OnnxValue b) => Elementwise("Add", a, b);
    public OnnxValue Sub(OnnxValue a, OnnxValue b) => Elementwise("Sub", a, b);
    public OnnxValue Mul(OnnxValue a, OnnxValue b) => Elementwise("Mul", a, b);
    public OnnxValue Div(OnnxValue a, OnnxValue b) => Elementwise("Div", a, b);

    /// <summary>c_0 + x(c_1 + x(c_2 + ... + x c_L−1)) by Horner's rule, as the kernels evaluate their polynomials;
    /// a polynomial of degree 0 is broadcast to the shape of x.</summary>
    public OnnxValue Horner(IReadOnlyList<OnnxValue> c, OnnxValue x)
    {
        if (c.Count == 0) throw new ArgumentException("Horner: no coefficients");
        var r = c[^1];
        for (int k = c.Count - 2; k >= 0; k--) r = Add(Mul(r, x), c[k]);
        return c.Count == 1 ? BroadcastLike(r, x) : r;
    }

    /// <summary><paramref name="v"/> expanded to the shape of <paramref name="like"/> (Shape + Expand).</summary>
    public OnnxValue BroadcastLike(OnnxValue v, OnnxValue like) =>
        Op("Expand", [v, Op("Shape", [like], [like.Rank])], Broadcast(v.Shape, like.Shape));

    /// <summary>Reshape to <paramref name="shape"/>, where −1 at axis 0 copies the input's axis 0 (the batch).</summary>
    public OnnxValue Reshape(OnnxValue x, int[] shape) =>
        Op("Reshape", [x, Int64s(shape.Select((d, i) => i == 0 && d < 0 && x.Shape[0] < 0 ? 0L : d).ToArray())], shape);

    // ---- constants and parameters -------------------------------------------------------------------------------

    /// <summary>A float32 scalar constant (shared by every node that uses the same value).</summary>
    public OnnxValue Scalar(double value)
    {
        float f = (float)value;
        string key = "const_" + f.ToString("R", CultureInfo.InvariantCulture);
        if (_constants.TryGetValue(key, out var v)) return v;
        return _constants[key] = Initializer(Unique(key), [f], []);
    }

    /// <summary>A 1-D float32 constant (Resize's scales), shared by every node that uses the same values.</summary>
    public OnnxValue Floats(float[] values)
    {
        string key = "const_f32s_" + string.Join("_", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        if (_constants.TryGetValue(key, out var v)) return v;
        return _constants[key] = Initializer(Unique(key), values, [values.Length]);
    }

    /// <summary>A 1-D int64 constant (shapes, axes), or a scalar one for <paramref name="scalar"/>.</summary>
    public OnnxValue Int64s(long[] values, bool scalar = false)
    {
        string key = (scalar ? "const_i64_" : "const_i64s_") + string.Join("_", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        if (_constants.TryGetValue(key, out var v)) return v;
        var t = new TensorProto { Name = Unique(key), DataType = (int)TensorProto.Types.DataType.Int64 };
        if (!scalar) t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        _graph.Initializer.Add(t);
        return _constants[key] = new OnnxValue(t.Name, scalar ? [] : [values.Length]);
    }

    /// <summary>
    /// Parameter or buffer <paramref name="name"/> of <paramref name="owner"/> as a float32 initializer named by its
    /// state-dict key, with its values in row-major order laid out as <paramref name="shape"/> (default: its own).
    /// </summary>
    public OnnxValue Parameter(Module owner, string name, Tensor t, int[]? shape = null) =>
        Parameter(owner, name, t, shape ?? t.ShapeCopy(), () => t.ToArray<float>());

    /// <summary>
    /// A per-channel parameter ([C], or [1] shared) shaped to broadcast against <paramref name="x"/> along axis 1:
    /// [C, 1, ...] with rank(x) − 1 axes, or [1] when shared.
    /// </summary>
    public OnnxValue ChannelVector(Module owner, string name, Tensor p, OnnxValue x)
    {
        int c = (int)p.Numel;
        return Parameter(owner, name, p, c == 1 ? [1] : ChannelShape(owner, x, c, []));
    }

    /// <summary>
    /// The coefficients of a parameter set, each as a value that broadcasts against <paramref name="x"/>:
    /// <paramref name="p"/> is [L] (shared), or [C, L] (coefficient axis 1: PAU, SLAF) or [L, C] (axis 0: APL,
    /// Mixture) per channel of axis 1. Stored once, coefficient-major: [L] when shared (each coefficient a scalar),
    /// [L, C, 1, ...] per channel (each [C, 1, ...]); coefficient k is read with Gather. <paramref name="abs"/> takes
    /// |p| in the graph first (PAU version A).
    /// </summary>
    public IReadOnlyList<OnnxValue> CoefficientSet(Module owner, string name, Tensor p, int coefficientAxis, OnnxValue x, bool abs = false)
    {
        if (p.Rank is < 1 or > 2 || coefficientAxis is < 0 or > 1)
            throw Error(owner, $"coefficients '{name}' of shape {Shapes.Format(p.Shape)} are neither [L] nor [C, L]/[L, C]");
        int length = p.Rank == 1 ? p.Size(0) : p.Size(coefficientAxis);
        int channels = p.Rank == 1 ? 1 : p.Size(1 - coefficientAxis);
        int[] shape = channels == 1 ? [length] : ChannelShape(owner, x, channels, [length]);
        var set = Parameter(owner, name, p, shape, () =>
        {
            var v = p.ToArray<float>();
            if (channels == 1 || coefficientAxis == 0) return v;
            var t = new float[v.Length];   // [C, L] → [L, C]
            for (int c = 0; c < channels; c++)
                for (int k = 0; k < length; k++) t[k * channels + c] = v[c * length + k];
            return t;
        });
        if (abs) set = Unary("Abs", set);
        var result = new OnnxValue[length];
        for (int k = 0; k < length; k++)
            result[k] = Op("Gather", [set, Int64s([k], scalar: true)], shape[1..], OnnxAttribute.Int("axis", 0));
        return result;
    }

    /// <summary>[..prefix, C, 1, ...] with rank(x) − 1 axes after the prefix; x must have C channels on axis 1.</summary>
    private static int[] ChannelShape(Module owner, OnnxValue x, int channels, int[] prefix)
    {
        if (x.Rank < 2 || x.Shape[1] != channels)
            throw Error(owner, $"{channels} per-channel parameters need an input with {channels} channels on axis 1, got {x}");
        var s = new int[prefix.Length + x.Rank - 1];
        Array.Fill(s, 1);
        prefix.CopyTo(s, 0);
        s[prefix.Length] = channels;
        return s;
    }

    private OnnxValue Parameter(Module owner, string name, Tensor t, int[] shape, Func<float[]> values)
    {
        if (shape.Aggregate(1L, (a, d) => a * d) != t.Numel)
            throw new ArgumentException($"{name}: shape [{string.Join(", ", shape)}] does not hold the {t.Numel} values of {Shapes.Format(t.Shape)}");
        if (_parameters.TryGetValue(t, out var done) && done.FirstOrDefault(v => v.Shape.SequenceEqual(shape)) is { } same)
            return same;
        var value = Initializer(Unique(owner.Path.Length == 0 ? name : $"{owner.Path}.{name}"), values(), shape);
        if (done == null) _parameters[t] = done = [];
        done.Add(value);
        return value;
    }

    private OnnxValue Initializer(string name, float[] values, int[] shape)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(shape.Select(d => (long)d));
        var bytes = new byte[values.Length * sizeof(float)];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(bytes);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian");
        t.RawData = ByteString.CopyFrom(bytes);
        _graph.Initializer.Add(t);
        return new OnnxValue(name, shape);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /// <summary>The numpy broadcast of two shapes (−1, a run-time size, wins over 1).</summary>
    public static int[] Broadcast(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) is int ia && ia >= 0 ? a[ia] : 1;
            int db = i - (rank - b.Length) is int ib && ib >= 0 ? b[ib] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"shapes [{string.Join(", ", a)}] and [{string.Join(", ", b)}] do not broadcast");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    private string Unique(string name)
    {
        if (!_names.TryGetValue(name, out int n)) { _names[name] = 1; return name; }
        _names[name] = n + 1;
        return Unique($"{name}_{n}");
    }

    private static AttributeProto ToProto(OnnxAttribute a)
    {
        var p = new AttributeProto { Name = a.Name };
        if (a.IntValue is long i) { p.Type = AttributeProto.Types.AttributeType.Int; p.I = i; }
        else if (a.IntsValue is long[] ints) { p.Type = AttributeProto.Types.AttributeType.Ints; p.Ints.AddRange(ints); }
        else if (a.FloatValue is float f) { p.Type = AttributeProto.Types.AttributeType.Float; p.F = f; }
        else if (a.StringValue is string s) { p.Type = AttributeProto.Types.AttributeType.String; p.S = ByteString.CopyFromUtf8(s); }
        else throw new ArgumentException($"attribute '{a.Name}' has no value");
        return p;
    }
}
