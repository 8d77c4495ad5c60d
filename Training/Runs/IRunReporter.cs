using Pade.Training.Loop;

namespace Pade.Training.Runs;

/// <summary>What a <see cref="TrainingRun"/> tells the outside world while it works (the CLI draws progress bars
/// from it; tests use <see cref="SilentReporter"/>).</summary>
public interface IRunReporter
{
    void RunStarted(TrainingRun run);
    void EpochStarted(int epoch, int epochs, int batches, long samples);
    void BatchDone(int batch, int batches, long samplesSoFar, double runningLoss);
    void Evaluating(int epoch);
    void EpochDone(EpochResult result, bool isBest);
    void Message(string text);
}

public sealed class SilentReporter : IRunReporter
{
    public static readonly SilentReporter Instance = new();
    public void RunStarted(TrainingRun run) { }
    public void EpochStarted(int epoch, int epochs, int batches, long samples) { }
    public void BatchDone(int batch, int batches, long samplesSoFar, double runningLoss) { }
    public void Evaluating(int epoch) { }
    public void EpochDone(EpochResult result, bool isBest) { }
    public void Message(string text) { }
}
