using Pade.Training.Loop;
using Pade.Training.Runs;
using ScottPlot;

namespace Pade.Training.Plots;

/// <summary>The PNG figures `pade` draws (ScottPlot 5 over SkiaSharp, no display needed).</summary>
public static class Charts
{
    public const int Width = 800, Height = 500;

    /// <summary>A line with no markers, labelled for the legend.</summary>
    public static ScottPlot.Plottables.Scatter Line(Plot plot, double[] xs, double[] ys, string label, float width = 2)
    {
        var s = plot.Add.Scatter(xs, ys);
        s.LegendText = label;
        s.MarkerSize = 0;
        s.LineWidth = width;
        return s;
    }

    /// <summary>Writes <c>loss.png</c> (train and test loss per epoch) and <c>accuracy.png</c> (train accuracy,
    /// test top-1 and top-5, in %) into <paramref name="dir"/>; returns the two paths.</summary>
    public static (string Loss, string Accuracy) RunCurves(IReadOnlyList<EpochResult> rows, string dir, string title)
    {
        Directory.CreateDirectory(dir);
        double[] epochs = rows.Select(r => (double)r.Epoch).ToArray();

        var loss = new Plot();
        Line(loss, epochs, rows.Select(r => r.TrainLoss).ToArray(), "train loss");
        Line(loss, epochs, rows.Select(r => r.TestLoss).ToArray(), "test loss");
        Decorate(loss, $"{title}: loss", "epoch", "cross-entropy");
        IntegerTicks(loss);
        string lossPath = Path.Combine(dir, "loss.png");
        loss.SavePng(lossPath, Width, Height);

        var acc = new Plot();
        Line(acc, epochs, rows.Select(r => 100 * r.TrainTop1).ToArray(), "train accuracy");
        Line(acc, epochs, rows.Select(r => 100 * r.TestTop1).ToArray(), "test top-1");
        Line(acc, epochs, rows.Select(r => 100 * r.TestTop5).ToArray(), "test top-5");
        Decorate(acc, $"{title}: accuracy", "epoch", "accuracy (%)");
        IntegerTicks(acc);
        string accPath = Path.Combine(dir, "accuracy.png");
        acc.SavePng(accPath, Width, Height);
        return (lossPath, accPath);
    }

    /// <summary>Epochs are whole numbers: no tick at 1.5.</summary>
    public static void IntegerTicks(Plot plot) =>
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };

    /// <summary>Title, axis labels and a legend in the upper right... or wherever ScottPlot finds room.</summary>
    public static void Decorate(Plot plot, string title, string xLabel, string yLabel)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.LowerRight);
    }

    /// <summary>One activation f and its derivative f' over <paramref name="xs"/>.</summary>
    public static void Activation(string path, string name, double[] xs, double[] f, double[] df)
    {
        var plot = new Plot();
        plot.Add.HorizontalLine(0, 1, Colors.Gray);
        plot.Add.VerticalLine(0, 1, Colors.Gray);
        Line(plot, xs, f, $"{name}(x)");
        Line(plot, xs, df, $"{name}'(x)").LinePattern = LinePattern.Dashed;
        Decorate(plot, name, "x", "");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Several curves over one x axis in one figure (all activations, or accuracy curves).</summary>
    public static void Overlay(string path, string title, string xLabel, string yLabel, double[] xs,
                               IEnumerable<(string Label, double[] Ys)> series, Alignment legend = Alignment.UpperLeft)
    {
        var plot = new Plot();
        // The palette has 10 colours and Table 2 has 13 activations: from the 11th line on the colours repeat, so
        // those lines are dashed to stay distinguishable in the legend.
        int index = 0;
        foreach (var (label, ys) in series)
        {
            var line = Line(plot, xs, ys, label, 1.5f);
            if (index++ >= plot.Add.Palette.Colors.Length) line.LinePattern = LinePattern.Dashed;
        }
        Decorate(plot, title, xLabel, yLabel);
        if (xLabel == "epoch") IntegerTicks(plot);
        plot.ShowLegend(legend);
        plot.SavePng(path, Width + 200, Height + 100);
    }

    /// <summary>A learned PAU next to its initial function, over the histogram of the inputs it saw.</summary>
    public static void Pau(string path, string title, double[] xs, double[] learned, double[] initial, Histogram? inputs)
    {
        var plot = new Plot();
        if (inputs is not null && inputs.Total > 0)
        {
            // The histogram on the right axis, as a density, so its height does not depend on the data set size.
            double total = inputs.Total, width = inputs.BinWidth;
            var bars = new List<Bar>();
            for (int i = 0; i < inputs.Counts.Length; i++)
            {
                double centre = inputs.Low + (i + 0.5) * width;
                if (centre < xs[0] || centre > xs[^1]) continue;
                bars.Add(new Bar { Position = centre, Value = inputs.Counts[i] / total / width, Size = width,
                    FillColor = Colors.SteelBlue.WithAlpha(0.35), LineWidth = 0 });
            }
            var barPlot = plot.Add.Bars(bars);
            barPlot.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "input density";
            string outside = inputs.Below + inputs.Above > 0
                ? $" ({100 * (inputs.Below + inputs.Above) / total:0.##}% outside [{inputs.Low}, {inputs.High}))" : "";
            barPlot.LegendText = "inputs seen (last eval pass)" + outside;
        }
        Line(plot, xs, initial, "initial").LinePattern = LinePattern.Dashed;
        Line(plot, xs, learned, "learned");
        Decorate(plot, title, "x", "F(x)");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, Width, Height);
    }
}
