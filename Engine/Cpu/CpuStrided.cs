using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Pade.Engine.Cpu;

namespace Pade.Engine;

/// <summary>Kernels over broadcast/strided operands: copy (with dtype conversion), binary arithmetic, where.</summary>
public sealed partial class CpuBackend
{
    private const int RowGrain = 1 << 15;

    public override void Copy(Tensor x, Tensor y)
    {
        switch (x.DType, y.DType)
        {
            case (DType.Float32, DType.Float32): CopyStrided<float, float>(x, y); break;
            case (DType.Float64, DType.Float64): CopyStrided<double, double>(x, y); break;
            case (DType.Int32, DType.Int32): CopyStrided<int, int>(x, y); break;
            case (DType.Float32, DType.Float64): CopyStrided<float, double>(x, y); break;
            case (DType.Float64, DType.Float32): CopyStrided<double, float>(x, y); break;
            case (DType.Int32, DType.Float32): CopyStrided<int, float>(x, y); break;
            case (DType.Int32, DType.Float64): CopyStrided<int, double>(x, y); break;
            case (DType.Float32, DType.Int32): CopyStrided<float, int>(x, y); break;
            default: CopyStrided<double, int>(x, y); break;
        }
        GC.KeepAlive(x); GC.KeepAlive(y);   // see CpuBackend's remarks on lifetime
    }

    /// <summary>CopyStrided: y[i] = (TOut) x[i] for strided views of one shape. Mirrored by copy_strided in cuda/.</summary>
    private static void CopyStrided<TIn, TOut>(Tensor x, Tensor y) where TIn : unmanaged, INumberBase<TIn> where TOut : unmanaged, INumberBase<TOut>
    {
        var loop = new StridedLoop(x.ShapeArray, x.StridesArray, y.StridesArray);
        var xs = Array<TIn>(x);
        var ys = Array<TOut>(y);
        long xo = x.Offset, yo = y.Offset;
        int sx = loop.InnerStride(0), sy = loop.InnerStride(1), n = loop.Inner;
        CpuParallel.For((int)loop.Rows, r =>
        {
            long px = xo + loop.RowOffset(0, r), py = yo + loop.RowOffset(1, r);
            if (sx == 1 && sy == 1 && typeof(TIn) == typeof(TOut))
            {
                MemoryMarshal.Cast<TIn, TOut>(xs.AsSpan((int)px, n)).CopyTo(ys.AsSpan((int)py, n));
                return;
            }
            for (int i = 0; i < n; i++) ys[py + (long)i * sy] = TOut.CreateTruncating(xs[px + (long)i * sx]);
        }, n);
    }

