// elementwise.cu: pointwise arithmetic of one, two and three operands.
//
// unary_<t>(op, x, y, n, alpha, beta)             y[i] = f_op(x[i])                  (contiguous x, y; x == y allowed)
//     Neg -x · Exp e^x · Log ln x · Sqrt √x · Abs |x| · Sign sign(x) ∈ {-1, 0, 1}, NaN stays NaN ·
//     Pow x^alpha · Clamp min(max(x, alpha), beta) · Square x² · Reciprocal 1/x · AddScalar x + alpha ·
//     MulScalar alpha·x · Sigmoid 1/(1 + e^-x) · Tanh tanh x · Relu max(0, x) (NaN stays NaN) ·
//     Log1p log(1 + x) (Goldberg) · Expm1 e^x − 1 (Kahan), both accurate for small x ·
//     Sin sin x · Cos cos x (exact argument reduction at any |x|) · Rsqrt 1/√x (the correctly rounded √, then the
//     division, as the CPU; not rsqrtf) · Erf erf x · Floor ⌊x⌋ · Ceil ⌈x⌉ · Round to nearest, halves to even (rint) ·
//     Trunc toward 0 · Tan · Asin · Acos · Atan · Sinh · Cosh · Asinh · Acosh · Atanh · Log2 · Log10 · Exp2 · Erfc ·
//     Erfinv, Digamma, Trigamma (math.cuh: PyTorch's calc_erfinv, calc_digamma, calc_trigamma) · Lgamma ln|Γ| ·
//     Frac x − trunc x · Sinc sin(πx)/(πx), 1 at 0 · Logit ln(x/(1 − x)) of x clamped to [alpha, 1 − alpha] (alpha ≥ 0).
//     Mirrors CpuBackend.Unary (the functors of Engine/Cpu/UnaryFunctors.cs).
//
// unary_backward_<t>(op, x, y, dy, dx, n, alpha, beta)   dx[i] = dy[i] · f_op'(x[i]), y = f_op(x)
//     Sigmoid: dy·y(1 - y) · Tanh: dy(1 - y²) · Relu: dy for x > 0, else 0 (0 at the kink, as PyTorch).
//     Mirrors CpuBackend.UnaryBackward. (The other ops' gradients are composed from ops by the Engine.)
//
// binary_<t>(op, a, b, y, n, ndim, shape, sa, sb, sy)    y[i] = a[i] op b[i] over broadcast strided views
//     Add, Sub, Mul, Div, Maximum (a >= b ? a : b), Minimum (a <= b ? a : b) (a NaN in either gives NaN), and the comparisons Greater,
//     GreaterEqual, Equal, Less, NotEqual giving 1 or 0; Pow a^b · Atan2 · Hypot · Remainder (the sign of b) · Fmod (the
//     sign of a) · FloorDivide (PyTorch's div_floor) · Xlogy a·ln b, 0 at a = 0 · Copysign · LogAddExp ln(e^a + e^b).
//     Mirrors CpuBackend.Binary (the IBinaryKernel structs, Engine/Cpu/BinaryMathFunctors.cs).
//
// where_<t>(cond, a, b, y, n, ndim, shape, sc, sa, sb, sy)   y[i] = cond[i] != 0 ? a[i] : b[i]
//     cond already converted to y's dtype. Mirrors CpuBackend.Where.
//
// Strided operands: element i has the row-major multi-index idx(i) in shape[0..ndim) and lives at
// sum_d idx_d·s[d] of its (already offset) base pointer; a broadcast axis has stride 0. The host merges axes
// that are contiguous for every operand first (Engine's StridedLoop), so ndim is usually 1 or 2.
//
// Op codes are the values of Pade.Engine.UnaryOp / BinaryOp (checked by a test that reads this file).
// Grid-stride loops, 64-bit indices; unary_ moves 16 bytes per load where x and y are 16-byte aligned.
// Shared code: math.cuh (m_exp, ...), common.cuh (Dims8, for_each_axis, Pack).
// NVRTC gets cuda/*.cuh as in-memory headers; no system headers.

#include "math.cuh"
#include "common.cuh"

// U_Log1p onwards come after the activations' codes (activations.cu): Pade.Engine.UnaryOp appended them last.
enum UnaryOpCode
{
    U_Neg = 0, U_Exp = 1, U_Log = 2, U_Sqrt = 3, U_Abs = 4, U_Sign = 5, U_Pow = 6, U_Clamp = 7, U_Square = 8,
    U_Reciprocal = 9, U_AddScalar = 10, U_MulScalar = 11, U_Sigmoid = 12, U_Tanh = 13, U_Relu = 14,
    U_Log1p = 25, U_Expm1 = 26, U_Sin = 27, U_Cos = 28, U_Rsqrt = 29, U_Erf = 30, U_Floor = 31, U_Ceil = 32,
    U_Round = 33, U_Trunc = 34, U_Tan = 35, U_Asin = 36, U_Acos = 37, U_Atan = 38, U_Sinh = 39, U_Cosh = 40,
    U_Asinh = 41, U_Acosh = 42, U_Atanh = 43, U_Log2 = 44, U_Log10 = 45, U_Exp2 = 46, U_Erfc = 47, U_Erfinv = 48,
    U_Lgamma = 49, U_Digamma = 50, U_Trigamma = 51, U_Frac = 52, U_Sinc = 53, U_Logit = 54,
};

