using Pade.Engine;
using Pade.Engine.Functional;
using static Pade.Kernels.Parity.ParityContext;

namespace Pade.Kernels.Parity;

/// <summary>Activation kernels (cuda/activations.cu, cuda/pau.cu through the Engine's PAU API) against the CPU's.</summary>
public static partial class ParitySuite
{
    static partial void AddActivationCases(List<ParityCase> cases)
    {
        foreach (var op in Enum.GetValues<UnaryOp>().Where(CudaBackend.IsActivationUnary))
            foreach (var dtype in Floats)
                cases.Add(new($"activation {op} {Name(dtype)} [1000003]", "Unary/UnaryBackward (activations)", ctx =>
                {
                    int[] shape = [1000003];
                    var (alpha, beta) = op switch
                    {
                        UnaryOp.LeakyRelu => (0.01, 0.0), UnaryOp.Elu => (1.0, 0.0), UnaryOp.Celu => (0.7, 0.0),
                        UnaryOp.Softplus => (1.5, 20.0), UnaryOp.Silu => (1.0, 0.0), _ => (0.0, 0.0),
                    };
                    var x = op is UnaryOp.Relu6 or UnaryOp.LeakyRelu ? RandCoarse(shape, dtype, -8, 8, 300) : Rand(shape, dtype, -8, 8, 300);
                    var dy = Rand(shape, dtype, -1, 1, 301);
                    var (yc, dxc, yg, dxg) = (CpuEmpty(shape, dtype), CpuEmpty(shape, dtype), ctx.GpuPoisoned(shape, dtype), ctx.GpuPoisoned(shape, dtype));
                    ctx.Cpu.Unary(op, x, yc, alpha, beta);
                    ctx.Cpu.UnaryBackward(op, x, yc, dy, dxc, alpha, beta);
                    var xg = ToGpu(x);
                    ctx.Gpu.Unary(op, xg, yg, alpha, beta);
                    ctx.Gpu.UnaryBackward(op, xg, ToGpu(yc), ToGpu(dy), dxg, alpha, beta);
                    double eps = Eps(dtype);
                    // GeluTanh's derivative ½(1 + t) + ½x(1 − t²)·k0(1 + 3k1x²) cancels where t → ±1: an error of one
                    // ulp(1) in t (tanh, or an fma contracted differently) is multiplied by up to 2·½|x|k0(1 + 3k1x²)
                    // ≈ 61 at |x| = 8, so its absolute tolerance is 128 eps instead of 16.
                    double dxAtol = (op == UnaryOp.GeluTanh ? 128 : 16) * eps;
                    return new ParityCheck($"Unary({op}) {Name(dtype)}", $"[1000003], alpha {alpha}, beta {beta}")
                        .Compare("y", yc, yg, 16 * eps, 16 * eps).Compare("dx", dxc, dxg, dxAtol, 16 * eps).Result();
                }));

        foreach (var dtype in Floats)
            cases.Add(new($"rrelu {Name(dtype)} [100003]", "RRelu", ctx =>
            {
                int[] shape = [100003];
                var x = Rand(shape, dtype, -2, 2, 310);
                var (yc, nc, yg, ng) = (CpuEmpty(shape, dtype), CpuEmpty(shape, dtype), ctx.GpuPoisoned(shape, dtype), ctx.GpuPoisoned(shape, dtype));
                ctx.Cpu.RRelu(x, yc, nc, 1.0 / 8, 1.0 / 3, 42, 7);
                ctx.Gpu.RRelu(ToGpu(x), yg, ng, 1.0 / 8, 1.0 / 3, 42, 7);
                return new ParityCheck($"RRelu {Name(dtype)}", "[100003]").Compare("y", yc, yg, 0, 0).Compare("noise", nc, ng, 0, 0).Result();
            }));

        var layout = new ChannelLayout(3, 5, 37);
        int[] xs = [3, 5, 37];
        foreach (var dtype in Floats)
        {
            cases.Add(new($"prelu per-channel [3, 5, 37] {Name(dtype)}", "PRelu/PReluBackward", ctx =>
            {
                var (x, dy, w) = (Rand(xs, dtype, -2, 2, 320), Rand(xs, dtype, -1, 1, 321), Rand([5], dtype, 0, 0.5, 322));
                var (yc, dxc, dwc) = (CpuEmpty(xs, dtype), CpuEmpty(xs, dtype), CpuEmpty([5], dtype));
                var (yg, dxg, dwg) = (ctx.GpuPoisoned(xs, dtype), ctx.GpuPoisoned(xs, dtype), ctx.GpuPoisoned([5], dtype));
                ctx.Cpu.PRelu(x, w, yc, layout);
                ctx.Cpu.PReluBackward(x, w, dy, dxc, dwc, layout);
                var (xg, wg) = (ToGpu(x), ToGpu(w));
                ctx.Gpu.PRelu(xg, wg, yg, layout);
                ctx.Gpu.PReluBackward(xg, wg, ToGpu(dy), dxg, dwg, layout);
                double eps = Eps(dtype);
                return new ParityCheck($"PRelu {Name(dtype)}", "x [3, 5, 37], w [5]")
                    .Compare("y", yc, yg, 0, 0).Compare("dx", dxc, dxg, 0, 0).Compare("dw", dwc, dwg, 8 * eps * 111, 8 * eps).Result();
            }));
            cases.Add(new($"apl 3 hinges per-channel [3, 5, 37] {Name(dtype)}", "Apl/AplBackward", ctx =>
            {
                var (x, dy, a, b) = (Rand(xs, dtype, -2, 2, 330), Rand(xs, dtype, -1, 1, 331), Rand([3, 5], dtype, -0.5, 0.5, 332), Rand([3, 5], dtype, -1, 1, 333));
                var (yc, dxc, dac, dbc) = (CpuEmpty(xs, dtype), CpuEmpty(xs, dtype), CpuEmpty([3, 5], dtype), CpuEmpty([3, 5], dtype));
                var (yg, dxg, dag, dbg) = (ctx.GpuPoisoned(xs, dtype), ctx.GpuPoisoned(xs, dtype), ctx.GpuPoisoned([3, 5], dtype), ctx.GpuPoisoned([3, 5], dtype));
                ctx.Cpu.Apl(x, a, b, yc, layout);
                ctx.Cpu.AplBackward(x, a, b, dy, dxc, dac, dbc, layout);
                var (xg, ag, bg) = (ToGpu(x), ToGpu(a), ToGpu(b));
                ctx.Gpu.Apl(xg, ag, bg, yg, layout);
                ctx.Gpu.AplBackward(xg, ag, bg, ToGpu(dy), dxg, dag, dbg, layout);
                double eps = Eps(dtype);
                return new ParityCheck($"Apl {Name(dtype)}", "x [3, 5, 37], a, b [3, 5]")
                    .Compare("y", yc, yg, 8 * eps, 8 * eps).Compare("dx", dxc, dxg, 8 * eps, 8 * eps)
                    .Compare("da", dac, dag, 16 * eps * 111, 8 * eps).Compare("db", dbc, dbg, 16 * eps * 111, 8 * eps).Result();
            }));
            cases.Add(new($"srelu per-channel [3, 5, 37] {Name(dtype)}", "SRelu/SReluBackward", ctx =>
            {
                var (x, dy) = (Rand(xs, dtype, -3, 3, 340), Rand(xs, dtype, -1, 1, 341));
                var (tl, al, tr, ar) = (Rand([5], dtype, -1.2, -0.8, 342), Rand([5], dtype, 0, 0.3, 343), Rand([5], dtype, 0.8, 1.2, 344), Rand([5], dtype, 0.8, 1.2, 345));
                var yc = CpuEmpty(xs, dtype); var dxc = CpuEmpty(xs, dtype);
                var gc = Enumerable.Range(0, 4).Select(_ => CpuEmpty([5], dtype)).ToArray();
                var yg = ctx.GpuPoisoned(xs, dtype); var dxg = ctx.GpuPoisoned(xs, dtype);
                var gg = Enumerable.Range(0, 4).Select(_ => ctx.GpuPoisoned([5], dtype)).ToArray();
                ctx.Cpu.SRelu(x, tl, al, tr, ar, yc, layout);
                ctx.Cpu.SReluBackward(x, tl, al, tr, ar, dy, dxc, gc[0], gc[1], gc[2], gc[3], layout);
                var (xg, tlg, alg, trg, arg) = (ToGpu(x), ToGpu(tl), ToGpu(al), ToGpu(tr), ToGpu(ar));
                ctx.Gpu.SRelu(xg, tlg, alg, trg, arg, yg, layout);
                ctx.Gpu.SReluBackward(xg, tlg, alg, trg, arg, ToGpu(dy), dxg, gg[0], gg[1], gg[2], gg[3], layout);
                double eps = Eps(dtype);
                var check = new ParityCheck($"SRelu {Name(dtype)}", "x [3, 5, 37], parameters [5]")
                    .Compare("y", yc, yg, 8 * eps, 8 * eps).Compare("dx", dxc, dxg, 8 * eps, 8 * eps);
                string[] names = ["dtl", "dal", "dtr", "dar"];
                for (int i = 0; i < 4; i++) check.Compare(names[i], gc[i], gg[i], 16 * eps * 111, 8 * eps);
                return check.Result();
            }));
            cases.Add(new($"slaf width 4 per-channel [3, 5, 37] {Name(dtype)}", "Slaf/SlafBackward", ctx =>
            {
                var (x, dy, c) = (Rand(xs, dtype, -2, 2, 350), Rand(xs, dtype, -1, 1, 351), Rand([5, 4], dtype, -0.5, 0.5, 352));
                var (yc, dxc, dcc) = (CpuEmpty(xs, dtype), CpuEmpty(xs, dtype), CpuEmpty([5, 4], dtype));
                var (yg, dxg, dcg) = (ctx.GpuPoisoned(xs, dtype), ctx.GpuPoisoned(xs, dtype), ctx.GpuPoisoned([5, 4], dtype));
                ctx.Cpu.Slaf(x, c, yc, layout);
                ctx.Cpu.SlafBackward(x, c, dy, dxc, dcc, layout);
                var (xg, cg) = (ToGpu(x), ToGpu(c));
                ctx.Gpu.Slaf(xg, cg, yg, layout);
                ctx.Gpu.SlafBackward(xg, cg, ToGpu(dy), dxg, dcg, layout);
                double eps = Eps(dtype);
                return new ParityCheck($"Slaf {Name(dtype)}", "x [3, 5, 37], coefficients [5, 4]")
                    .Compare("y", yc, yg, 16 * eps, 16 * eps).Compare("dx", dxc, dxg, 16 * eps, 16 * eps)
                    .Compare("dcoefficients", dcc, dcg, 64 * eps * 111, 8 * eps).Result();
            }));
            cases.Add(new($"maxout 3 pieces [2, 12, 37] {Name(dtype)}", "Maxout/MaxoutBackward", ctx =>
            {
                var x = RandCoarse([2, 12, 37], dtype, -2, 2, 360);
                var dy = Rand([2, 4, 37], dtype, -1, 1, 361);
                var (yc, ic, dxc) = (CpuEmpty([2, 4, 37], dtype), CpuEmpty([2, 4, 37], DType.Int32), CpuEmpty([2, 12, 37], dtype));
                var (yg, ig, dxg) = (ctx.GpuPoisoned([2, 4, 37], dtype), ctx.GpuPoisoned([2, 4, 37], DType.Int32), ctx.GpuPoisoned([2, 12, 37], dtype));
                ctx.Cpu.Maxout(x, yc, ic, 3, 2, 4, 37);
                ctx.Cpu.MaxoutBackward(dy, ic, dxc, 3, 2, 4, 37);
                ctx.Gpu.Maxout(ToGpu(x), yg, ig, 3, 2, 4, 37);
                ctx.Gpu.MaxoutBackward(ToGpu(dy), ig, dxg, 3, 2, 4, 37);
                return new ParityCheck($"Maxout {Name(dtype)}", "[2, 12, 37] -> [2, 4, 37]")
                    .Compare("y", yc, yg, 0, 0).Compare("argmax", ic, ig, 0, 0).Compare("dx", dxc, dxg, 0, 0).Result();
            }));
        }

        // The PAU through the Engine's API, against CpuBackend's own PAU kernels.
        foreach (var version in Enum.GetValues<PauVersion>())
            foreach (var dtype in Floats)
                foreach (var (label, lay, noisy) in new[] { ("shared [100003]", new ChannelLayout(1, 1, 100003), false), ("per-channel [4, 6, 65]", new ChannelLayout(4, 6, 65), false), ("shared noise [20011]", new ChannelLayout(1, 1, 20011), true) })
                    cases.Add(new($"pau cpu-twin {version} {label} {Name(dtype)}", "PauForward/PauBackward (Engine API)", ctx =>
                    {
                        int channels = lay.Channels, nb = version == PauVersion.C ? 5 : 4;
                        int[] shape = [(int)lay.Outer, channels, (int)lay.Inner];
                        var x = Rand(shape, dtype, -3, 3, 370);
                        var dy = Rand(shape, dtype, -1, 1, 371);
                        var a = Rand([channels, 6], dtype, -1, 1, 372);
                        var b = Rand([channels, nb], dtype, -1, 1, 373);
                        var noise = noisy || version == PauVersion.D ? new PauNoise(0.1, 99, 3) : PauNoise.None;
                        var (yc, dxc, dac, dbc) = (CpuEmpty(shape, dtype), CpuEmpty(shape, dtype), CpuEmpty([channels, 6], dtype), CpuEmpty([channels, nb], dtype));
                        var (yg, dxg, dag, dbg) = (ctx.GpuPoisoned(shape, dtype), ctx.GpuPoisoned(shape, dtype), ctx.GpuPoisoned([channels, 6], dtype), ctx.GpuPoisoned([channels, nb], dtype));
                        ctx.Cpu.PauForward(x, a, b, yc, version, lay, noise);
                        ctx.Cpu.PauBackward(x, dy, a, b, dxc, dac, dbc, version, lay, noise);
                        var (xg, ag, bg) = (ToGpu(x), ToGpu(a), ToGpu(b));
                        ctx.Gpu.PauForward(xg, ag, bg, yg, version, lay, noise);
                        ctx.Gpu.PauBackward(xg, ToGpu(dy), ag, bg, dxg, dag, dbg, version, lay, noise);
                        // Polynomials of degree 5 at |x| ≤ 3 cancel: errors scale with their largest terms (~3^5), more
                        // with the small denominators of versions B-D; sums over the channel's elements.
                        double eps = Eps(dtype), scale = version == PauVersion.A ? 256 : 4096, m = lay.Outer * lay.Inner;
                        return new ParityCheck($"PAU {version} {Name(dtype)}{(noise.IsActive ? " noise" : "")}", $"x {Shapes.Format(shape)}")
                            .Compare("y", yc, yg, scale * eps, 64 * eps).Compare("dx", dxc, dxg, 4 * scale * eps, 64 * eps)
                            .Compare("da", dac, dag, scale * eps * m, 64 * eps).Compare("db", dbc, dbg, scale * eps * m, 64 * eps).Result();
                    }));
    }
}
