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
    private static unsafe void CopyStrided<TIn, TOut>(Tensor x, Tensor y) where TIn : unmanaged, INumberBase<TIn> where TOut : unmanaged, INumberBase<TOut>
    {
        var loop = new StridedLoop(x.ShapeArray, x.StridesArray, y.StridesArray);
        int sx = loop.InnerStride(0), sy = loop.InnerStride(1), n = loop.Inner;
        if (loop.Rows == 0 || n == 0) return;
        fixed (TIn* px0 = Array<TIn>(x))
        fixed (TOut* py0 = Array<TOut>(y))
        {
            TIn* xb = px0 + x.Offset;
            TOut* yb = py0 + y.Offset;
            // A transpose (x runs along the second-last axis, y along the last) goes tile by tile.
            if (loop.Shape.Length >= 2 && sx != 1 && sy == 1 && loop.Strides[0][^2] == 1)
            {
                CopyTransposed(loop, xb, yb);
                return;
            }
            var rows = new RowPieces(loop.Rows, n);
            CpuParallel.For(rows.Count, piece =>
            {
                rows.Get(piece, out long r0, out long r1, out int s, out int e);
                for (long r = r0; r < r1; r++)
                {
                    TIn* px = xb + loop.RowOffset(0, r) + (long)s * sx;
                    TOut* py = yb + loop.RowOffset(1, r) + (long)s * sy;
                    int len = e - s;
                    if (sx == 1 && sy == 1 && typeof(TIn) == typeof(TOut))
                        Buffer.MemoryCopy(px, py, (long)len * sizeof(TOut), (long)len * sizeof(TOut));
                    else
                        for (int i = 0; i < len; i++) py[(long)i * sy] = Convert<TIn, TOut>(px[(long)i * sx]);
                }
            }, rows.Work);
        }
    }

    /// <summary>
    /// y = x where x is unit-stride along the second-last axis and y along the last. Walking either side element
    /// by element would touch lines a power-of-two stride apart, which land in the same cache set and evict each
    /// other, so the copy goes by blocks that read and write whole runs: w x w blocks transposed in registers
    /// (same element type, AVX-512), else 32 x 32 tiles through a small buffer.
    /// </summary>
    private static unsafe void CopyTransposed<TIn, TOut>(StridedLoop loop, TIn* xb, TOut* yb) where TIn : unmanaged, INumberBase<TIn> where TOut : unmanaged, INumberBase<TOut>
    {
        // Square blocks of 128 x 128 per task: 2 x 128 pages touched per 16K elements, so the TLB keeps up (a
        // strip of rows across all columns would visit a new page of x for every 16 elements).
        const int Block = 128;
        int r = loop.Shape[^2], c = loop.Inner;
        int sxc = loop.InnerStride(0), syr = loop.Strides[1][^2];
        long batches = loop.Rows / r;
        int rBlocks = (r + Block - 1) / Block, cBlocks = (c + Block - 1) / Block;
        bool simd = typeof(TIn) == typeof(TOut) && (typeof(TIn) == typeof(float) || typeof(TIn) == typeof(double)) && SimdTranspose.IsSupported;
        CpuParallel.For(checked((int)(batches * rBlocks * cBlocks)), t =>
        {
            long batch = t / (rBlocks * cBlocks);
            int rb = t / cBlocks % rBlocks, cb = t % cBlocks;
            int r0 = rb * Block, rn = Math.Min(r - r0, Block), c0 = cb * Block, cn = Math.Min(c - c0, Block);
            TIn* xm = xb + loop.RowOffset(0, batch * r) + r0 + (long)c0 * sxc;
            TOut* ym = yb + loop.RowOffset(1, batch * r) + (long)r0 * syr + c0;
            int rDone = 0, cDone = 0;
            if (simd) (rDone, cDone) = TransposeBlocks(xm, (TIn*)ym, rn, cn, sxc, syr);
            // What the register blocks left: the right edge of the done rows, then the rows below them.
            TileCopy(xm, ym, 0, rDone, cDone, cn, sxc, syr);
            TileCopy(xm, ym, rDone, rn, 0, cn, sxc, syr);
        }, (long)Block * Block);
    }

    /// <summary>The w x w register blocks of a transposed copy of rn rows x c columns; returns the rows and
    /// columns covered (whole blocks only).</summary>
    private static unsafe (int Rows, int Cols) TransposeBlocks<T>(T* x, T* y, int rn, int c, int sxc, int syr) where T : unmanaged
    {
        int w = Vector512<T>.Count, rf = rn / w * w, cf = c / w * w;
        Vector512<T>* v = stackalloc Vector512<T>[w];
        for (int c0 = 0; c0 < cf; c0 += w)
            for (int i0 = 0; i0 < rf; i0 += w)
            {
                for (int j = 0; j < w; j++) v[j] = Vector512.Load(x + (long)(c0 + j) * sxc + i0);
                SimdTranspose.Transpose(v);
                for (int i = 0; i < w; i++) v[i].Store(y + (long)(i0 + i) * syr + c0);
            }
        return (rf, cf);
    }

    /// <summary>Rows [i0, i1) x columns [c0, c1) of a transposed copy in 32 x 32 tiles through a buffer.</summary>
    private static unsafe void TileCopy<TIn, TOut>(TIn* xm, TOut* ym, int i0, int i1, int c0, int c1, int sxc, int syr)
        where TIn : unmanaged, INumberBase<TIn> where TOut : unmanaged, INumberBase<TOut>
    {
        const int Tile = 32;
        if (i0 >= i1 || c0 >= c1) return;
        TIn* buf = stackalloc TIn[Tile * Tile];
        for (int cb = c0; cb < c1; cb += Tile)
        {
            int cn = Math.Min(c1 - cb, Tile);
            for (int ib = i0; ib < i1; ib += Tile)
            {
                int rn = Math.Min(i1 - ib, Tile);
                for (int j = 0; j < cn; j++)
                {
                    TIn* xrun = xm + (long)(cb + j) * sxc + ib;
                    for (int i = 0; i < rn; i++) buf[j * Tile + i] = xrun[i];
                }
                for (int i = 0; i < rn; i++)
                {
                    TOut* yrun = ym + (long)(ib + i) * syr + cb;
                    for (int j = 0; j < cn; j++) yrun[j] = Convert<TIn, TOut>(buf[j * Tile + i]);
                }
            }
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static TOut Convert<TIn, TOut>(TIn v) where TIn : unmanaged, INumberBase<TIn> where TOut : unmanaged, INumberBase<TOut> =>
        typeof(TIn) == typeof(TOut) ? System.Runtime.CompilerServices.Unsafe.As<TIn, TOut>(ref v) : TOut.CreateTruncating(v);

    /// <summary>
    /// Splits a strided loop into parallel pieces of about <see cref="RowGrain"/> elements, fixed by the shape
    /// alone: several short rows per piece, or ranges [s, e) of one long row.
    /// </summary>
    private readonly struct RowPieces
    {
        private readonly long _rows, _rowsPerPiece;
        private readonly int _inner, _splits;

        public RowPieces(long rows, int inner)
        {
            _rows = rows;
            _inner = inner;
            _rowsPerPiece = Math.Max(1, RowGrain / Math.Max(inner, 1));
            // A row longer than the grain is itself cut in pieces, so one long row still uses every core.
            _splits = inner > RowGrain ? (inner + RowGrain - 1) / RowGrain : 1;
            Count = _splits > 1 ? checked((int)(rows * _splits)) : checked((int)((rows + _rowsPerPiece - 1) / _rowsPerPiece));
        }

        public int Count { get; }

        /// <summary>Elements per piece, for <see cref="CpuParallel.For"/>'s serial cut-off.</summary>
        public long Work => _splits > 1 ? RowGrain : _rowsPerPiece * _inner;

        public void Get(int piece, out long r0, out long r1, out int s, out int e)
        {
            if (_splits > 1)
            {
                r0 = piece / _splits; r1 = r0 + 1;
                s = piece % _splits * RowGrain; e = Math.Min(_inner, s + RowGrain);
            }
            else
            {
                r0 = piece * _rowsPerPiece; r1 = Math.Min(_rows, r0 + _rowsPerPiece);
                s = 0; e = _inner;
            }
        }
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
            case BinaryOp.NotEqual: BinaryLoop<T, NeB<T>>(a, b, y); break;
            case BinaryOp.Pow: BinaryLoop<T, PowB<T>>(a, b, y); break;
            case BinaryOp.Atan2: BinaryLoop<T, Atan2B<T>>(a, b, y); break;
            case BinaryOp.Hypot: BinaryLoop<T, HypotB<T>>(a, b, y); break;
            case BinaryOp.Remainder: BinaryLoop<T, RemainderB<T>>(a, b, y); break;
            case BinaryOp.Fmod: BinaryLoop<T, FmodB<T>>(a, b, y); break;
            case BinaryOp.FloorDivide: BinaryLoop<T, FloorDivideB<T>>(a, b, y); break;
            case BinaryOp.Xlogy: BinaryLoop<T, XlogyB<T>>(a, b, y); break;
            case BinaryOp.Copysign: BinaryLoop<T, CopysignB<T>>(a, b, y); break;
            case BinaryOp.LogAddExp: BinaryLoop<T, LogAddExpB<T>>(a, b, y); break;
            default: throw new NotSupportedException($"CPU backend has no kernel for binary op {op}");
        }
    }

    /// <summary>y = a op b over broadcast views; SIMD on the inner axis when each side is unit-stride or a scalar.</summary>
    private static unsafe void BinaryLoop<T, TK>(Tensor a, Tensor b, Tensor y) where T : unmanaged, IFloatingPointIeee754<T> where TK : struct, IBinaryKernel<T>
    {
        var loop = new StridedLoop(y.ShapeArray, a.StridesArray, b.StridesArray, y.StridesArray);
        int sa = loop.InnerStride(0), sb = loop.InnerStride(1), sy = loop.InnerStride(2), n = loop.Inner;
        if (loop.Rows == 0 || n == 0) return;
        bool vector = TK.Vectorized && sy == 1 && (sa == 1 || sa == 0) && (sb == 1 || sb == 0) && CpuIsa.Vectors;
        bool stream = vector && VectorLoop.ShouldStream<T>(y.Numel);
        fixed (T* pa0 = Array<T>(a), pb0 = Array<T>(b), py0 = Array<T>(y))
        {
            T* ab = pa0 + a.Offset, bb = pb0 + b.Offset, yb = py0 + y.Offset;
            var rows = new RowPieces(loop.Rows, n);
            CpuParallel.For(rows.Count, piece =>
            {
                rows.Get(piece, out long r0, out long r1, out int s, out int e);
                int len = e - s;
                for (long r = r0; r < r1; r++)
                {
                    T* pa = ab + loop.RowOffset(0, r) + (long)s * sa, pb = bb + loop.RowOffset(1, r) + (long)s * sb;
                    T* py = yb + loop.RowOffset(2, r) + (long)s * sy;
                    if (!vector)
                    {
                        TK k = default;
                        for (int i = 0; i < len; i++) py[(long)i * sy] = k.Apply(pa[(long)i * sa], pb[(long)i * sb]);
                    }
                    else if (sa == 1 && sb == 1) VectorLoop.Run(py, len, new BinaryBody<T, TK, Full, Full>(pa, pb), stream);
                    else if (sa == 1) VectorLoop.Run(py, len, new BinaryBody<T, TK, Full, Scalar>(pa, pb), stream);
                    else if (sb == 1) VectorLoop.Run(py, len, new BinaryBody<T, TK, Scalar, Full>(pa, pb), stream);
                    else VectorLoop.Run(py, len, new BinaryBody<T, TK, Scalar, Scalar>(pa, pb), stream);
                }
            }, rows.Work);
        }
    }

    // Operand shapes along the inner axis: a full unit-stride row, or one element broadcast (stride 0). As type
    // arguments they let the JIT compile one branch-free loop per combination.
    private interface IOperandKind { static abstract bool IsScalar { get; } }
    private struct Full : IOperandKind { public static bool IsScalar => false; }
    private struct Scalar : IOperandKind { public static bool IsScalar => true; }

    private readonly unsafe struct BinaryBody<T, TK, TA, TB> : IVectorBody<T>
        where T : unmanaged, IFloatingPointIeee754<T> where TK : struct, IBinaryKernel<T> where TA : IOperandKind where TB : IOperandKind
    {
        private readonly T* _a, _b;
        private readonly Vector512<T> _va, _vb;

        public BinaryBody(T* a, T* b)
        {
            _a = a; _b = b;
            _va = TA.IsScalar ? Vector512.Create(*a) : default;
            _vb = TB.IsScalar ? Vector512.Create(*b) : default;
        }

        public Vector512<T> Vector(nint i) =>
            default(TK).Apply(TA.IsScalar ? _va : Vector512.Load(_a + i), TB.IsScalar ? _vb : Vector512.Load(_b + i));

        public T Scalar(nint i) => default(TK).Apply(TA.IsScalar ? *_a : _a[i], TB.IsScalar ? *_b : _b[i]);
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
        var rows = new RowPieces(loop.Rows, n);
        CpuParallel.For(rows.Count, piece =>
        {
            rows.Get(piece, out long r0, out long r1, out int s, out int e);
            for (long r = r0; r < r1; r++)
            {
                long pc = c.Offset + loop.RowOffset(0, r) + (long)s * sc, pa = a.Offset + loop.RowOffset(1, r) + (long)s * sa;
                long pb = b.Offset + loop.RowOffset(2, r) + (long)s * sb, py = y.Offset + loop.RowOffset(3, r) + (long)s * sy;
                for (int i = 0; i < e - s; i++)
                    ya[py + (long)i * sy] = ca[pc + (long)i * sc] != T.Zero ? aa[pa + (long)i * sa] : ba[pb + (long)i * sb];
            }
        }, rows.Work);
    }
}