enum BinaryOpCode
{
    B_Add = 0, B_Sub = 1, B_Mul = 2, B_Div = 3, B_Maximum = 4, B_Minimum = 5, B_Greater = 6, B_GreaterEqual = 7,
    B_Equal = 8, B_Less = 9, B_NotEqual = 10, B_Pow = 11, B_Atan2 = 12, B_Hypot = 13, B_Remainder = 14, B_Fmod = 15,
    B_FloorDivide = 16, B_Xlogy = 17, B_Copysign = 18, B_LogAddExp = 19,
};

template <typename T>
__device__ inline T unary_value(int op, T x, T a, T b)
{
    switch (op)
    {
    case U_Neg: return -x;
    case U_Exp: return m_exp(x);
    case U_Log: return m_log(x);
    case U_Sqrt: return m_sqrt(x);
    case U_Abs: return m_abs(x);
    case U_Sign: return x != x ? x : x > T(0) ? T(1) : x < T(0) ? T(-1) : T(0);
    case U_Pow: return m_pow(x, a);
    case U_Clamp: { T lo = (x > a || x != x) ? x : a; return (lo < b || lo != lo) ? lo : b; }  // Min(Max(x, a), b), NaN stays
    case U_Square: return x * x;
    case U_Reciprocal: return T(1) / x;
    case U_AddScalar: return x + a;
    case U_MulScalar: return x * a;
    case U_Sigmoid: return T(1) / (T(1) + m_exp(-x));
    case U_Tanh: return m_tanh(x);
    case U_Relu: return (x > T(0) || x != x) ? x : T(0);  // NaN stays NaN, as PyTorch
    case U_Log1p: return log1p_g(x);
    case U_Expm1: return expm1_k(x);
    case U_Sin: return m_sin(x);
    case U_Cos: return m_cos(x);
    case U_Rsqrt: return T(1) / m_sqrt(x);
    case U_Erf: return m_erf(x);
    case U_Floor: return m_floor(x);
    case U_Ceil: return m_ceil(x);
    case U_Round: return m_rint(x);
    case U_Trunc: return m_trunc(x);
    case U_Tan: return m_tan(x);
    case U_Asin: return m_asin(x);
    case U_Acos: return m_acos(x);
    case U_Atan: return m_atan(x);
    case U_Sinh: return m_sinh(x);
    case U_Cosh: return m_cosh(x);
    case U_Asinh: return m_asinh(x);
    case U_Acosh: return m_acosh(x);
    case U_Atanh: return m_atanh(x);
    case U_Log2: return m_log2(x);
    case U_Log10: return m_log10(x);
    case U_Exp2: return m_exp2(x);
    case U_Erfc: return m_erfc(x);
    case U_Erfinv: return erfinv_p(x);
    case U_Lgamma: return m_lgamma(x);
    case U_Digamma: return digamma_p(x);
    case U_Trigamma: return trigamma_p(x);
    case U_Frac: return x - m_trunc(x);
    case U_Sinc: { if (x == T(0)) return T(1); T p = T(3.14159265358979323846) * x; return m_sin(p) / p; }
    case U_Logit:
    {
        if (a >= T(0)) x = x < a ? a : x > T(1) - a ? T(1) - a : x;  // alpha = eps; negative: no clamp
        return m_log(x / (T(1) - x));
    }
    default: return x;  // unreachable: the host only launches codes listed above
    }
}

template <typename T>
__device__ inline T unary_grad(int op, T x, T y, T dy)
{
    switch (op)
    {
    case U_Sigmoid: return dy * y * (T(1) - y);
    case U_Tanh: return dy * (T(1) - y * y);
    case U_Relu: return x > T(0) ? dy : T(0);
    default: return T(0);  // unreachable
    }
}

template <typename T>
__device__ void unary(int op, const T* x, T* y, long long n, T a, T b)
{
    constexpr int V = 16 / sizeof(T);
    long long tid = (long long)blockIdx.x * blockDim.x + threadIdx.x, stride = (long long)gridDim.x * blockDim.x;
    long long scalar_from = 0;
    if (aligned16(x) && aligned16(y))
    {
        long long packs = n / V;
        for (long long p = tid; p < packs; p += stride)
        {
            Pack<T> v = reinterpret_cast<const Pack<T>*>(x)[p];
#pragma unroll
            for (int k = 0; k < V; ++k) v.v[k] = unary_value(op, v.v[k], a, b);
            reinterpret_cast<Pack<T>*>(y)[p] = v;
        }
        scalar_from = packs * V;
    }
    for (long long i = scalar_from + tid; i < n; i += stride) y[i] = unary_value(op, x[i], a, b);
}

