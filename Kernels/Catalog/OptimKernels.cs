using static Pade.Kernels.Catalog.KernelParam;

namespace Pade.Kernels.Catalog;

/// <summary>cuda/optim.cu (fused optimizer steps) and cuda/random.cu (Philox tensors).</summary>
public static class OptimKernels
{
    public static readonly KernelFile File = new("optim.cu");

    public static readonly FloatKernel SgdStep = File.PerFloat("sgd_step", T =>
        [Ptr("p"), Ptr("g"), Ptr("buf"), I64("n"), T("lr"), T("momentum"), T("dampening"), T("wd"), I32("nesterov"), I32("maximize"), I32("first")]);

    public static readonly FloatKernel AdamStep = File.PerFloat("adam_step", T =>
        [Ptr("p"), Ptr("g"), Ptr("m"), Ptr("v"), Ptr("max_v"), I64("n"), T("b1"), T("b2"), T("step_size"), T("sqrt_bc2"), T("eps"),
         T("wd"), T("decay"), I32("decoupled"), I32("maximize")]);

    public static readonly FloatKernel RmspropStep = File.PerFloat("rmsprop_step", T =>
        [Ptr("p"), Ptr("g"), Ptr("square_avg"), Ptr("grad_avg"), Ptr("buf"), I64("n"), T("lr"), T("alpha"), T("one_minus_alpha"), T("w"),
         T("one_minus_w"), I32("lerp_low"), T("eps"), T("wd"), I32("decay"), T("momentum"), I32("maximize")]);

    public static readonly FloatKernel AdagradStep = File.PerFloat("adagrad_step", T =>
        [Ptr("p"), Ptr("g"), Ptr("sum"), I64("n"), T("clr"), T("eps"), T("wd"), I32("decay"), I32("maximize")]);

    public static readonly FloatKernel AdamaxStep = File.PerFloat("adamax_step", T =>
        [Ptr("p"), Ptr("g"), Ptr("m"), Ptr("u"), I64("n"), T("clr"), T("w"), T("one_minus_w"), I32("lerp_low"), T("b2"), T("eps"), T("wd"),
         I32("decay"), I32("maximize")]);
}

/// <summary>cuda/random.cu: uniform, normal and Bernoulli tensors (codes: <see cref="Engine.Distribution"/>).</summary>
public static class RandomKernels
{
    public static readonly KernelFile File = new("random.cu");

    public static readonly FloatKernel Random = File.PerFloat("random", _ =>
        [Ptr("y"), I64("n"), I32("dist"), U64("seed"), U64("offset"), F64("p1"), F64("p2")]);
}
