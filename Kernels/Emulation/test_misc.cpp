#include "emu.h"
// The headers that several of the .cu files below share, once at global scope: each .cu sits in a namespace of
// its own, and the headers' include guards would otherwise leave the second namespace without them.
#include "../../cuda/math.cuh"
#include "../../cuda/common.cuh"
namespace sm {
#include "../../cuda/softmax.cu"
}
namespace rnd {
#include "../../cuda/random.cu"
}
namespace ew {
#include "../../cuda/elementwise.cu"
}
namespace fc {
#include "../../cuda/fill_copy.cu"
}
#include <random>
int main() {
    int f = 0;
    std::mt19937 rng(9); std::uniform_real_distribution<double> u(-6, 6);
    // softmax / cross entropy
    for (int cols : {10, 1003, 1}) for (int log : {0, 1}) {
        long long rows = 37;
        std::vector<double> x(rows * cols), y(rows * cols, NAN), p(rows * cols, NAN), loss(rows, NAN);
        std::vector<int> t(rows);
        for (auto& v : x) v = u(rng);
        for (auto& v : t) v = rng() % cols;
        launch({2}, {256}, [&] { sm::softmax<double>(x.data(), y.data(), rows, cols, log); });
        launch({1}, {256}, [&] { sm::cross_entropy<double>(x.data(), t.data(), loss.data(), p.data(), rows, cols, 0.1); });
        double e = 0, el = 0;
        for (long long r = 0; r < rows; ++r) {
            double m = -1e300, s = 0, tot = 0;
            for (int c = 0; c < cols; ++c) m = std::max(m, x[r*cols+c]);
            for (int c = 0; c < cols; ++c) { s += std::exp(x[r*cols+c] - m); tot += x[r*cols+c]; }
            double lse = m + std::log(s);
            for (int c = 0; c < cols; ++c) {
                double ref = log ? x[r*cols+c] - lse : std::exp(x[r*cols+c] - m) / s;
                e = std::max(e, std::fabs(ref - y[r*cols+c]));
                e = std::max(e, std::fabs(std::exp(x[r*cols+c] - m) / s - p[r*cols+c]));
            }
            double lref = 0.9 * (lse - x[r*cols + t[r]]) + 0.1 * (lse - tot / cols);
            el = std::max(el, std::fabs(lref - loss[r]));
        }
        printf("softmax cols %d log %d: %g, ce %g\n", cols, log, e, el); f += e > 1e-12 || el > 1e-12;
    }
    // one hot
    { std::vector<int> idx = {3, 0, 9, 9, 1}; std::vector<float> y(50, NAN);
      launch({1}, {256}, [&] { sm::one_hot<float>(idx.data(), y.data(), 5, 10, 0.9f, 0.01f); });
      int bad = 0; for (int r = 0; r < 5; ++r) for (int c = 0; c < 10; ++c) bad += y[r*10+c] != (c == idx[r] ? 0.9f : 0.01f);
      printf("one_hot bad %d\n", bad); f += bad; }
    // philox known-answer test (Random123: key 0, counter 0 -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8)
    { auto b = rnd::philox_block(0, 0); printf("philox kat %08x %08x %08x %08x\n", b.w[0], b.w[1], b.w[2], b.w[3]);
      f += !(b.w[0] == 0x6627e8d5 && b.w[1] == 0xe169c58d && b.w[2] == 0xbc57ac4c && b.w[3] == 0x9b00dbd8); }
    // random: print a few values for comparison with the C# port
    { std::vector<float> y(8); std::vector<double> z(8);
      launch({1}, {256}, [&] { rnd::random_f32(y.data(), 8, 1, 0x123456789abcdef0ull, 7, 0.5, 2.0); });
      launch({1}, {256}, [&] { rnd::random_f64(z.data(), 8, 0, 0x123456789abcdef0ull, 7, -2.0, 3.0); });
      for (int i = 0; i < 8; ++i) printf("%.9g %.17g\n", y[i], z[i]); }
    // binary broadcast + where + copy convert
    { std::vector<float> a(3*5), b(4*5), y(3*4*5, NAN);
      for (auto& v : a) v = u(rng); for (auto& v : b) v = u(rng);
      Dims8 shape{{3,4,5}}, sa{{5,0,1}}, sb{{0,5,1}}, sy{{20,5,1}};
      launch({1}, {256}, [&] { ew::binary<float>(ew::B_Sub, a.data(), b.data(), y.data(), 60, 3, shape, sa, sb, sy); });
      int bad = 0; for (int i = 0; i < 3; ++i) for (int j = 0; j < 4; ++j) for (int k = 0; k < 5; ++k) bad += y[i*20+j*5+k] != a[i*5+k] - b[j*5+k];
      printf("binary bad %d\n", bad); f += bad;
      std::vector<int> yi(60, -7); Dims8 s2{{3,4,5}}, sx2{{20,5,1}}, sy2{{1,3,12}};
      launch({1}, {256}, [&] { fc::copy_f32_i32(y.data(), yi.data(), 60, 3, s2, sx2, sy2); });
      bad = 0; for (int i = 0; i < 3; ++i) for (int j = 0; j < 4; ++j) for (int k = 0; k < 5; ++k) bad += yi[i + j*3 + k*12] != (int)y[i*20+j*5+k];
      printf("copy convert bad %d\n", bad); f += bad;
      std::vector<float> x1 = {1, -2, 0.5f}, y1(3); 
      launch({1}, {256}, [&] { ew::unary_f32(ew::U_Clamp, x1.data(), y1.data(), 3, -1.f, 0.75f); });
      printf("clamp %g %g %g\n", y1[0], y1[1], y1[2]); f += !(y1[0] == 0.75f && y1[1] == -1 && y1[2] == 0.5f); }
    return f;
}
