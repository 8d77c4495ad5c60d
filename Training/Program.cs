using Pade.Kernels;
using Pade.Training.Gpu;

namespace Pade.Training;

/// <summary>The `pade` command-line trainer (the full command line arrives with the CLI issue; until then only
/// the GPU commands are wired).</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        // Tensors on `cuda` find their backend through this resolver; nothing is opened until one is asked for.
        CudaBackend.Register();
        switch (args)
        {
            case ["gpu", "check", .. var rest] when rest.Contains("--compile-only"):
                return GpuCheck.CompileOnly(Console.Out);
            case ["gpu", "check", .. var rest]:
                return GpuCheck.Run(Console.Out, Option(rest, "--out") ?? "gpu-check.md", Option(rest, "--filter"));
            case ["bench", "gpu", .. var rest]:
                return GpuBench.Run(Console.Out, Option(rest, "--out") ?? "gpu-bench.md");
            default:
                Console.WriteLine("pade: a deep-learning engine for Padé Activation Units");
                Console.WriteLine("commands: pade gpu check [--out FILE.md] [--filter TEXT] [--compile-only] | pade bench gpu [--out FILE.md]");
                return 0;
        }
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
