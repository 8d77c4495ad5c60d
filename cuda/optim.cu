// optim.cu: fused optimizer updates, one pass over a parameter and its state (all contiguous, in place).
//
// sgd_step_<t>(p, g, buf, n, lr, momentum, dampening, wd, nesterov, maximize, first)      buf may be null (no momentum)
//     g' = (maximize ? -g : g) + wd·p
//     buf = first ? g' : momentum·buf + (1 - dampening)·g'          (only when buf is given)
//     d = buf ? (nesterov ? g' + momentum·buf : buf) : g'
//     p -= lr·d
//     Mirrors CpuBackend.SgdStep (PyTorch's SGD).
//
// adam_step_<t>(p, g, m, v, max_v, n, b1, b2, step_size, sqrt_bc2, eps, wd, decay, decoupled, maximize)
//     g' = maximize ? -g : g
//     decoupled (AdamW): p *= decay (= 1 - lr·wd);  else g' += wd·p
//     m = b1·m + (1 - b1)·g';  v = b2·v + (1 - b2)·g'²
//     amsgrad (max_v not null): max_v = max(max_v, v), and max_v replaces v below (torch.optim.Adam's amsgrad)
//     p -= step_size · m / (√v / sqrt_bc2 + eps),   step_size = lr / (1 - b1^t), sqrt_bc2 = √(1 - b2^t)
//     The bias corrections are computed once on the host in double, as the CPU does. Mirrors CpuBackend.AdamStep.
//
// rmsprop_step_<t>(p, g, square_avg, grad_avg, buf, n, lr, alpha, one_minus_alpha, w, one_minus_w, lerp_low, eps, wd,
//                  decay, momentum, maximize)                  grad_avg null: not centered; buf null: no momentum
//     g' = maximize ? -g : g;  decay (wd ≠ 0): g' += wd·p
//     square_avg = alpha·square_avg + (1 - alpha)·g'·g'
//     centered: grad_avg = lerp(grad_avg, g', w = 1 - alpha)   (torch.lerp: a + w·(g' - a) if lerp_low (w < 0.5),
//               else g' - (g' - a)·(1 - w)),  avg = √(square_avg - grad_avg²) + eps
//     else:     avg = √square_avg + eps
//     momentum: buf = momentum·buf + g'/avg, p -= lr·buf;  else p -= lr·(g'/avg)
//     torch.optim.RMSprop's tensor calls one for one. Mirrors CpuBackend.RmspropStep.
//
// adagrad_step_<t>(p, g, sum, n, clr, eps, wd, decay, maximize)
//     g' = maximize ? -g : g;  decay (wd ≠ 0): g' += wd·p
//     sum += g'·g';  p -= clr·(g' / (√sum + eps)),   clr = lr / (1 + (t - 1)·lr_decay) computed on the host in double
//     torch.optim.Adagrad's rule. Mirrors CpuBackend.AdagradStep.
//
// adamax_step_<t>(p, g, m, u, n, clr, w, one_minus_w, lerp_low, b2, eps, wd, decay, maximize)
//     g' = maximize ? -g : g;  decay (wd ≠ 0): g' += wd·p
//     m = lerp(m, g', w = 1 - b1) (torch.lerp's two forms, as in rmsprop_step);  u = max(b2·u, |g'| + eps) (NaN kept)
//     p -= clr·(m / u),   clr = lr / (1 - b1^t) computed on the host in double
//     torch.optim.Adamax's rule. Mirrors CpuBackend.AdamaxStep.
//
// Shared code: math.cuh (m_sqrt). NVRTC gets cuda/*.cuh as in-memory headers; no system headers.

#include "math.cuh"

template <typename T>
__device__ void sgd_step(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ buf, long long n, T lr,
                         T momentum, T dampening, T wd, int nesterov, int maximize, int first)
{
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    {
        T gi = (maximize ? -g[i] : g[i]) + wd * p[i];
        T d = gi;
        if (buf)
        {
            T b = first ? gi : momentum * buf[i] + (T(1) - dampening) * gi;
            buf[i] = b;
            d = nesterov ? gi + momentum * b : b;
        }
        p[i] -= lr * d;
    }
}

// max(a, b) that returns NaN when either is NaN, as torch.maximum and the CPU's T.Max (fmax would drop the NaN).
template <typename T>
__device__ inline T max_nan(T a, T b)
{
    return (b > a || b != b) ? b : a;
}

