namespace Pade.Training;

/// <summary>The `pade` command-line trainer (commands arrive with the CLI issue).</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine("pade: a deep-learning engine for Padé Activation Units");
        return 0;
    }
}
