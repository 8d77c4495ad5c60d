#include "emu.h"
#include <cmath>
using std::erfc;
#include "../../cuda/activations.cu"
#include <random>
std::mt19937 rng(3); std::uniform_real_distribution<double> U(-3, 3);
double sig(double z) { return 1 / (1 + std::exp(-z)); }
int main() {
    int f = 0;
    // pointwise: compare with finite differences of the forward for the backward, and closed forms for the forward
    for (int op = 15; op <= 23; ++op) {
        int n = 999; double a = op == U_Celu ? 0.7 : op == U_Softplus ? 1.5 : op == U_Silu ? 1.3 : 0.2, b = op == U_Softplus ? 20 : 0;
        std::vector<double> x(n), y(n), dy(n, 1), dx(n);
        for (auto& v : x) v = U(rng) * 3; x[0] = 0; x[1] = 6;
        launch({2}, {256}, [&] { activation_unary<double>(op, x.data(), y.data(), n, a, b); });
        launch({2}, {256}, [&] { activation_unary_backward<double>(op, x.data(), y.data(), dy.data(), dx.data(), n, a, b); });
        double e = 0, ef = 0;
        for (int i = 2; i < n; ++i) {
            double v = x[i], r;
            switch (op) { case 15: r = std::min(std::max(v, 0.0), 6.0); break; case 16: r = v > 0 ? v : a*v; break; case 17: r = v > 0 ? v : a*(std::exp(v)-1); break;
                case 18: r = v > 0 ? v : a*(std::exp(v/a)-1); break; case 19: r = a*v > b ? v : std::log1p(std::exp(a*v))/a; break; case 20: r = v*sig(a*v); break;
                case 21: r = v*0.5*std::erfc(-v/std::sqrt(2.0)); break; case 22: r = 0.5*v*(1+std::tanh(std::sqrt(2/M_PI)*(v+0.044715*v*v*v))); break; default: r = v*std::tanh(std::log1p(std::exp(v))); }
            ef = std::max(ef, std::fabs(r - y[i]));
            double h = 1e-6, yp, ym; std::vector<double> xx = {v + h, v - h}, yy(2);
            launch({1}, {32}, [&] { activation_unary<double>(op, xx.data(), yy.data(), 2, a, b); });
            yp = yy[0]; ym = yy[1];
            if (std::fabs(v) > 1e-3 && std::fabs(v - 6) > 1e-3) e = std::max(e, std::fabs((yp - ym) / (2*h) - dx[i]));
        }
        printf("op %d: forward %g backward-vs-fd %g %s\n", op, ef, e, ef < 1e-12 && e < 1e-6 ? "ok" : "FAIL"); f += !(ef < 1e-12 && e < 1e-6);
    }
    // per-channel learnables: prelu, apl (S=3), srelu, slaf(width 4) against naive loops
    long long outer = 3, inner = 37; int C = 5, pieces = 2; long long n = outer*C*inner;
    std::vector<double> x(n), dy(n), y(n), dx(n); for (auto& v : x) v = U(rng); for (auto& v : dy) v = U(rng);
    auto chan = [&](long long i) { return (int)(i / inner % C); };
    auto reduce = [&](std::vector<double>& partials, int P, std::vector<double>& out, int cm) { launch({(unsigned)P, (unsigned)C}, {256}, [&] { channel_reduce<double>(partials.data(), pieces, P, C, out.data(), cm); }); };
    { std::vector<double> w(C), partials(C*pieces), dw(C); for (auto& v : w) v = U(rng)/3;
      launch({4}, {256}, [&] { prelu<double>(x.data(), w.data(), y.data(), outer, C, inner); });
      launch({(unsigned)pieces, (unsigned)C}, {256}, [&] { prelu_backward<double>(x.data(), w.data(), dy.data(), dx.data(), partials.data(), outer, C, inner); });
      reduce(partials, 1, dw, 1);
      double e = 0; std::vector<double> rdw(C, 0);
      for (long long i = 0; i < n; ++i) { int c = chan(i); e = std::max(e, std::fabs((x[i] > 0 ? x[i] : w[c]*x[i]) - y[i])); e = std::max(e, std::fabs((x[i] > 0 ? dy[i] : w[c]*dy[i]) - dx[i])); if (x[i] <= 0) rdw[c] += dy[i]*x[i]; }
      for (int c = 0; c < C; ++c) e = std::max(e, std::fabs(rdw[c] - dw[c]));
      printf("prelu %g %s\n", e, e < 1e-12 ? "ok" : "FAIL"); f += e >= 1e-12; }
    { int S = 3; std::vector<double> a(S*C), b(S*C), partials(C*pieces*2*S), out(2*S*C); for (auto& v : a) v = U(rng)/3; for (auto& v : b) v = U(rng);
      launch({4}, {256}, [&] { apl<double>(x.data(), a.data(), b.data(), y.data(), S, outer, C, inner); });
      launch({(unsigned)pieces, (unsigned)C}, {256}, [&] { apl_backward<double>(x.data(), a.data(), b.data(), dy.data(), dx.data(), partials.data(), S, outer, C, inner); });
      reduce(partials, 2*S, out, 0);  // out[q*C + c]: rows 0..S-1 = da [S, C], rows S.. = db
      double e = 0; std::vector<double> rda(S*C, 0), rdb(S*C, 0);
      for (long long i = 0; i < n; ++i) { int c = chan(i); double v = x[i], r = std::max(v, 0.0), d = v > 0; for (int h = 0; h < S; ++h) { double u = b[h*C+c]-v; r += a[h*C+c]*std::max(u, 0.0); if (u > 0) { d -= a[h*C+c]; rda[h*C+c] += dy[i]*u; rdb[h*C+c] += dy[i]*a[h*C+c]; } }
        e = std::max(e, std::fabs(r - y[i])); e = std::max(e, std::fabs(dy[i]*d - dx[i])); }
      for (int q = 0; q < S*C; ++q) { e = std::max(e, std::fabs(rda[q] - out[q])); e = std::max(e, std::fabs(rdb[q] - out[S*C + q])); }
      printf("apl %g %s\n", e, e < 1e-12 ? "ok" : "FAIL"); f += e >= 1e-12; }
    { std::vector<double> tl(C), al(C), tr(C), ar(C), partials(C*pieces*4), out(4*C); for (int c = 0; c < C; ++c) { tl[c] = -1 + U(rng)/10; tr[c] = 1 + U(rng)/10; al[c] = U(rng)/5; ar[c] = 1 + U(rng)/5; }
      launch({4}, {256}, [&] { srelu<double>(x.data(), tl.data(), al.data(), tr.data(), ar.data(), y.data(), outer, C, inner); });
      launch({(unsigned)pieces, (unsigned)C}, {256}, [&] { srelu_backward<double>(x.data(), tl.data(), al.data(), tr.data(), ar.data(), dy.data(), dx.data(), partials.data(), outer, C, inner); });
      reduce(partials, 4, out, 0);
      double e = 0; std::vector<double> r4(4*C, 0);
      for (long long i = 0; i < n; ++i) { int c = chan(i); double v = x[i], g = dy[i];
        if (v >= tr[c]) { e = std::max(e, std::fabs(tr[c]+ar[c]*(v-tr[c]) - y[i])); e = std::max(e, std::fabs(ar[c]*g - dx[i])); r4[2*C+c] += (1-ar[c])*g; r4[3*C+c] += (v-tr[c])*g; }
        else if (v <= tl[c]) { e = std::max(e, std::fabs(tl[c]+al[c]*(v-tl[c]) - y[i])); e = std::max(e, std::fabs(al[c]*g - dx[i])); r4[c] += (1-al[c])*g; r4[C+c] += (v-tl[c])*g; }
        else { e = std::max(e, std::fabs(v - y[i])); e = std::max(e, std::fabs(g - dx[i])); } }
      for (int q = 0; q < 4*C; ++q) e = std::max(e, std::fabs(r4[q] - out[q]));
      printf("srelu %g %s\n", e, e < 1e-12 ? "ok" : "FAIL"); f += e >= 1e-12; }
    { int W = 4; std::vector<double> co(C*W), partials(C*pieces*W), out(C*W); for (auto& v : co) v = U(rng)/3;
      launch({4}, {256}, [&] { slaf<double>(x.data(), co.data(), y.data(), W, outer, C, inner); });
      launch({(unsigned)pieces, (unsigned)C}, {256}, [&] { slaf_backward<double>(x.data(), co.data(), dy.data(), dx.data(), partials.data(), W, outer, C, inner); });
      reduce(partials, W, out, 1);
      double e = 0; std::vector<double> rc(C*W, 0);
      for (long long i = 0; i < n; ++i) { int c = chan(i); double v = x[i], r = 0, d = 0; for (int k = 0; k < W; ++k) { r += co[c*W+k]*std::pow(v,k); if (k) d += k*co[c*W+k]*std::pow(v,k-1); rc[c*W+k] += dy[i]*std::pow(v,k); }
        e = std::max(e, std::fabs(r - y[i])); e = std::max(e, std::fabs(dy[i]*d - dx[i])); }
      for (int q = 0; q < C*W; ++q) e = std::max(e, std::fabs(rc[q] - out[q]));
      printf("slaf %g %s\n", e, e < 1e-12 ? "ok" : "FAIL"); f += e >= 1e-12; }
    { int k = 3, G = 4; long long o = 2, in = 5; std::vector<double> xm(o*G*k*in), ym(o*G*in), dym(ym.size()), dxm(xm.size()); std::vector<int> am(ym.size());
      for (auto& v : xm) v = std::floor(U(rng)); for (auto& v : dym) v = U(rng);
      launch({1}, {256}, [&] { maxout<double>(xm.data(), ym.data(), am.data(), k, o, G, in); });
      launch({1}, {256}, [&] { maxout_backward<double>(dym.data(), am.data(), dxm.data(), k, o, G, in); });
      int bad = 0;
      for (long long r = 0; r < o*G; ++r) for (long long s = 0; s < in; ++s) { double best = xm[r*k*in+s]; int at = 0; for (int j = 1; j < k; ++j) if (xm[(r*k+j)*in+s] > best) { best = xm[(r*k+j)*in+s]; at = j; }
        bad += ym[r*in+s] != best || am[r*in+s] != at; for (int j = 0; j < k; ++j) bad += dxm[(r*k+j)*in+s] != (j == at ? dym[r*in+s] : 0); }
      printf("maxout bad %d\n", bad); f += bad; }
    { long long m = 1000; std::vector<float> xr(m), yr(m), nr(m); for (auto& v : xr) v = U(rng);
      launch({1}, {256}, [&] { rrelu<float>(xr.data(), yr.data(), nr.data(), m, 0.125, 1.0/3, 42, 7); });
      int bad = 0; for (long long i = 0; i < m; ++i) { double u = (philox_block(42, (7+i)>>2).at(7+i) >> 8) * (1.0/16777216); float slope = (float)(0.125 + (1.0/3 - 0.125)*u); float fct = xr[i] > 0 ? 1.f : slope; bad += nr[i] != fct || yr[i] != xr[i]*fct; }
      printf("rrelu bad %d\n", bad); f += bad; }
    return f;
}
