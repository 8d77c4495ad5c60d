#include "emu.h"
#include "../../cuda/fill_copy.cu"
int main() {
    std::vector<double> src(120); for (int i = 0; i < 120; ++i) src[i] = i * 0.5;
    struct V { std::vector<long long> shape, strides; long long off; };
    std::vector<V> views = {{{4,5,6},{30,6,1},0},{{6,5,4},{1,6,30},0},{{2,3,2},{30,6,2},37},{{3,7,6},{0,0,1},12},{{2,1,1,1,1,1,1,3},{60,0,0,0,0,0,0,1},5},{{},{},42}};
    int bad = 0;
    for (auto& v : views) {
        long long n = 1; for (auto s : v.shape) n *= s;
        Dims8 sh{}, st{}; for (size_t d = 0; d < v.shape.size(); ++d) { sh.d[d] = v.shape[d]; st.d[d] = v.strides[d]; }
        std::vector<double> y(n, -1);
        launch({1}, {128}, [&] { copy_strided_f64(src.data(), y.data(), n, (int)v.shape.size(), sh, st, v.off); });
        for (long long i = 0; i < n; ++i) { long long at = v.off, rest = i; for (int d = (int)v.shape.size() - 1; d >= 0; --d) { at += rest % v.shape[d] * v.strides[d]; rest /= v.shape[d]; } bad += y[i] != src[at]; }
    }
    printf("copy_strided bad %d\n", bad); return bad;
}
