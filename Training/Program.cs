using Pade.Training.Cli;

namespace Pade.Training;

/// <summary>The `pade` command-line trainer; every command is described by `pade --help`.</summary>
public static class Program
{
    public static int Main(string[] args) => PadeCli.Run(args);
}