template <typename T>
__device__ void unary_backward(int op, const T* __restrict__ x, const T* __restrict__ y, const T* __restrict__ dy,
                               T* __restrict__ dx, long long n)
{
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        dx[i] = unary_grad(op, x[i], y[i], dy[i]);
}

template <typename T>
__device__ inline T binary_value(int op, T a, T b)
{
    switch (op)
    {
    case B_Add: return a + b;
    case B_Sub: return a - b;
    case B_Mul: return a * b;
    case B_Div: return a / b;
    case B_Maximum: return (a >= b || a != a) ? a : b;  // a NaN in either gives NaN, as torch.maximum
    case B_Minimum: return (a <= b || a != a) ? a : b;
    case B_Greater: return a > b ? T(1) : T(0);
    case B_GreaterEqual: return a >= b ? T(1) : T(0);
    case B_Equal: return a == b ? T(1) : T(0);
    case B_Less: return a < b ? T(1) : T(0);
    case B_NotEqual: return a != b ? T(1) : T(0);
    case B_Pow: return m_pow(a, b);
    case B_Atan2: return m_atan2(a, b);
    case B_Hypot: return m_hypot(a, b);
    case B_Remainder:
    {
        T mod = m_fmod(a, b);
        if (mod != T(0) && ((b < T(0)) != (mod < T(0)))) mod += b;
        return mod;
    }
    case B_Fmod: return m_fmod(a, b);
    case B_FloorDivide:
    {
        if (b == T(0)) return a / b;
        T mod = m_fmod(a, b), div = (a - mod) / b;
        if (mod != T(0) && ((b < T(0)) != (mod < T(0)))) div -= T(1);
        if (div == T(0)) return m_copysign(T(0), a / b);
        T fl = m_floor(div);
        if (div - fl > T(0.5)) fl += T(1);
        return fl;
    }
    case B_Xlogy: return b != b ? b : a == T(0) ? T(0) : a * m_log(b);
    case B_Copysign: return m_copysign(a, b);
    case B_LogAddExp:
    {
        if (a - a != T(0) && a == b) return a;  // the same infinity
        T m = (a >= b || a != a) ? a : b;
        return m + log1p_g(m_exp(-m_abs(a - b)));
    }
    default: return a;  // unreachable
    }
}

template <typename T>
__device__ void binary(int op, const T* a, const T* b, T* y, long long n, int ndim, const Dims8& shape,
                       const Dims8& sa, const Dims8& sb, const Dims8& sy)
{
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    {
        long long oa = 0, ob = 0, oy = 0;
        for_each_axis(i, ndim, shape, [&](int d, long long idx) {
            oa += idx * sa.d[d];
            ob += idx * sb.d[d];
            oy += idx * sy.d[d];
        });
        y[oy] = binary_value(op, a[oa], b[ob]);
    }
}

template <typename T>
__device__ void where(const T* c, const T* a, const T* b, T* y, long long n, int ndim, const Dims8& shape,
                      const Dims8& sc, const Dims8& sa, const Dims8& sb, const Dims8& sy)
{
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    {
        long long oc = 0, oa = 0, ob = 0, oy = 0;
        for_each_axis(i, ndim, shape, [&](int d, long long idx) {
            oc += idx * sc.d[d];
            oa += idx * sa.d[d];
            ob += idx * sb.d[d];
            oy += idx * sy.d[d];
        });
        y[oy] = c[oc] != T(0) ? a[oa] : b[ob];
    }
}

#define PADE_ELEMENTWISE(SUFFIX, T)                                                                            \
    extern "C" __global__ void unary_##SUFFIX(int op, const T* x, T* y, long long n, T alpha, T beta)          \
    {                                                                                                          \
        unary<T>(op, x, y, n, alpha, beta);                                                                    \
    }                                                                                                          \
    extern "C" __global__ void unary_backward_##SUFFIX(int op, const T* x, const T* y, const T* dy, T* dx,     \
                                                       long long n, T alpha, T beta)                           \
    {                                                                                                          \
        unary_backward<T>(op, x, y, dy, dx, n);                                                                \
    }                                                                                                          \
    extern "C" __global__ void binary_##SUFFIX(int op, const T* a, const T* b, T* y, long long n, int ndim,     \
                                               Dims8 shape, Dims8 sa, Dims8 sb, Dims8 sy)                      \
    {                                                                                                          \
        binary<T>(op, a, b, y, n, ndim, shape, sa, sb, sy);                                                    \
    }                                                                                                          \
    extern "C" __global__ void where_##SUFFIX(const T* c, const T* a, const T* b, T* y, long long n, int ndim, \
                                              Dims8 shape, Dims8 sc, Dims8 sa, Dims8 sb, Dims8 sy)             \
    {                                                                                                          \
        where<T>(c, a, b, y, n, ndim, shape, sc, sa, sb, sy);                                                  \
    }

PADE_ELEMENTWISE(f32, float)
PADE_ELEMENTWISE(f64, double)
