using System.Diagnostics;

namespace Pade.Tests.Cli;

/// <summary>The built `pade` (pade.dll beside the tests) as a child process: for what needs a process of its own
/// (no CUDA driver, a kill, two shards at once).</summary>
public static class PadeProcess
{
    /// <summary>Starts `pade ARGS` with extra environment variables, stdout and stderr redirected.</summary>
    public static Process Start(IEnumerable<string> args, params (string Name, string Value)[] environment)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pade.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return Process.Start(start)!;
    }

    /// <summary>Runs `pade ARGS` to the end: exit code and stdout followed by stderr.</summary>
    public static (int Code, string Output) Run(IEnumerable<string> args, params (string Name, string Value)[] environment)
    {
        using var process = Start(args, environment);
        return Finish(process);
    }

    /// <summary>Waits for a started process: exit code and stdout followed by stderr.</summary>
    public static (int Code, string Output) Finish(Process process)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }
}
