using System.CommandLine;
using System.Diagnostics;
using Pade.Datasets;
using Pade.Engine;
using Pade.Training.Checkpoints;
using Pade.Training.Loop;
using Pade.Training.Runs;
using Spectre.Console;

namespace Pade.Training.Cli;

/// <summary>`pade eval CHECKPOINT`: rebuilds the model from the checkpoint's config and measures it on the test set.</summary>
public static class EvalCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("eval", "Evaluate a checkpoint on its data set's test images: loss, top-1 and top-5 accuracy.").With("""
            CHECKPOINT is a run folder (uses checkpoints/last), a checkpoint folder, or its model.safetensors.

            Examples:
              pade eval runs/lenet-pau-mnist
              pade eval runs/lenet-pau-mnist/checkpoints/best --threads 2
            """);
        var path = new Argument<string>("CHECKPOINT") { Description = "Run folder, checkpoint folder or model.safetensors" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder of the data set [default: the one the run used]" };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N test images" };
        var batch = new Option<int>("--batch") { Description = "Evaluation batch size", DefaultValueFactory = _ => 1000 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for the kernels" };
        var device = new Option<string>("--device") { Description = "cpu | cuda", DefaultValueFactory = _ => "cpu" };
        cmd.Add(path);
        cmd.Add(dataDir);
        cmd.Add(limit);
        cmd.Add(batch);
        cmd.Add(threads);
        cmd.Add(device);
        cmd.SetAction(p =>
        {
            if (p.GetValue(batch) < 1) throw new UsageException($"--batch must be at least 1, got {p.GetValue(batch)}");
            if (p.GetValue(threads) is int t) CpuBackend.Threads = t >= 1 ? t : throw new UsageException($"--threads must be at least 1, got {t}");
            var result = Evaluate(p.GetValue(path)!, p.GetValue(dataDir), p.GetValue(limit), p.GetValue(batch), p.GetValue(device)!);
            Print(ctx, result);
            return PadeCli.Ok;
        });
        return cmd;
    }

    public sealed record EvalResult(string Checkpoint, RunConfig Config, int Epoch, long Images, double Loss, double Top1, double Top5, double Seconds);

    public static EvalResult Evaluate(string checkpoint, string? dataDir, int? limit, int batch, string device)
    {
        var ck = Checkpoint.Load(checkpoint);
        var config = ck.State.Config.Resolve();
        var dev = PadeCli.Check(() => DeviceSetup.Prepare(device));
        var data = DatasetCatalog.Load(config.Data, dataDir ?? config.DataDir);
        var test = limit is int n ? data.Test.Take(n) : data.Test;
        var (model, _) = TrainingRun.BuildModel(config, data.Test.Channels, data.Test.Classes);
        model.LoadStateDict(ck.Model);
        if (dev != Device.Cpu) model.To(dev);
        var loader = new DataLoader(test, new DataLoaderOptions
        {
            BatchSize = batch, Normalization = DatasetCatalog.Normalization(config.Data), Device = dev,
        });
        var sw = Stopwatch.StartNew();
        model.Eval();
        var m = new Metrics();
        using (Tensor.NoGrad())
            foreach (var (x, y) in loader.Epoch(0))
            {
                var logits = model.Forward(x);
                m.Add(logits, y, Tensor.CrossEntropy(logits, y).Item());
            }
        return new EvalResult(ck.Directory, config, ck.State.Epoch, m.Samples, m.Loss, m.Top1, m.Top5, sw.Elapsed.TotalSeconds);
    }

    static void Print(CliContext ctx, EvalResult r)
    {
        var table = new Table().AddColumn("checkpoint").AddColumn("epoch").AddColumn("images")
            .AddColumn(new TableColumn("loss").RightAligned()).AddColumn(new TableColumn("top-1").RightAligned())
            .AddColumn(new TableColumn("top-5").RightAligned()).AddColumn(new TableColumn("seconds").RightAligned());
        table.AddRow(Markup.Escape(r.Config.Label), r.Epoch.ToString(), r.Images.ToString("N0"), r.Loss.ToString("F4"),
            $"{100 * r.Top1:F2}%", $"{100 * r.Top5:F2}%", r.Seconds.ToString("F2"));
        ctx.Console.MarkupLine($"[grey]{Markup.Escape(r.Checkpoint)}[/]");
        ctx.Console.Write(table);
    }
}
