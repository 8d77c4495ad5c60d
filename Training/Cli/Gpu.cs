namespace Pade.Training.Cli;

/// <summary>What `pade info` says about CUDA.</summary>
static class Gpu
{
    public static IEnumerable<(string Key, string Value)> Describe() => StandIns.StandInGpu.Describe();
}
