// The packed (16-byte) and scalar paths of pau.cu give the same elementwise results; the coefficient sums agree
// to rounding (their terms are added in another order).
#include "emu.h"
#define __noinline__
#include "../../cuda/pau.cu"
#include <random>
int main() {
    long long count = 2004; std::mt19937 rng(5); std::uniform_real_distribution<float> u(-3, 3);
    std::vector<float> xs(count + 1), dys(count + 1), y1(count + 1), y2(count + 1), dx1(count + 1), dx2(count + 1), da1(6), db1(4), da2(6), db2(4);
    std::vector<double> part(4 * 10);
    for (auto& v : xs) v = u(rng); for (auto& v : dys) v = u(rng);
    float a[6] = {0.02979246f, 0.61837738f, 2.32335207f, 3.05202660f, 1.48548002f, 0.25103717f}, b[4] = {1.14201226f, -4.39322834f, 0.87154450f, 0.34720652f};
    std::vector<float> xa(xs.begin() + 1, xs.end()), dya(dys.begin() + 1, dys.end());  // 16-byte aligned copies
    launch({4, 1}, {256}, [&] { pau_forward<float, 6, 4>(xa.data(), y1.data(), a, b, 6, 4, 1, 1, count, 0, 0, 0.0, PAU_VA); });
    launch({4, 1}, {256}, [&] { pau_forward<float, 6, 4>(xs.data() + 1, y2.data() + 1, a, b, 6, 4, 1, 1, count, 0, 0, 0.0, PAU_VA); });
    int bad = 0; for (long long i = 0; i < count; ++i) bad += y1[i] != y2[i + 1];
    launch({4, 1}, {256}, [&] { pau_backward<float, 6, 4>(xa.data(), dya.data(), dx1.data(), part.data(), a, b, 6, 4, 1, 1, count, 0, 0, 0.0, PAU_VA); });
    launch({10, 1}, {256}, [&] { pau_coeff_reduce<float>(part.data(), 4, b, da1.data(), db1.data(), 6, 4, PAU_VA); });
    launch({4, 1}, {256}, [&] { pau_backward<float, 6, 4>(xs.data() + 1, dys.data() + 1, dx2.data() + 1, part.data(), a, b, 6, 4, 1, 1, count, 0, 0, 0.0, PAU_VA); });
    launch({10, 1}, {256}, [&] { pau_coeff_reduce<float>(part.data(), 4, b, da2.data(), db2.data(), 6, 4, PAU_VA); });
    for (long long i = 0; i < count; ++i) bad += dx1[i] != dx2[i + 1];
    double e = 0; for (int j = 0; j < 6; ++j) e = std::max(e, (double)std::fabs(da1[j] - da2[j]) / (1 + std::fabs(da1[j])));
    for (int k = 0; k < 4; ++k) e = std::max(e, (double)std::fabs(db1[k] - db2[k]) / (1 + std::fabs(db1[k])));
    printf("aligned vs misaligned: %d elementwise differences, coefficient rel diff %g %s\n", bad, e, bad == 0 && e < 1e-5 ? "ok" : "FAIL");
    return bad + (e >= 1e-5);
}
