#include "emu.h"
#include "../../cuda/gemm.cu"
#include <random>
template <typename T, typename K>
int check(const char* name, K kernel, int tile, int batch, int M, int N, int Kd, bool ta, bool tb, T beta) {
    std::mt19937 rng(1); std::uniform_real_distribution<double> u(-1, 1);
    std::vector<T> A((size_t)batch*M*Kd), B((size_t)batch*Kd*N), C((size_t)batch*M*N), C0;
    for (auto& v : A) v = u(rng); for (auto& v : B) v = u(rng); for (auto& v : C) v = u(rng);
    C0 = C;
    if (beta == 0) for (auto& v : C) v = NAN;
    dim3 grid{(unsigned)((N + tile - 1) / tile), (unsigned)((M + tile - 1) / tile), (unsigned)std::min(batch, 2)};
    launch(grid, {256}, [&] { kernel(A.data(), B.data(), C.data(), M, N, Kd, beta, (long long)batch); });
    double maxerr = 0;
    for (int b = 0; b < batch; ++b) for (int i = 0; i < M; ++i) for (int j = 0; j < N; ++j) {
        double s = 0;
        for (int k = 0; k < Kd; ++k) {
            double a = ta ? A[(size_t)b*M*Kd + (size_t)k*M + i] : A[(size_t)b*M*Kd + (size_t)i*Kd + k];
            double bb = tb ? B[(size_t)b*Kd*N + (size_t)j*Kd + k] : B[(size_t)b*Kd*N + (size_t)k*N + j];
            s += a * bb;
        }
        s += beta * C0[(size_t)b*M*N + (size_t)i*N + j];
        double e = std::fabs(s - C[(size_t)b*M*N + (size_t)i*N + j]);
        if (!(e <= maxerr)) maxerr = e;
    }
    printf("%-20s b=%d M=%d N=%d K=%d beta=%g maxerr %g %s\n", name, batch, M, N, Kd, (double)beta, maxerr, maxerr < 1e-4 ? "ok" : "FAIL");
    return maxerr < 1e-4 ? 0 : 1;
}
int main() {
    int f = 0;
    f += check<float>("f32_64_nn", gemm_f32_64_nn, 64, 3, 67, 129, 95, false, false, 0.f);
    f += check<float>("f32_64_nt", gemm_f32_64_nt, 64, 3, 67, 129, 95, false, true, 0.f);
    f += check<float>("f32_64_tn", gemm_f32_64_tn, 64, 3, 67, 129, 95, true, false, 1.f);
    f += check<float>("f32_64_tt", gemm_f32_64_tt, 64, 3, 67, 129, 95, true, true, 0.5f);
    f += check<float>("f32_128_nn", gemm_f32_128_nn, 128, 2, 131, 140, 17, false, false, 0.f);
    f += check<float>("f32_128_tt", gemm_f32_128_tt, 128, 1, 130, 129, 9, true, true, 1.f);
    f += check<float>("f32_128_nt", gemm_f32_128_nt, 128, 1, 5, 3, 1, false, true, 0.f);
    f += check<double>("f64_64_tn", gemm_f64_64_tn, 64, 2, 70, 65, 33, true, false, 0.0);
    f += check<double>("f64_64_nn K0", gemm_f64_64_nn, 64, 1, 7, 9, 0, false, false, 0.0);
    return f;
}