template <typename T>
__device__ void adam_step(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ m, T* __restrict__ v,
                          T* __restrict__ max_v, long long n, T b1, T b2, T step_size, T sqrt_bc2, T eps, T wd, T decay,
                          int decoupled, int maximize)
{
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    {
        T pi = p[i], gi = maximize ? -g[i] : g[i];
        if (decoupled) pi *= decay;
        else gi += wd * pi;
        T mi = b1 * m[i] + (T(1) - b1) * gi;
        T vi = b2 * v[i] + (T(1) - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        if (max_v)
        {
            vi = max_nan(max_v[i], vi);
            max_v[i] = vi;
        }
        p[i] = pi - step_size * mi / (m_sqrt(vi) / sqrt_bc2 + eps);
    }
}

template <typename T>
__device__ void rmsprop_step(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ square_avg, T* __restrict__ grad_avg,
                             T* __restrict__ buf, long long n, T lr, T alpha, T one_minus_alpha, T w, T one_minus_w,
                             int lerp_low, T eps, T wd, int decay, T momentum, int maximize)
{
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    {
        T gi = maximize ? -g[i] : g[i];
        if (decay) gi += wd * p[i];
        T sq = alpha * square_avg[i] + one_minus_alpha * gi * gi;
        square_avg[i] = sq;
        T avg;
        if (grad_avg)
        {
            T a = grad_avg[i];
            a = lerp_low ? a + w * (gi - a) : gi - (gi - a) * one_minus_w;
            grad_avg[i] = a;
            avg = m_sqrt(sq - a * a) + eps;
        }
        else
            avg = m_sqrt(sq) + eps;
        if (buf)
        {
            T b = momentum * buf[i] + gi / avg;
            buf[i] = b;
            p[i] -= lr * b;
        }
        else
            p[i] -= lr * (gi / avg);
    }
}

template <typename T>
__device__ void adagrad_step(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ sum, long long n, T clr, T eps, T wd,
                             int decay, int maximize)
{
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    {
        T gi = maximize ? -g[i] : g[i];
        if (decay) gi += wd * p[i];
        T s = sum[i] + gi * gi;
        sum[i] = s;
        p[i] -= clr * (gi / (m_sqrt(s) + eps));
    }
}

template <typename T>
__device__ void adamax_step(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ m, T* __restrict__ u, long long n, T clr,
                            T w, T one_minus_w, int lerp_low, T b2, T eps, T wd, int decay, int maximize)
{
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    {
        T gi = maximize ? -g[i] : g[i];
        if (decay) gi += wd * p[i];
        T mi = m[i];
        mi = lerp_low ? mi + w * (gi - mi) : gi - (gi - mi) * one_minus_w;
        m[i] = mi;
        T ui = max_nan(b2 * u[i], (gi < T(0) ? -gi : gi) + eps);
        u[i] = ui;
        p[i] -= clr * (mi / ui);
    }
}

#define PADE_OPTIM(SUFFIX, T)                                                                                 \
    extern "C" __global__ void sgd_step_##SUFFIX(T* p, const T* g, T* buf, long long n, T lr, T momentum,    \
                                                 T dampening, T wd, int nesterov, int maximize, int first)    \
    {                                                                                                         \
        sgd_step<T>(p, g, buf, n, lr, momentum, dampening, wd, nesterov, maximize, first);                    \
    }                                                                                                         \
    extern "C" __global__ void adam_step_##SUFFIX(T* p, const T* g, T* m, T* v, T* max_v, long long n, T b1,  \
                                                  T b2, T step_size, T sqrt_bc2, T eps, T wd, T decay,        \
                                                  int decoupled, int maximize)                                \
    {                                                                                                         \
        adam_step<T>(p, g, m, v, max_v, n, b1, b2, step_size, sqrt_bc2, eps, wd, decay, decoupled, maximize); \
    }                                                                                                         \
    extern "C" __global__ void rmsprop_step_##SUFFIX(T* p, const T* g, T* square_avg, T* grad_avg, T* buf,    \
                                                     long long n, T lr, T alpha, T one_minus_alpha, T w,      \
                                                     T one_minus_w, int lerp_low, T eps, T wd, int decay,     \
                                                     T momentum, int maximize)                                \
    {                                                                                                         \
        rmsprop_step<T>(p, g, square_avg, grad_avg, buf, n, lr, alpha, one_minus_alpha, w, one_minus_w,       \
                        lerp_low, eps, wd, decay, momentum, maximize);                                        \
    }                                                                                                         \
    extern "C" __global__ void adagrad_step_##SUFFIX(T* p, const T* g, T* sum, long long n, T clr, T eps,     \
                                                     T wd, int decay, int maximize)                           \
    {                                                                                                         \
        adagrad_step<T>(p, g, sum, n, clr, eps, wd, decay, maximize);                                         \
    }                                                                                                         \
    extern "C" __global__ void adamax_step_##SUFFIX(T* p, const T* g, T* m, T* u, long long n, T clr, T w,    \
                                                    T one_minus_w, int lerp_low, T b2, T eps, T wd, int decay, \
                                                    int maximize)                                             \
    {                                                                                                         \
        adamax_step<T>(p, g, m, u, n, clr, w, one_minus_w, lerp_low, b2, eps, wd, decay, maximize);           \
    }

PADE_OPTIM(f32, float)
PADE_OPTIM(f64, double)
