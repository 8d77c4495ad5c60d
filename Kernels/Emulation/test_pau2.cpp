#include "emu.h"
#define __noinline__
#include "../../cuda/pau.cu"
#include <random>
double Sg(double v) { return v < 0 ? -1 : 1; }
template <typename T>
int test(int version, int na, int nb, long long outer, int C, long long inner, double alpha, bool fixed54, int pieces) {
    long long count = outer * C * inner; int K = na + nb; bool single = sizeof(T) == 4;
    std::mt19937 rng(7); std::uniform_real_distribution<double> u(-3, 3), ca(-1.5, 1.5), cb(-2, 2);
    std::vector<T> x(count), dy(count), a(C*na), b(C*nb), y(count, NAN), dx(count, NAN), da(C*na, NAN), db(C*nb, NAN);
    for (auto& v : x) v = u(rng); for (auto& v : dy) v = u(rng) / 3; for (auto& v : a) v = ca(rng); for (auto& v : b) v = cb(rng);
    x[0] = 0; if (nb > 0) b[0] = 0;  // sgn(0) = +1 cases
    std::vector<double> partials((size_t)C * pieces * K, NAN);
    unsigned long long seed = 0xC0FFEE, offset = 5;
    auto fwd = [&] { if (fixed54) pau_forward<T, 6, 4>(x.data(), y.data(), a.data(), b.data(), 6, 4, outer, C, inner, seed, offset, alpha, version); else pau_forward<T, 8, 8>(x.data(), y.data(), a.data(), b.data(), na, nb, outer, C, inner, seed, offset, alpha, version); };
    auto bwd = [&] { if (fixed54) pau_backward<T, 6, 4>(x.data(), dy.data(), dx.data(), partials.data(), a.data(), b.data(), 6, 4, outer, C, inner, seed, offset, alpha, version); else pau_backward<T, 8, 8>(x.data(), dy.data(), dx.data(), partials.data(), a.data(), b.data(), na, nb, outer, C, inner, seed, offset, alpha, version); };
    launch({(unsigned)pieces, (unsigned)C}, {256}, fwd);
    launch({(unsigned)pieces, (unsigned)C}, {256}, bwd);
    launch({(unsigned)K, (unsigned)C}, {256}, [&] { pau_coeff_reduce<T>(partials.data(), pieces, b.data(), da.data(), db.data(), na, nb, version); });
    double ey = 0, edx = 0, eda = 0, edb = 0; std::vector<double> rda(C*na, 0), rdb(C*nb, 0);
    for (long long i = 0; i < count; ++i) {
        int c = (int)(i / inner % C); double xi = x[i];
        std::vector<double> ac(na), bc(nb), fa(na, 1), fb(nb, 1);
        PhiloxReader r(seed);
        for (int j = 0; j < na; ++j) { if (alpha > 0) fa[j] = (double)(T)r.factor(offset, (unsigned long long)i*K + j, alpha, single); ac[j] = (double)a[c*na+j] * fa[j]; }
        for (int k = 0; k < nb; ++k) { if (alpha > 0) fb[k] = (double)(T)r.factor(offset, (unsigned long long)i*K + na + k, alpha, single); bc[k] = (double)b[c*nb+k] * fb[k]; }
        double p = 0, dp = 0; for (int j = 0; j < na; ++j) { p += ac[j]*std::pow(xi, j); if (j) dp += j*ac[j]*std::pow(xi, j-1); }
        double q, dq, s, uu;
        if (version == 0) { q = 1; dq = 0; double t = std::fabs(xi); for (int k = 1; k <= nb; ++k) { q += std::fabs(bc[k-1])*std::pow(t,k); dq += k*std::fabs(bc[k-1])*std::pow(t,k-1); } dq *= Sg(xi); s = 1; uu = t; }
        else if (version == 1) { double in = 0, di = 0; for (int k = 1; k <= nb; ++k) { in += bc[k-1]*std::pow(xi,k); di += k*bc[k-1]*std::pow(xi,k-1); } s = Sg(in); q = 1 + std::fabs(in); dq = s*di; uu = xi; }
        else { double rr = 0, dr = 0; for (int k = 0; k < nb; ++k) { rr += bc[k]*std::pow(xi,k); if (k) dr += k*bc[k]*std::pow(xi,k-1); } s = Sg(rr); q = 0.1 + std::fabs(rr); dq = s*dr; uu = xi; }
        ey = std::max(ey, std::fabs(p/q - y[i]) / (1 + std::fabs(p/q)));
        double rdx = dy[i]*(dp/q - p*dq/(q*q)); edx = std::max(edx, std::fabs(rdx - dx[i]) / (1 + std::fabs(rdx)));
        for (int j = 0; j < na; ++j) rda[c*na+j] += dy[i]*std::pow(xi,j)/q*fa[j];
        for (int k = 0; k < nb; ++k) { double sign = version == 0 ? Sg(bc[k]) : s; double pw = version == 2 ? std::pow(uu,k) : std::pow(uu,k+1); rdb[c*nb+k] += -dy[i]*p/(q*q)*sign*pw*fb[k]; }
    }
    for (int i = 0; i < C*na; ++i) eda = std::max(eda, std::fabs(rda[i] - da[i]) / (1 + std::fabs(rda[i])));
    for (int i = 0; i < C*nb; ++i) edb = std::max(edb, std::fabs(rdb[i] - db[i]) / (1 + std::fabs(rdb[i])));
    double tol = single ? 5e-3 : 1e-9; bool ok = ey < tol && edx < tol && eda < tol && edb < tol;
    printf("%s v%d na%d nb%d [%lld,%d,%lld] alpha %g%s pieces %d: y %.2g dx %.2g da %.2g db %.2g %s\n", single ? "f32" : "f64", version, na, nb, outer, C, inner, alpha, fixed54 ? " (54)" : "", pieces, ey, edx, eda, edb, ok ? "ok" : "FAIL");
    return !ok;
}
int main() {
    int f = 0;
    f += test<double>(0, 6, 4, 1, 1, 3001, 0, true, 2);
    f += test<double>(1, 6, 4, 1, 1, 2000, 0, true, 3);
    f += test<double>(0, 4, 2, 3, 5, 37, 0, false, 1);
    f += test<double>(1, 5, 3, 2, 4, 64, 0, false, 2);
    f += test<double>(2, 6, 5, 1, 1, 1500, 0, false, 2);
    f += test<double>(2, 4, 3, 3, 6, 11, 0.1, false, 1);
    f += test<double>(0, 6, 4, 1, 1, 999, 0.1, false, 2);
    f += test<float>(0, 6, 4, 1, 1, 2001, 0, true, 2);
    f += test<float>(0, 6, 4, 2, 3, 40, 0.1, false, 1);
    f += test<float>(1, 6, 4, 2, 3, 64, 0, true, 1);
    f += test<double>(0, 1, 0, 1, 1, 100, 0, false, 1);
    f += test<double>(2, 8, 8, 1, 2, 50, 0, false, 1);
    return f;
}
