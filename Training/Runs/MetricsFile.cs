using System.Globalization;
using System.Text;
using System.Text.Json;
using Pade.Training.Checkpoints;
using Pade.Training.Loop;

namespace Pade.Training.Runs;

/// <summary>
/// metrics.csv: one row per epoch (1-based), the numbers `pade plot run` draws.
/// <code>
/// epoch,train_loss,train_acc,test_loss,test_top1,test_top5,seconds,samples_per_s,lr
/// </code>
/// Accuracies are fractions in [0, 1]; seconds is the training time of the epoch (evaluation excluded);
/// lr is the main parameter group's rate during the epoch.
/// </summary>
public static class MetricsFile
{
    public const string Header = "epoch,train_loss,train_acc,test_loss,test_top1,test_top5,seconds,samples_per_s,lr";

    /// <summary>Rewrites the whole file from the history (atomically, so a crash never leaves half a row).</summary>
    public static void Write(string path, IEnumerable<EpochResult> rows)
    {
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var r in rows)
            sb.Append(string.Join(',',
                r.Epoch.ToString(CultureInfo.InvariantCulture), F(r.TrainLoss), F(r.TrainTop1), F(r.TestLoss),
                F(r.TestTop1), F(r.TestTop5), F(r.Seconds), F(r.SamplesPerSecond), F(r.Lr))).Append('\n');
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Reads a metrics.csv; the message names the file, line and column of a bad value.</summary>
    public static List<EpochResult> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != Header)
            throw new FormatException($"{path}: line 1 must be the header '{Header}'");
        var columns = Header.Split(',');
        var rows = new List<EpochResult>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            var f = lines[i].Split(',');
            if (f.Length != columns.Length)
                throw new FormatException($"{path}: line {i + 1} has {f.Length} fields, expected {columns.Length} ({Header})");
            double D(int k) => double.TryParse(f[k], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
                : throw new FormatException($"{path}: line {i + 1}, column {columns[k]}: '{f[k]}' is not a number");
            rows.Add(new EpochResult((int)D(0), D(1), D(2), D(3), D(4), D(5), D(6), D(7), D(8)));
        }
        return rows;
    }

    public static void WriteJson(Utf8JsonWriter w, EpochResult r)
    {
        w.WriteStartObject();
        w.WriteNumber("epoch", r.Epoch);
        Json.WriteDouble(w, "train_loss", r.TrainLoss);
        Json.WriteDouble(w, "train_acc", r.TrainTop1);
        Json.WriteDouble(w, "test_loss", r.TestLoss);
        Json.WriteDouble(w, "test_top1", r.TestTop1);
        Json.WriteDouble(w, "test_top5", r.TestTop5);
        Json.WriteDouble(w, "seconds", r.Seconds);
        Json.WriteDouble(w, "samples_per_s", r.SamplesPerSecond);
        Json.WriteDouble(w, "lr", r.Lr);
        w.WriteEndObject();
    }

    public static EpochResult ReadJson(JsonElement e, string source)
    {
        double D(string k) => Json.Double(e, k, source) ?? double.NaN;
        return new EpochResult(Json.Int(e, "epoch", source) ?? 0, D("train_loss"), D("train_acc"), D("test_loss"),
            D("test_top1"), D("test_top5"), D("seconds"), D("samples_per_s"), D("lr"));
    }
}
