using System.CommandLine;
using Spectre.Console;
using Pade.Training.Checkpoints;
using Pade.Training.Runs;

namespace Pade.Training.Cli;

/// <summary>`pade train`: one training run (see <see cref="TrainingRun"/>).</summary>
public static class TrainCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("train", "Train a network (default: LeNet-PAU on the embedded MNIST).").With("""
            Train a network and write runs/NAME/: metrics.csv, summary.json, checkpoints/last and best, loss.png, accuracy.png.
            With no options: LeNet with PAU on the embedded MNIST, Adam (lr 0.004, cosine schedule), batch 256, 3 epochs.
            PAU coefficients form their own parameter group (--pau-lr, no weight decay, no schedule), as the paper's A.4.1.
            A NaN or infinite loss stops the run with exit code 3, naming the step.

            Examples:
              pade train
              pade train --act relu --epochs 10 --out runs/lenet-relu
              pade train --data fashion --model vgg8 --opt sgd --lr 0.01 --momentum 0.9
              pade train --model vgg8-cifar --data cifar10 --data-dir ~/data --opt sgd --lr 0.02 --pau-lr 0.002 --schedule exp:0.985 --weight-decay 5e-4
              pade train --limit 2000 --epochs 2            (a quick smoke run)
              pade train --resume runs/lenet-pau-mnist --epochs 6
            """);
        var options = new TrainOptions();
        options.AddTo(cmd);
        var output = new Option<string?>("--out") { Description = "Run folder [default: runs/MODEL-ACT-DATA, numbered if taken]" };
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue the run in this folder (or checkpoint) with its stored config; --epochs, --threads, --device, --data-dir and --out may override",
        };
        cmd.Add(output);
        cmd.Add(resume);
        cmd.SetAction(p => Execute(ctx, p, options, output, resume));
        return cmd;
    }

    static int Execute(CliContext ctx, ParseResult p, TrainOptions o, Option<string?> output, Option<string?> resume)
    {
        LoadedCheckpoint? ck = null;
        RunConfig config;
        string outDir;
        if (p.GetValue(resume) is string from)
        {
            ck = Checkpoint.Load(from);
            config = ck.State.Config;
            if (TrainOptions.Given(p, o.Epochs)) config = config with { Epochs = p.GetValue(o.Epochs) };
            if (TrainOptions.Given(p, o.Threads)) config = config with { Threads = p.GetValue(o.Threads) };
            if (TrainOptions.Given(p, o.Device)) config = config with { Device = p.GetValue(o.Device)! };
            if (TrainOptions.Given(p, o.DataDir)) config = config with { DataDir = p.GetValue(o.DataDir) };
            PadeCli.Check(() => { TrainingRun.Validate(config.Resolve()); return 0; });
            if (ck.State.Epoch >= config.Epochs)
                throw new UsageException($"the checkpoint in '{ck.Directory}' has already completed {ck.State.Epoch} of {config.Epochs} epochs; pass a larger --epochs to continue");
            outDir = p.GetValue(output) ?? RunFolderOf(ck.Directory);
        }
        else
        {
            config = o.Read(p);
            outDir = p.GetValue(output) ?? RunFolders.Fresh(Path.Combine("runs", config.Resolve().Label));
        }
        return Train(ctx, config, outDir, new RunOptions { Resume = ck });
    }

    /// <summary>Runs training with progress display; the entry point tests call with their own options.</summary>
    public static int Train(CliContext ctx, RunConfig config, string outDir, RunOptions options)
    {
        var history = ProgressReporter.Show(ctx, reporter =>
        {
            var run = new TrainingRun(config, outDir, options with { Reporter = reporter });
            return run.Run();
        });
        if (history.Count > 0)
        {
            var best = history.MaxBy(h => h.TestTop1)!;
            ctx.Out.WriteLine($"done: test top-1 {100 * history[^1].TestTop1:F2}% (best {100 * best.TestTop1:F2}% at epoch {best.Epoch}), " +
                                   $"{history.Sum(h => h.Seconds):F1} s training; files in {Path.GetFullPath(outDir)}");
        }
        return PadeCli.Ok;
    }

    /// <summary>The run folder of a checkpoint folder (runs/NAME for runs/NAME/checkpoints/last).</summary>
    public static string RunFolderOf(string checkpointDir)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(checkpointDir));
        return parent is not null && Path.GetFileName(parent) == "checkpoints" ? Path.GetDirectoryName(parent)! : checkpointDir;
    }
}

/// <summary>Names for new run folders.</summary>
public static class RunFolders
{
    /// <summary><paramref name="path"/> if it does not exist (or is empty), else path-2, path-3, ...</summary>
    public static string Fresh(string path)
    {
        static bool Free(string p) => !Directory.Exists(p) || !Directory.EnumerateFileSystemEntries(p).Any();
        if (Free(path)) return path;
        for (int i = 2; ; i++)
            if (Free($"{path}-{i}")) return $"{path}-{i}";
    }
}
