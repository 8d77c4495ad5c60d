using System.Globalization;
using Pade.Training.Loop;
using Pade.Training.Runs;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Pade.Training.Cli;

/// <summary>Images per second of a progress task (Spectre's own speed estimate over the last samples).</summary>
sealed class SamplesPerSecondColumn : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
        new Text(task.Speed is double s && s > 0 ? $"{s.ToString("N0", CultureInfo.InvariantCulture)} img/s" : "", Style.Plain);
}

/// <summary>
/// Draws a training run on the console: a header, one progress bar per epoch (images done, img/s, elapsed,
/// ETA, running loss) and one summary line per finished epoch.
/// </summary>
public sealed class ProgressReporter(CliContext ctx, ProgressContext? progress) : IRunReporter
{
    ProgressTask? _task;
    int _epochs;

    /// <summary>Runs <paramref name="body"/> inside a live progress display (or without one when the console is
    /// not interactive: then only the header and the epoch lines are printed).</summary>
    public static T Show<T>(CliContext ctx, Func<IRunReporter, T> body)
    {
        if (!ctx.Console.Profile.Capabilities.Interactive)
            return body(new ProgressReporter(ctx, null));
        T result = default!;
        ctx.Console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new SamplesPerSecondColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(p => result = body(new ProgressReporter(ctx, p)));
        return result;
    }

    public void RunStarted(TrainingRun run)
    {
        var c = run.Config;
        long parameters = run.Model.ParameterCount(), actParameters = run.ActivationModules.Sum(a => a.ParameterCount());
        string lr = c.EffectivePauLr == c.EffectiveLr || actParameters == 0
            ? $"lr {c.EffectiveLr:G4}" : $"lr {c.EffectiveLr:G4} (activations {c.EffectivePauLr:G4})";
        Line($"[bold]{Markup.Escape(c.Label)}[/]: {run.Data.Train.Count:N0} train / {run.Data.Test.Count:N0} test images " +
             $"({Markup.Escape(run.Data.Source)}), {parameters:N0} parameters ({actParameters:N0} in activations)");
        Line($"{c.Opt} {lr}, batch {c.Batch}, schedule {Markup.Escape(c.Schedule)}, seed {c.Seed}, " +
             $"{Engine.CpuBackend.Threads} threads, {run.Device} -> {Markup.Escape(run.OutDir)}");
        if (run.StartEpoch > 0) Line($"resuming after epoch {run.StartEpoch} (step {run.CurrentState(run.StartEpoch).GlobalStep})");
        _epochs = c.Epochs;
    }

    public void EpochStarted(int epoch, int epochs, int batches, long samples)
    {
        if (progress is null) return;
        _task = progress.AddTask($"epoch {epoch + 1}/{epochs}", maxValue: samples);
    }

    long _reported;

    public void BatchDone(int batch, int batches, long samplesSoFar, double runningLoss)
    {
        if (_task is null) return;
        if (batch == 0) _reported = 0;
        _task.Increment(samplesSoFar - _reported);
        _reported = samplesSoFar;
        _task.Description = $"epoch {EpochOf(_task)}  loss {runningLoss:F4}";
    }

    static string EpochOf(ProgressTask t) => t.Description.Split(' ', 3)[1];

    public void Evaluating(int epoch)
    {
        if (_task is not null) _task.Description = $"epoch {EpochOf(_task)}  evaluating";
    }

    public void EpochDone(EpochResult r, bool isBest)
    {
        if (_task is not null)
        {
            _task.Description = $"epoch {r.Epoch}/{_epochs}  loss {r.TrainLoss:F4}";
            _task.StopTask();
        }
        Line(FormatEpoch(r, _epochs) + (isBest ? "  [green]best[/]" : ""));
    }

    /// <summary>The one-line summary of an epoch (also what the logs show).</summary>
    public static string FormatEpoch(EpochResult r, int epochs) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {r.Epoch}/{epochs}  train loss {r.TrainLoss:F4} acc {100 * r.TrainTop1:F2}%  |  test loss {r.TestLoss:F4} " +
        $"top1 {100 * r.TestTop1:F2}% top5 {100 * r.TestTop5:F2}%  |  {r.Seconds:F1} s  {r.SamplesPerSecond:N0} img/s  lr {r.Lr:G4}");

    public void Message(string text) => Line(Markup.Escape(text));

    /// <summary>With a live display, through Spectre (it keeps the bars below the text); otherwise plain lines,
    /// unwrapped, so logs keep one line per epoch.</summary>
    void Line(string markup)
    {
        if (progress is null) ctx.Out.WriteLine(markup.RemoveMarkup());
        else ctx.Console.MarkupLine(markup);
    }
}