    public override void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y)
    {
        if (y.DType == DType.Float32) Binary<float>(op, a, b, y);
        else Binary<double>(op, a, b, y);
        GC.KeepAlive(a); GC.KeepAlive(b); GC.KeepAlive(y);
    }

    private static void Binary<T>(BinaryOp op, Tensor a, Tensor b, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: BinaryLoop<T, AddB<T>>(a, b, y); break;
            case BinaryOp.Sub: BinaryLoop<T, SubB<T>>(a, b, y); break;
            case BinaryOp.Mul: BinaryLoop<T, MulB<T>>(a, b, y); break;
            case BinaryOp.Div: BinaryLoop<T, DivB<T>>(a, b, y); break;
            case BinaryOp.Maximum: BinaryLoop<T, MaxB<T>>(a, b, y); break;
            case BinaryOp.Minimum: BinaryLoop<T, MinB<T>>(a, b, y); break;
            case BinaryOp.Greater: BinaryLoop<T, GtB<T>>(a, b, y); break;
            case BinaryOp.GreaterEqual: BinaryLoop<T, GeB<T>>(a, b, y); break;
            case BinaryOp.Equal: BinaryLoop<T, EqB<T>>(a, b, y); break;
            case BinaryOp.Less: BinaryLoop<T, LtB<T>>(a, b, y); break;
            default: throw new NotSupportedException($"CPU backend has no kernel for binary op {op}");
        }
    }

    /// <summary>y = a op b over broadcast views; SIMD on the inner axis when each side is unit-stride or a scalar.</summary>
    private static void BinaryLoop<T, TK>(Tensor a, Tensor b, Tensor y) where T : unmanaged, IFloatingPointIeee754<T> where TK : struct, IBinaryKernel<T>
    {
        var loop = new StridedLoop(y.ShapeArray, a.StridesArray, b.StridesArray, y.StridesArray);
        var aa = Array<T>(a); var ba = Array<T>(b); var ya = Array<T>(y);
        long ao = a.Offset, bo = b.Offset, yo = y.Offset;
        int sa = loop.InnerStride(0), sb = loop.InnerStride(1), sy = loop.InnerStride(2), n = loop.Inner;
        // One long row (plain same-shape op) is split into ranges so both cores work.
        long grain = loop.Rows == 1 ? RowGrain : n;
        int pieces = loop.Rows == 1 ? (int)((n + RowGrain - 1) / RowGrain) : (int)loop.Rows;
        CpuParallel.For(pieces, piece =>
        {
            long r = loop.Rows == 1 ? 0 : piece;
            int s = loop.Rows == 1 ? piece * RowGrain : 0;
            int e = loop.Rows == 1 ? (int)Math.Min(n, (long)(piece + 1) * RowGrain) : n;
            long pa = ao + loop.RowOffset(0, r) + (long)s * sa, pb = bo + loop.RowOffset(1, r) + (long)s * sb, py = yo + loop.RowOffset(2, r) + (long)s * sy;
            int len = e - s;
            TK k = default;
            int i = 0;
            if (sy == 1 && (sa == 1 || sa == 0) && (sb == 1 || sb == 0) && Vector512.IsHardwareAccelerated)
            {
                ref T ra = ref aa[pa]; ref T rb = ref ba[pb]; ref T ry = ref ya[py];
                var va0 = Vector512.Create(aa[pa]); var vb0 = Vector512.Create(ba[pb]);
                for (; i <= len - Vector512<T>.Count; i += Vector512<T>.Count)
                {
                    var va = sa == 1 ? Vector512.LoadUnsafe(ref ra, (nuint)i) : va0;
                    var vb = sb == 1 ? Vector512.LoadUnsafe(ref rb, (nuint)i) : vb0;
                    k.Apply(va, vb).StoreUnsafe(ref ry, (nuint)i);
                }
            }
            for (; i < len; i++) ya[py + (long)i * sy] = k.Apply(aa[pa + (long)i * sa], ba[pb + (long)i * sb]);
        }, grain);
    }

    public override void Where(Tensor cond, Tensor a, Tensor b, Tensor y)
    {
        if (y.DType == DType.Float32) WhereLoop<float>(cond, a, b, y);
        else WhereLoop<double>(cond, a, b, y);
        GC.KeepAlive(cond); GC.KeepAlive(a); GC.KeepAlive(b); GC.KeepAlive(y);
    }

    private static void WhereLoop<T>(Tensor cond, Tensor a, Tensor b, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = cond.DType == y.DType ? cond : cond.To(y.DType);
        var loop = new StridedLoop(y.ShapeArray, c.StridesArray, a.StridesArray, b.StridesArray, y.StridesArray);
        var ca = Array<T>(c); var aa = Array<T>(a); var ba = Array<T>(b); var ya = Array<T>(y);
        int sc = loop.InnerStride(0), sa = loop.InnerStride(1), sb = loop.InnerStride(2), sy = loop.InnerStride(3), n = loop.Inner;
        CpuParallel.For((int)loop.Rows, r =>
        {
            long pc = c.Offset + loop.RowOffset(0, r), pa = a.Offset + loop.RowOffset(1, r), pb = b.Offset + loop.RowOffset(2, r), py = y.Offset + loop.RowOffset(3, r);
            for (int i = 0; i < n; i++)
                ya[py + (long)i * sy] = ca[pc + (long)i * sc] != T.Zero ? aa[pa + (long)i * sa] : ba[pb + (long)i * sb];
        }, n);
    }
}

public interface IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    T Apply(T a, T b);
    Vector512<T> Apply(Vector512<T> a, Vector512<T> b);
}

public readonly struct AddB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public T Apply(T a, T b) => a + b; public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => a + b; }
public readonly struct SubB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public T Apply(T a, T b) => a - b; public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => a - b; }
public readonly struct MulB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public T Apply(T a, T b) => a * b; public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => a * b; }
public readonly struct DivB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public T Apply(T a, T b) => a / b; public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => a / b; }
public readonly struct MaxB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public T Apply(T a, T b) => a >= b ? a : b; public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(a, b), a, b); }
public readonly struct MinB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public T Apply(T a, T b) => a <= b ? a : b; public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.ConditionalSelect(Vector512.LessThanOrEqual(a, b), a, b); }
public readonly struct GtB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public T Apply(T a, T b) => a > b ? T.One : T.Zero; public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.GreaterThan(a, b) & Vector512<T>.One; }
public readonly struct GeB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public T Apply(T a, T b) => a >= b ? T.One : T.Zero; public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.GreaterThanOrEqual(a, b) & Vector512<T>.One; }
public readonly struct EqB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public T Apply(T a, T b) => a == b ? T.One : T.Zero; public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.Equals(a, b) & Vector512<T>.One; }
public readonly struct LtB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public T Apply(T a, T b) => a < b ? T.One : T.Zero; public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.LessThan(a, b) & Vector512<T>.One; }
