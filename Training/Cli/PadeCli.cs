using System.CommandLine;
using System.CommandLine.Help;
using Pade.Datasets;
using Pade.Engine.IO;
using Pade.Training.Loop;
using Spectre.Console;

namespace Pade.Training.Cli;

/// <summary>A bad command line or option value: one line on stderr, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Where a command writes: a Spectre console for tables and progress, plain writers for the rest.</summary>
public sealed class CliContext(IAnsiConsole console, TextWriter output, TextWriter error)
{
    public IAnsiConsole Console { get; } = console;
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;
}

/// <summary>
/// The `pade` command line: the root command and its subcommands, and the mapping from failures to exit codes.
/// </summary>
/// <remarks>
/// Exit codes: 0 success; 1 a failure at run time (missing data, unreadable checkpoint, ...); 2 a bad command line
/// (unknown option, bad value) — one line on stderr; 3 training diverged (NaN/Inf loss), naming the step.
/// </remarks>
public static class PadeCli
{
    public const int Ok = 0, Failure = 1, Usage = 2, Diverged = 3;

    /// <summary>Runs `pade` with <paramref name="args"/>; writers default to the process's console.</summary>
    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= System.Console.Out;
        error ??= System.Console.Error;
        var console = ReferenceEquals(output, System.Console.Out)
            ? AnsiConsole.Console
            : AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(output),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            });
        return Run(args, new CliContext(console, output, error));
    }

    public static int Run(string[] args, CliContext ctx)
    {
        var root = BuildRoot(ctx);
        var parse = root.Parse(args);
        bool help = CommandHelp.IsHelp(parse.Action);
        if (parse.Errors.Count > 0 && !help)
        {
            string command = parse.CommandResult.Command is RootCommand ? "pade" : $"pade {CommandPath(parse.CommandResult.Command)}";
            ctx.Error.WriteLine($"pade: {OneLine(parse.Errors[0].Message)} (see '{command} --help')");
            return Usage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration
            {
                Output = ctx.Out,
                Error = ctx.Error,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (UsageException e)
        {
            ctx.Error.WriteLine($"pade: {OneLine(e.Message)}");
            return Usage;
        }
        catch (NonFiniteLossException e)
        {
            ctx.Error.WriteLine($"pade: {e.Message}");
            return Diverged;
        }
        catch (Exception e) when (e is DatasetNotFoundException or DatasetFormatException or SafetensorsFormatException
                                       or FileNotFoundException or DirectoryNotFoundException or FormatException
                                       or NotSupportedException or IOException or InvalidOperationException
                                       or Pade.Layers.Onnx.OnnxExportException)
        {
            ctx.Error.WriteLine($"pade: {e.Message}");
            return Failure;
        }
    }

    /// <summary>Collapses a multi-line message (System.CommandLine lists allowed values one per line) into one line.</summary>
    static string OneLine(string message) =>
        string.Join(' ', message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    static string CommandPath(Command c)
    {
        var names = new List<string>();
        for (Symbol? s = c; s is Command cmd && s is not RootCommand; s = cmd.Parents.FirstOrDefault()) names.Insert(0, cmd.Name);
        return string.Join(' ', names);
    }

    public static RootCommand BuildRoot(CliContext ctx)
    {
        var root = new RootCommand("""
            pade: train networks with Padé Activation Units (Molina et al., ICLR 2020) on a from-scratch C# engine.

            Examples:
              pade train                                   LeNet-PAU on the embedded MNIST, 3 epochs
              pade train --model vgg8-cifar --data cifar10 --data-dir ~/data --opt sgd --lr 0.02 --pau-lr 0.002
              pade eval runs/lenet-pau-mnist
              pade export runs/lenet-pau-mnist --onnx lenet-pau.onnx
              pade plot activations --out docs/img
              pade fit --target tanh
              pade compare --epochs 5 --seeds 2 --limit 10000
              pade info
              pade gpu check --out bench/results/gpu-check.md
            """);
        var train = TrainCommand.Create(ctx);
        root.Add(train);
        root.Add(EvalCommand.Create(ctx));
        root.Add(InfoCommand.Create(ctx));
        root.Add(PlotCommand.Create(ctx));
        root.Add(FitCommand.Create(ctx));
        root.Add(CompareCommand.Create(ctx));
        root.Add(PruneCommand.Create(ctx));
        root.Add(ExportCommand.Create(ctx));
        root.Add(GpuCommand.CreateGpu(ctx));
        root.Add(GpuCommand.CreateBench(ctx));
        root.SetAction(p => new HelpAction().Invoke(p));
        CommandHelp.Install(root);
        return root;
    }

    /// <summary>Runs an argument check, turning its <see cref="ArgumentException"/> into a usage error.</summary>
    public static T Check<T>(Func<T> f)
    {
        try { return f(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }
}