public interface IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>False for a scalar-only kernel (torch's binary math functions): its vector Apply is never called.</summary>
    static virtual bool Vectorized => true;
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
/// <summary>torch.maximum: a NaN in either operand gives NaN (a ≥ b fails for a NaN a, so a NaN a is picked
/// explicitly; a NaN b is what the comparison picks).</summary>
public readonly struct MaxB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public T Apply(T a, T b) => a >= b || T.IsNaN(a) ? a : b; public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(a, b) | ~Vector512.Equals(a, a), a, b); }
/// <summary>torch.minimum, NaN as <see cref="MaxB{T}"/>.</summary>
public readonly struct MinB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public T Apply(T a, T b) => a <= b || T.IsNaN(a) ? a : b; public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.ConditionalSelect(Vector512.LessThanOrEqual(a, b) | ~Vector512.Equals(a, a), a, b); }
public readonly struct GtB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public T Apply(T a, T b) => a > b ? T.One : T.Zero; public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.GreaterThan(a, b) & Vector512<T>.One; }
public readonly struct GeB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public T Apply(T a, T b) => a >= b ? T.One : T.Zero; public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.GreaterThanOrEqual(a, b) & Vector512<T>.One; }
public readonly struct EqB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public T Apply(T a, T b) => a == b ? T.One : T.Zero; public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.Equals(a, b) & Vector512<T>.One; }
public readonly struct LtB<T> : IBinaryKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{ public T Apply(T a, T b) => a < b ? T.One : T.Zero; public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.LessThan(a, b) & Vector512<T>.One; }
