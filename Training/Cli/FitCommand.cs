using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Pade.Training.Cli;

/// <summary>`pade fit`: PAU coefficients approximating a target function (the paper's Table 6).</summary>
public static class FitCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("fit", "Fit PAU coefficients to a target function (the paper's Table 6).").With("""
            Fit PAU coefficients to a target activation by least squares on [-3, 3] (how the paper's Table 6 was made)
            and print them as a table, with the maximum error on [-3, 3].

            Examples:
              pade fit --target tanh
              pade fit --target lrelu:0.01 --m 5 --n 4 --version A
              pade fit --target swish --m 6 --n 5
            """);
        var target = new Option<string>("--target") { Description = "Function: tanh | sigmoid | swish | relu | lrelu:SLOPE | gelu | elu | ...", DefaultValueFactory = _ => "lrelu:0.01" };
        var m = new Option<int>("--m") { Description = "Numerator degree", DefaultValueFactory = _ => 5 };
        var n = new Option<int>("--n") { Description = "Denominator degree", DefaultValueFactory = _ => 4 };
        var version = new Option<string>("--version") { Description = "PAU denominator version: A (safe, the paper's) | B | C | D", DefaultValueFactory = _ => "A" };
        cmd.Add(target);
        cmd.Add(m);
        cmd.Add(n);
        cmd.Add(version);
        version.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, "A", "B", "C", "D");
        cmd.SetAction(p =>
        {
            int dm = p.GetValue(m), dn = p.GetValue(n);
            if (dm is < 0 or > 12) throw new UsageException($"--m must lie in [0, 12], got {dm}");
            if (dn is < 1 or > 12) throw new UsageException($"--n must lie in [1, 12], got {dn}");
            var fit = PadeCli.Check(() => Fitting.Fit(p.GetValue(target)!, dm, dn, p.GetValue(version)!.ToUpperInvariant()));
            var table = new Table().AddColumn("coef").AddColumn(new TableColumn(Markup.Escape(fit.Target)).RightAligned());
            for (int j = 0; j < fit.Numerator.Length; j++) table.AddRow($"a{j}", F(fit.Numerator[j]));
            for (int k = 0; k < fit.Denominator.Length; k++) table.AddRow($"b{k + 1}", F(fit.Denominator[k]));
            table.AddRow("[bold]max error[/]", F(fit.MaxError));
            table.Caption($"PAU version {fit.Version}, orders [{dm},{dn}], least squares on [{fit.Low}, {fit.High}]");
            ctx.Console.Write(table);
            return PadeCli.Ok;
        });
        return cmd;
    }

    static string F(double v) => v.ToString("F8", CultureInfo.InvariantCulture);
}
