#include "emu.h"
namespace cv {
#include "../../cuda/conv.cu"
}
namespace pl {
#include "../../cuda/pool.cu"
}
namespace bn {
#include "../../cuda/batchnorm.cu"
}
#include <random>
std::mt19937 rng(11); std::uniform_real_distribution<double> U(-1, 1);
void matmul(int M, int N, int K, const double* A, bool ta, const double* B, bool tb, double* C, double beta) {
    for (int i = 0; i < M; ++i) for (int j = 0; j < N; ++j) { double s = 0; for (int k = 0; k < K; ++k) s += (ta ? A[k*M+i] : A[i*K+k]) * (tb ? B[j*K+k] : B[k*N+j]); C[i*N+j] = s + beta * (beta != 0 ? C[i*N+j] : 0); }
}
int test_conv(cv::ConvGeometry g, int chunk) {
    int cg = g.C / g.Groups, kg = g.K / g.Groups, R = cg * g.KH * g.KW, ohw = g.OH * g.OW;
    std::vector<double> x((size_t)g.N*g.C*g.H*g.W), w((size_t)g.K*R), b(g.K), y((size_t)g.N*g.K*ohw, NAN), dy(y.size()), dx(x.size(), NAN), dw(w.size(), NAN);
    for (auto& v : x) v = U(rng); for (auto& v : w) v = U(rng); for (auto& v : b) v = U(rng); for (auto& v : dy) v = U(rng);
    for (int gi = 0; gi < g.Groups; ++gi) for (int s0 = 0; s0 < g.N; s0 += chunk) {
        int ns = std::min(chunk, g.N - s0), cols = ns * ohw;
        std::vector<double> col((size_t)R*cols), tmp((size_t)kg*cols), dcol(col.size());
        launch({3}, {256}, [&] { cv::im2col<double>(x.data(), col.data(), g, s0, ns, gi); });
        matmul(kg, cols, R, w.data() + (size_t)gi*kg*R, false, col.data(), false, tmp.data(), 0);
        launch({2}, {256}, [&] { cv::conv_output<double>(tmp.data(), b.data(), y.data(), g, s0, ns, gi); });
        launch({2}, {256}, [&] { cv::conv_gather_dy<double>(dy.data(), tmp.data(), g, s0, ns, gi); });
        matmul(R, cols, kg, w.data() + (size_t)gi*kg*R, true, tmp.data(), false, dcol.data(), 0);
        launch({2}, {256}, [&] { cv::col2im<double>(dcol.data(), dx.data(), g, s0, ns, gi); });
        std::vector<double> dwg((size_t)kg*R);
        matmul(kg, R, cols, tmp.data(), false, col.data(), true, dwg.data(), 0);
        for (int i = 0; i < kg*R; ++i) { double& d = dw[(size_t)gi*kg*R + i]; d = (s0 == 0 ? 0 : d) + dwg[i]; }
    }
    // reference
    double ey = 0, edx = 0, edw = 0;
    std::vector<double> rdx(x.size(), 0), rdw(w.size(), 0);
    for (int n = 0; n < g.N; ++n) for (int k = 0; k < g.K; ++k) for (int oh = 0; oh < g.OH; ++oh) for (int ow = 0; ow < g.OW; ++ow) {
        int gi = k / kg; double s = b[k]; double G = dy[(((size_t)n*g.K+k)*g.OH+oh)*g.OW+ow];
        for (int c = 0; c < cg; ++c) for (int i = 0; i < g.KH; ++i) for (int j = 0; j < g.KW; ++j) {
            int ih = oh*g.SH - g.PH + i*g.DH, iw = ow*g.SW - g.PW + j*g.DW;
            if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
            size_t xi = (((size_t)n*g.C + gi*cg + c)*g.H + ih)*g.W + iw, wi = (((size_t)k*cg + c)*g.KH + i)*g.KW + j;
            s += w[wi] * x[xi]; rdx[xi] += w[wi] * G; rdw[wi] += G * x[xi];
        }
        ey = std::max(ey, std::fabs(s - y[(((size_t)n*g.K+k)*g.OH+oh)*g.OW+ow]));
    }
    for (size_t i = 0; i < x.size(); ++i) edx = std::max(edx, std::fabs(rdx[i] - dx[i]));
    for (size_t i = 0; i < w.size(); ++i) edw = std::max(edw, std::fabs(rdw[i] - dw[i]));
    // depthwise path when applicable
    double edw2 = 0, edx2 = 0, ey2 = 0;
    if (g.Groups == g.C && g.C == g.K) {
        std::vector<double> y2(y.size(), NAN), dx2(x.size(), NAN), dw2(w.size(), NAN);
        launch({3}, {256}, [&] { cv::depthwise_forward<double>(x.data(), w.data(), b.data(), y2.data(), g); });
        launch({3}, {256}, [&] { cv::depthwise_backward_input<double>(w.data(), dy.data(), dx2.data(), g); });
        launch({(unsigned)(g.C*g.KH*g.KW)}, {256}, [&] { cv::depthwise_backward_weight<double>(x.data(), dy.data(), dw2.data(), g); });
        for (size_t i = 0; i < y.size(); ++i) ey2 = std::max(ey2, std::fabs(y2[i] - y[i]));
        for (size_t i = 0; i < x.size(); ++i) edx2 = std::max(edx2, std::fabs(rdx[i] - dx2[i]));
        for (size_t i = 0; i < w.size(); ++i) edw2 = std::max(edw2, std::fabs(rdw[i] - dw2[i]));
    }
    bool ok = ey < 1e-12 && edx < 1e-12 && edw < 1e-12 && ey2 < 1e-12 && edx2 < 1e-12 && edw2 < 1e-12;
    printf("conv N%d C%d %dx%d K%d k%dx%d s%d,%d p%d,%d d%d,%d G%d -> %dx%d: y %g dx %g dw %g | dw: %g %g %g %s\n", g.N, g.C, g.H, g.W, g.K, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW, g.Groups, g.OH, g.OW, ey, edx, edw, ey2, edx2, edw2, ok ? "ok" : "FAIL");
    return !ok;
}
cv::ConvGeometry geom(int N, int C, int H, int W, int K, int KH, int KW, int S, int P, int D, int G) {
    int OH = (H + 2*P - D*(KH-1) - 1) / S + 1, OW = (W + 2*P - D*(KW-1) - 1) / S + 1;
    return {N, C, H, W, K, KH, KW, S, S, P, P, D, D, G, OH, OW};
}
int test_pool(pl::PoolGeometry g) {
    size_t nx = (size_t)g.N*g.C*g.H*g.W, ny = (size_t)g.N*g.C*g.OH*g.OW;
    std::vector<double> x(nx), y(ny), dy(ny), dx(nx), ya(ny), dxa(nx), rdx(nx, 0), rdxa(nx, 0); std::vector<int> idx(ny);
    for (auto& v : x) v = std::floor(U(rng) * 4); for (auto& v : dy) v = U(rng);
    launch({2}, {256}, [&] { pl::max_pool2d<double>(x.data(), y.data(), idx.data(), g); });
    launch({2}, {256}, [&] { pl::max_pool2d_backward<double>(dy.data(), idx.data(), dx.data(), g); });
    launch({2}, {256}, [&] { pl::avg_pool2d<double>(x.data(), ya.data(), g, 1); });
    launch({2}, {256}, [&] { pl::avg_pool2d_backward<double>(dy.data(), dxa.data(), g, 1); });
    int bad = 0; double e = 0;
    for (int pc = 0; pc < g.N*g.C; ++pc) for (int oh = 0; oh < g.OH; ++oh) for (int ow = 0; ow < g.OW; ++ow) {
        int hs = oh*g.SH-g.PH, ws = ow*g.SW-g.PW, h0 = std::max(hs,0), h1 = std::min(hs+g.KH,g.H), w0 = std::max(ws,0), w1 = std::min(ws+g.KW,g.W);
        double best = -INFINITY, s = 0; int at = h0*g.W+w0;
        for (int ih = h0; ih < h1; ++ih) for (int iw = w0; iw < w1; ++iw) { double v = x[(size_t)pc*g.H*g.W + ih*g.W+iw]; s += v; if (v > best) { best = v; at = ih*g.W+iw; } }
        size_t o = ((size_t)pc*g.OH+oh)*g.OW+ow;
        bad += y[o] != best || idx[o] != at;
        rdx[(size_t)pc*g.H*g.W + at] += dy[o];
        int div = (std::min(hs+g.KH, g.H+g.PH) - hs) * (std::min(ws+g.KW, g.W+g.PW) - ws);
        e = std::max(e, std::fabs(ya[o] - s / div));
        for (int ih = h0; ih < h1; ++ih) for (int iw = w0; iw < w1; ++iw) rdxa[(size_t)pc*g.H*g.W + ih*g.W+iw] += dy[o] / div;
    }
    for (size_t i = 0; i < nx; ++i) { e = std::max(e, std::fabs(rdx[i] - dx[i])); e = std::max(e, std::fabs(rdxa[i] - dxa[i])); }
    // adaptive
    int OH = 3, OW = 5; std::vector<double> yad((size_t)g.N*g.C*OH*OW), dyad(yad.size()), dxad(nx), rdxad(nx, 0);
    for (auto& v : dyad) v = U(rng);
    launch({1}, {256}, [&] { pl::adaptive_avg_pool2d<double>(x.data(), yad.data(), g.N*g.C, g.H, g.W, OH, OW); });
    launch({1}, {256}, [&] { pl::adaptive_avg_pool2d_backward<double>(dyad.data(), dxad.data(), g.N*g.C, g.H, g.W, OH, OW); });
    for (int pc = 0; pc < g.N*g.C; ++pc) for (int i = 0; i < OH; ++i) for (int j = 0; j < OW; ++j) {
        int h0 = i*g.H/OH, h1 = ((i+1)*g.H+OH-1)/OH, w0 = j*g.W/OW, w1 = ((j+1)*g.W+OW-1)/OW; double s = 0, cnt = (h1-h0)*(w1-w0);
        for (int ih = h0; ih < h1; ++ih) for (int iw = w0; iw < w1; ++iw) { s += x[(size_t)pc*g.H*g.W+ih*g.W+iw]; rdxad[(size_t)pc*g.H*g.W+ih*g.W+iw] += dyad[((size_t)pc*OH+i)*OW+j] / cnt; }
        e = std::max(e, std::fabs(s / cnt - yad[((size_t)pc*OH+i)*OW+j]));
    }
    for (size_t i = 0; i < nx; ++i) e = std::max(e, std::fabs(rdxad[i] - dxad[i]));
    printf("pool %dx%d k%dx%d s%d p%d: bad %d err %g %s\n", g.H, g.W, g.KH, g.KW, g.SH, g.PH, bad, e, bad == 0 && e < 1e-12 ? "ok" : "FAIL");
    return bad + (e >= 1e-12);
}
pl::PoolGeometry pgeom(int N, int C, int H, int W, int K, int S, int P) { return {N, C, H, W, K, K, S, S, P, P, (H+2*P-K)/S+1, (W+2*P-K)/S+1}; }
int test_bn(int N, int C, long long S, bool training) {
    size_t n = (size_t)N*C*S; std::vector<double> x(n), dy(n), y(n), dx(n), mean(C), var(C), inv(C), w(C), b(C), sums(2*C), dw(C), db(C);
    for (auto& v : x) v = U(rng) * 3 + 1; for (auto& v : dy) v = U(rng); for (auto& v : w) v = U(rng); for (auto& v : b) v = U(rng);
    launch({(unsigned)C}, {256}, [&] { bn::stats<double>(x.data(), mean.data(), var.data(), N, C, S); });
    for (int c = 0; c < C; ++c) inv[c] = 1 / std::sqrt(var[c] + 1e-5);
    launch({2}, {256}, [&] { bn::forward<double>(x.data(), mean.data(), inv.data(), w.data(), b.data(), y.data(), N, C, S); });
    launch({(unsigned)C}, {256}, [&] { bn::backward_sums<double>(x.data(), dy.data(), mean.data(), inv.data(), sums.data(), dw.data(), db.data(), N, C, S); });
    launch({2}, {256}, [&] { bn::backward_dx<double>(x.data(), dy.data(), mean.data(), inv.data(), w.data(), sums.data(), dx.data(), N, C, S, training); });
    double e = 0; double M = (double)N*S;
    for (int c = 0; c < C; ++c) {
        double m = 0, v = 0, sd = 0, sdx = 0;
        for (int i = 0; i < N; ++i) for (long long s = 0; s < S; ++s) m += x[((size_t)i*C+c)*S+s];
        m /= M;
        for (int i = 0; i < N; ++i) for (long long s = 0; s < S; ++s) { double d = x[((size_t)i*C+c)*S+s] - m; v += d*d; }
        v /= M; double iv = 1 / std::sqrt(v + 1e-5);
        e = std::max(e, std::fabs(m - mean[c])); e = std::max(e, std::fabs(v - var[c]));
        for (int i = 0; i < N; ++i) for (long long s = 0; s < S; ++s) { size_t at = ((size_t)i*C+c)*S+s; double xh = (x[at]-m)*iv; e = std::max(e, std::fabs(xh*w[c]+b[c] - y[at])); sd += dy[at]; sdx += dy[at]*xh; }
        e = std::max(e, std::fabs(sdx - dw[c])); e = std::max(e, std::fabs(sd - db[c]));
        for (int i = 0; i < N; ++i) for (long long s = 0; s < S; ++s) { size_t at = ((size_t)i*C+c)*S+s; double xh = (x[at]-m)*iv;
            double r = training ? w[c]*iv*(dy[at] - sd/M - xh*sdx/M) : w[c]*iv*dy[at]; e = std::max(e, std::fabs(r - dx[at])); }
    }
    printf("batchnorm N%d C%d S%lld training %d: err %g %s\n", N, C, S, training, e, e < 1e-10 ? "ok" : "FAIL");
    return e >= 1e-10;
}
int main() {
    int f = 0;
    f += test_conv(geom(3, 4, 9, 11, 6, 3, 3, 1, 1, 1, 1), 2);
    f += test_conv(geom(2, 6, 10, 7, 4, 3, 2, 2, 1, 1, 2), 1);
    f += test_conv(geom(2, 3, 8, 8, 5, 3, 3, 2, 2, 2, 1), 3);
    f += test_conv(geom(3, 5, 7, 9, 5, 3, 3, 2, 1, 1, 5), 2);
    f += test_conv(geom(2, 4, 6, 6, 4, 1, 1, 1, 0, 1, 4), 2);
    f += test_conv(geom(2, 4, 5, 5, 8, 1, 1, 1, 0, 1, 1), 2);
    f += test_pool(pgeom(2, 3, 9, 11, 3, 2, 1));
    f += test_pool(pgeom(2, 3, 8, 8, 2, 2, 0));
    f += test_pool(pgeom(1, 2, 7, 7, 3, 1, 1));
    f += test_bn(3, 5, 37, true);
    f += test_bn(2, 4, 300, false);
    return f;
}
