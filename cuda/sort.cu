// sort.cu: a stable sort along one axis, the kernel of sort, argsort, topk, kthvalue and median.
//
// sort_<t>(x, values, indices, outer, len, inner, descending)    x, values, indices [outer, len, inner]
//     values[o, ·, i] = x[o, ·, i] sorted along len, indices[o, r, i] the input position of values[o, r, i].
//     PyTorch's order: NaN is the largest value (last ascending, first descending) and equal to itself; the sort is
//     stable in both directions (equal values, −0 and +0 among them, keep their input order), so the order is total
//     on (value, position) and the result is the CPU's (CpuBackend.Sort) bit for bit.
//     One thread per (o, i) row runs an insertion sort in place in the outputs: correct and simple, O(len²) per row,
//     for the short rows of topk/median/sort in a network (a block-wide merge sort would be the fast path for long
//     rows). Neighbouring threads take neighbouring i, so accesses coalesce when inner > 1.
//
// Grid-stride loops, 64-bit indices. This file includes no headers, shared (cuda/*.cuh) or system.

template <typename T>
__device__ inline bool sorts_before(T a, T b, int descending)
{
    // a != a: NaN (no isnan without headers).
    return descending ? (b == b && (a != a || a > b)) : (a == a && (b != b || a < b));
}

template <typename T>
__device__ void sort(const T* __restrict__ x, T* __restrict__ values, int* __restrict__ indices, long long outer,
                     long long len, long long inner, int descending)
{
    long long n = outer * inner;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long j = (long long)blockIdx.x * blockDim.x + threadIdx.x; j < n; j += stride)
    {
        long long first = (j / inner) * len * inner + j % inner;
        T* v = values + first;
        int* id = indices + first;
        for (long long r = 0; r < len; ++r)
        {
            // Insert x[r] after every element it does not sort strictly before: the earlier positions stay first
            // among equals (stable).
            T cur = x[first + r * inner];
            long long k = r;
            while (k > 0 && sorts_before(cur, v[(k - 1) * inner], descending))
            {
                v[k * inner] = v[(k - 1) * inner];
                id[k * inner] = id[(k - 1) * inner];
                --k;
            }
            v[k * inner] = cur;
            id[k * inner] = (int)r;
        }
    }
}

#define PADE_SORT(SUFFIX, T)                                                                                   \
    extern "C" __global__ void sort_##SUFFIX(const T* x, T* values, int* indices, long long outer,            \
                                             long long len, long long inner, int descending)                  \
    {                                                                                                          \
        sort<T>(x, values, indices, outer, len, inner, descending);                                            \
    }

PADE_SORT(f32, float)
PADE_SORT(f64, double)
