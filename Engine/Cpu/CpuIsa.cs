using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pade.Engine.Cpu;

/// <summary>
/// Which vector kernels this machine runs. The kernels are written for 512-bit vectors (<see cref="Vector512{T}"/>).
/// On a machine with AVX2 and FMA but no AVX-512 the JIT runs those in software, as two 256-bit halves: fine for
/// short streaming loops (ReLU, a reduction), not for kernels that keep many vectors live, which it then keeps in
/// memory. The register-blocked tiles (GEMM, direct conv: 16 zmm accumulators would be 32 ymm of the 16 there are),
/// the Philox rounds, the float exponential, the 2x2 max pool and the packing transposes have 256-bit forms of their
/// own (docs/cpu-backend.md, "Machines without AVX-512"). Only a machine with neither runs the scalar loops.
/// </summary>
public static class CpuIsa
{
    /// <summary>512-bit vectors in hardware (AVX-512F).</summary>
    public static bool Avx512 => Vector512.IsHardwareAccelerated && !Force256;

    /// <summary>256-bit vectors with FMA (AVX2 + FMA), the register kernels' second set.</summary>
    public static bool Avx2 => Vector256.IsHardwareAccelerated && Fma.IsSupported;

    /// <summary>Whether <see cref="Vector512{T}"/> code runs at vector speed, natively or as two 256-bit halves.</summary>
    public static bool Vectors => Vector512.IsHardwareAccelerated || Avx2;

    /// <summary>Tests only: run the 256-bit register kernels on an AVX-512 machine, to check them against the
    /// reference where AVX2 machines are not at hand.</summary>
    internal static bool Force256 { get; set; }

    /// <summary>One line for logs and benchmark headers.</summary>
    public static string Describe() =>
        Vector512.IsHardwareAccelerated ? "AVX-512 (512-bit kernels)"
        : Avx2 ? "AVX2 + FMA, no AVX-512 (256-bit register kernels; other loops as 2 x 256-bit)"
        : "no AVX2/AVX-512 (scalar reference loops)";
}
