#include "emu.h"
#include "../../cuda/reduce.cu"
#include <random>
long long chunk_for(long long outer, long long len, long long inner) {
    if (inner == 1) return 8192;
    long long outputs = outer * inner;
    if (outputs >= 65536 || len <= 64) return len;
    long long pieces = (65536 + outputs - 1) / outputs;
    return std::max(32LL, (len + pieces - 1) / pieces);
}
template <typename T>
std::vector<T> run(int op, std::vector<T> x, long long outer, long long len, long long inner, int grid) {
    while (true) {
        long long chunk = chunk_for(outer, len, inner), chunks = (len + chunk - 1) / chunk;
        std::vector<T> y(outer * chunks * inner);
        if (inner == 1) launch({(unsigned)grid}, {256}, [&] { reduce_rows<T>(op, x.data(), y.data(), outer, len, chunk); });
        else launch({(unsigned)grid}, {256}, [&] { reduce_strided<T>(op, x.data(), y.data(), outer, len, inner, chunk); });
        x = y; len = chunks;
        if (chunks == 1) return x;
    }
}
int test(int op, long long outer, long long len, long long inner, int grid) {
    std::mt19937 rng(3); std::uniform_real_distribution<double> u(-1, 1);
    std::vector<double> x(outer * len * inner);
    for (auto& v : x) v = std::floor(u(rng) * 100) / 4;
    auto y = run<double>(op, x, outer, len, inner, grid);
    double maxerr = 0;
    for (long long o = 0; o < outer; ++o) for (long long i = 0; i < inner; ++i) {
        double acc = x[(o * len) * inner + i];
        for (long long r = 1; r < len; ++r) { double v = x[(o * len + r) * inner + i]; acc = op == 0 ? acc + v : op == 1 ? std::max(acc, v) : std::min(acc, v); }
        maxerr = std::max(maxerr, std::fabs(acc - y[o * inner + i]));
    }
    printf("op %d outer %lld len %lld inner %lld: maxerr %g %s\n", op, outer, len, inner, maxerr, maxerr < 1e-9 ? "ok" : "FAIL");
    // argmax
    std::vector<int> am(outer * inner, -1);
    launch({(unsigned)grid}, {256}, [&] { argmax<double>(x.data(), am.data(), outer, len, inner); });
    int bad = 0;
    for (long long o = 0; o < outer; ++o) for (long long i = 0; i < inner; ++i) {
        int best = 0; double bv = x[o * len * inner + i];
        for (long long r = 1; r < len; ++r) if (x[(o * len + r) * inner + i] > bv) { bv = x[(o * len + r) * inner + i]; best = r; }
        bad += best != am[o * inner + i];
    }
    printf("   argmax bad %d\n", bad);
    return (maxerr < 1e-9 ? 0 : 1) + bad;
}
int main() {
    int f = 0;
    f += test(0, 1, 100003, 1, 3);
    f += test(1, 3, 20000, 1, 2);
    f += test(2, 5, 7, 1, 1);
    f += test(0, 1, 5000, 3, 2);
    f += test(1, 2, 333, 70, 2);
    f += test(0, 4, 1, 9, 1);
    return f;
}
