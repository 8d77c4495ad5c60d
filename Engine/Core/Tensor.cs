using Pade.Engine.Autograd;

namespace Pade.Engine;

/// <summary>
/// An n-dimensional array: a <see cref="Storage"/> plus shape, strides (in elements) and offset, so views share
/// memory without copies. With <see cref="RequiresGrad"/> it takes part in reverse-mode autograd: every op records
/// a <see cref="Node"/> holding the closed-form backward, and <see cref="Backward"/> walks the graph.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private readonly int[] _shape;
    private readonly int[] _strides;
    private bool _requiresGrad;

    internal Tensor(Storage storage, int[] shape, int[] strides, long offset)
    {
        Storage = storage;
        _shape = shape;
        _strides = strides;
        // An empty view reads no element: offset 0 keeps it inside any storage (a narrow or diagonal of an empty
        // tensor at a start past its storage would otherwise send kernels reading spans from there out of range).
        Offset = shape.Contains(0) ? 0 : offset;
    }

    public Storage Storage { get; }
    public long Offset { get; }
    public ReadOnlySpan<int> Shape => _shape;
    public ReadOnlySpan<int> Strides => _strides;
    internal int[] ShapeArray => _shape;
    internal int[] StridesArray => _strides;
    public int[] ShapeCopy() => (int[])_shape.Clone();
    public int Rank => _shape.Length;
    public long Numel => Shapes.Numel(_shape);
    public DType DType => Storage.DType;
    public Device Device => Storage.Device;
    public Backend Backend => Backend.For(Storage.Device);

    /// <summary>Size of one axis (negative counts from the end).</summary>
    public int Size(int axis) => _shape[Shapes.NormalizeAxis("size", axis, Rank)];

    /// <summary>Whether gradients flow into this tensor. Only leaves may be switched by hand.</summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (GradFn != null && !value)
                throw new InvalidOperationException("RequiresGrad can only be cleared on a leaf tensor; use Detach() on a result of an op");
            if (value && !DType.IsFloating())
                throw new InvalidOperationException($"only floating-point tensors can require grad, this one is {DType.TorchName()}");
            _requiresGrad = value;
        }
    }

    /// <summary>Accumulated gradient of a leaf after <see cref="Backward"/>.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The node that produced this tensor, or null for a leaf.</summary>
    public Node? GradFn { get; internal set; }

    public bool IsLeaf => GradFn == null;

    /// <summary>Optional name, used in error messages and gradient-check reports (parameters get theirs).</summary>
    public string? Name { get; set; }

    public bool IsContiguous
    {
        get
        {
            // No element, no layout (as PyTorch's is_contiguous): an empty view such as [4, 0, 3] with strides [3, 3, 1]
            // would otherwise fail the test below and be refused by kernels that need contiguous memory (FromHost).
            if (Numel == 0) return true;
            long expected = 1;
            for (int i = Rank - 1; i >= 0; i--)
            {
                if (_shape[i] != 1 && _strides[i] != expected) return false;
                expected *= _shape[i];
            }
            return true;
        }
    }

    // ---- construction -------------------------------------------------------------------------------------------

    /// <summary>A new contiguous tensor with undefined contents (or zeros).</summary>
    public static Tensor Empty(int[] shape, DType dtype = DType.Float32, Device? device = null, bool zero = false)
    {
        foreach (var d in shape)
            if (d < 0) throw new ArgumentException($"negative dimension in shape {Shapes.Format(shape)}");
        var dev = device ?? Device.Cpu;
        var storage = Backend.For(dev).Allocate(dtype, Shapes.Numel(shape), zero);
        return new Tensor(storage, (int[])shape.Clone(), Shapes.ContiguousStrides(shape), 0);
    }

    /// <summary>An uninitialised tensor like this one (same shape, dtype and device), for op outputs.</summary>
    public Tensor EmptyLike() => Empty(_shape, DType, Device);

    internal static Tensor EmptyOn(Device device, DType dtype, int[] shape) => Empty(shape, dtype, device);

    public static Tensor Zeros(params int[] shape) => Empty(shape, DType.Float32, null, zero: true);
    public static Tensor Zeros(int[] shape, DType dtype, Device? device = null) => Empty(shape, dtype, device, zero: true);
    public static Tensor Ones(params int[] shape) => Full(shape, 1.0);
    public static Tensor Ones(int[] shape, DType dtype, Device? device = null) => Full(shape, 1.0, dtype, device);

    public static Tensor Full(int[] shape, double value, DType dtype = DType.Float32, Device? device = null)
    {
        var t = Empty(shape, dtype, device);
        t.Backend.Fill(t, value);
        return t;
    }

    public Tensor ZerosLike() => Zeros(_shape, DType, Device);
    public Tensor OnesLike() => Ones(_shape, DType, Device);
    public Tensor FullLike(double value) => Full(_shape, value, DType, Device);

    /// <summary>start, start+step, ... below end, as a 1-D tensor.</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Float32, Device? device = null)
    {
        if (step == 0) throw new ArgumentException("arange: step must not be zero");
        int n = Math.Max(0, (int)Math.Ceiling((end - start) / step));
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = start + i * step;
        return FromArray(values, [n]).To(dtype).To(device ?? Device.Cpu);
    }

    public static Tensor FromArray(float[] data, params int[] shape) => FromSpan<float>(data, shape.Length == 0 ? [data.Length] : shape);
    public static Tensor FromArray(double[] data, params int[] shape) => FromSpan<double>(data, shape.Length == 0 ? [data.Length] : shape);
    public static Tensor FromArray(int[] data, params int[] shape) => FromSpan<int>(data, shape.Length == 0 ? [data.Length] : shape);

    /// <summary>A scalar (rank-0) tensor.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) => Full([], value, dtype, device);

    public static Tensor FromSpan<T>(ReadOnlySpan<T> data, int[] shape, Device? device = null) where T : unmanaged
    {
        if (Shapes.Numel(shape) != data.Length)
            throw new ArgumentException($"FromArray: {data.Length} values do not fill shape {Shapes.Format(shape)} ({Shapes.Numel(shape)} elements)");
        var t = Empty(shape, DTypeExtensions.Of<T>(), device);
        t.Backend.FromHost(data, t);
        return t;
    }

    // ---- host access --------------------------------------------------------------------------------------------

    /// <summary>The elements in row-major order, copied to the host.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        if (DTypeExtensions.Of<T>() != DType) return To(DTypeExtensions.Of<T>()).ToArray<T>();
        if (Numel > Array.MaxLength)
            throw new InvalidOperationException(
                $"ToArray: {Numel:N0} elements exceed the {Array.MaxLength:N0} a .NET array can hold; copy slices (Narrow) instead");
        var r = new T[Numel];
        Backend.ToHost<T>(this, r);
        return r;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public double Item()
    {
        if (Numel != 1) throw new InvalidOperationException($"Item() needs a tensor with one element, this one has shape {Shapes.Format(_shape)}");
        return ToArray<double>()[0];
    }

    /// <summary>The element at a multi-index, as double.</summary>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public double this[params int[] index] => Index(index).Item();

    // ---- in-place writes (optimizers, initialisers); they bump the version counter ------------------------------

    private void CheckInPlace(string op)
    {
        if (_requiresGrad && GradMode.IsEnabled && IsLeaf)
            throw new InvalidOperationException($"{op}: a leaf tensor that requires grad is used in an in-place operation; wrap it in `using (Tensor.NoGrad())`");
        if (GradFn != null && GradMode.IsEnabled)
            throw new InvalidOperationException($"{op}: in-place ops on results that are part of a graph are not recorded by autograd; use the out-of-place op");
    }

    /// <summary>Writes src (broadcast to this shape) into this tensor's elements.</summary>
    public Tensor CopyFrom(Tensor src)
    {
        CheckInPlace("CopyFrom");
        Ops.CheckSameDevice("CopyFrom", this, src);
        Backend.Copy(src.BroadcastTo(_shape), this);
        Storage.BumpVersion();
        return this;
    }

    private Tensor AsContiguousTarget() =>
        IsContiguous ? this : throw new NotSupportedException("in-place write into a non-contiguous view");

    public Tensor Fill_(double value)
    {
        CheckInPlace("Fill_");
        Backend.Fill(AsContiguousTarget(), value);
        Storage.BumpVersion();
        return this;
    }

    public Tensor Zero_() => Fill_(0);

    /// <summary>this += alpha * other, in place.</summary>
    public Tensor Add_(Tensor other, double alpha = 1)
    {
        CheckInPlace("Add_");
        Ops.CheckSameDevice("Add_", this, other);
        var rhs = alpha == 1 ? other : other.Detach() * alpha;
        Backend.Binary(BinaryOp.Add, this, rhs.BroadcastTo(_shape), AsContiguousTarget());
        Storage.BumpVersion();
        return this;
    }

    /// <summary>this *= value, in place.</summary>
    public Tensor Mul_(double value)
    {
        CheckInPlace("Mul_");
        Backend.Unary(UnaryOp.MulScalar, AsContiguousTarget(), this, value);
        Storage.BumpVersion();
        return this;
    }

    /// <summary>Copies to another dtype (differentiable between float types).</summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType) return this;
        var y = Empty(_shape, dtype, Device);
        Backend.Copy(this, y);
        return Autograd.Graph.Record(y, "to_dtype", [this], g => [g.To(DType)]);
    }

    /// <summary>Copies to another device (differentiable).</summary>
    public Tensor To(Device device)
    {
        if (device == Device) return this;
        var src = Contiguous();
        var y = Empty(_shape, DType, device);
        switch (DType)
        {
            case DType.Float32: y.Backend.FromHost<float>(src.ToArray<float>(), y); break;
            case DType.Float64: y.Backend.FromHost<double>(src.ToArray<double>(), y); break;
            default: y.Backend.FromHost<int>(src.ToArray<int>(), y); break;
        }
        var from = Device;
        return Autograd.Graph.Record(y, "to_device", [this], g => [g.To(from)]);
    }

    public Tensor Cpu() => To(Device.Cpu);
    public Tensor Cuda() => To(Device.Cuda);

    /// <summary>A tensor sharing this storage, cut from the graph.</summary>
    public Tensor Detach() => new(Storage, _shape, _strides, Offset);

    /// <summary>A contiguous deep copy, cut from the graph.</summary>
    public Tensor Clone()
    {
        var y = Empty(_shape, DType, Device);
        Backend.Copy(this, y);
        return y;
    }

    /// <summary>Releases the storage now instead of at the next garbage collection (views become unusable).</summary>
    public void Dispose() => Storage.Dispose();

    /// <summary>Disables graph recording in a scope: <c>using (Tensor.NoGrad()) { ... }</c>.</summary>
    public static IDisposable NoGrad() => GradMode.Disable();

    public void Backward(Tensor? gradient = null, bool retainGraph = false) => Graph.Backward(this, gradient, retainGraph);

    public void ZeroGrad() => Grad = null;
}
