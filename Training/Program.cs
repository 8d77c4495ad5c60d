using Pade.Kernels;
using Pade.Training.Cli;

namespace Pade.Training;

/// <summary>The `pade` command-line trainer; every command is described by `pade --help`.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        // Tensors on `cuda` find their backend through this resolver; nothing is opened until one is asked for.
        CudaBackend.Register();
        return PadeCli.Run(args);
    }
}
