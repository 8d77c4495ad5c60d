namespace Pade.Engine;

/// <summary>A flat buffer of elements on one device, shared by a tensor and all its views. The version counter is
/// bumped by every in-place write so autograd can detect a saved tensor that changed under it.</summary>
public abstract class Storage : IDisposable
{
    protected Storage(DType dtype, long length)
    {
        DType = dtype;
        Length = length;
    }

    public DType DType { get; }
    public long Length { get; }
    public abstract Device Device { get; }
    public int Version { get; private set; }
    public bool IsDisposed { get; private set; }

    public void BumpVersion() => Version++;

    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>Gives the buffer back to its pool. Also runs from the finalizer, so forgotten tensors recycle too.</summary>
    protected abstract void Release();

    ~Storage()
    {
        if (!IsDisposed) { IsDisposed = true; Release(); }
    }
}

/// <summary>CPU storage: a managed array rented from <see cref="BufferPool{T}"/>; it may be longer than Length.</summary>
public sealed class CpuStorage<T> : Storage where T : unmanaged
{
    private T[]? _array;

    internal CpuStorage(long length, bool zero) : base(DTypeExtensions.Of<T>(), length)
    {
        _array = BufferPool<T>.Rent(checked((int)length));
        if (zero) System.Array.Clear(_array, 0, (int)length);
    }

    public override Device Device => Device.Cpu;

    public T[] Array => _array ?? throw new ObjectDisposedException("tensor storage", "the tensor's storage was disposed");

    public Span<T> Span => Array.AsSpan(0, (int)Length);

    protected override void Release()
    {
        var a = Interlocked.Exchange(ref _array, null);
        if (a != null) BufferPool<T>.Return(a);
    }
}
