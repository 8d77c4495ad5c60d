using Pade.Engine.Functional;
using System.CommandLine;
using System.Globalization;
using Pade.Layers.Activations;
using Spectre.Console;

namespace Pade.Training.Cli;

/// <summary>`pade fit`: PAU coefficients approximating target functions, laid out as the paper's Table 6.</summary>
public static class FitCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("fit", "Fit PAU coefficients to target functions (the paper's Table 6).").With("""
            Fits a PAU P(x)/Q(x) of degrees (m, n) to each target by least squares on [-3, 3] (PauFit: a linearised
            start, then Levenberg-Marquardt) and prints one column per target, as the paper's Table 6, with the
            maximum error on [-3, 3]. Targets are activation specs, evaluated by the activation modules themselves.
            An odd target (tanh, ...) gets an odd numerator and an even denominator unless --no-symmetry.

            Examples:
              pade fit --target tanh
              pade fit --target relu,lrelu:0.01,lrelu:0.2,sigmoid,swish
              pade fit --target gelu --m 6 --n 5 --version B
            """);
        var target = new Option<string>("--target") { Description = "Target activation(s), comma-separated: tanh | sigmoid | swish | relu | lrelu:SLOPE | gelu | elu | ...", DefaultValueFactory = _ => "lrelu:0.01" };
        var m = new Option<int>("--m") { Description = "Numerator degree", DefaultValueFactory = _ => 5 };
        var n = new Option<int>("--n") { Description = "Denominator degree", DefaultValueFactory = _ => 4 };
        var version = new Option<string>("--version") { Description = "Denominator: A (safe, the paper's) | B | C | D", DefaultValueFactory = _ => "A" };
        var noSymmetry = new Option<bool>("--no-symmetry") { Description = "Do not constrain odd targets to an odd numerator / even denominator" };
        cmd.Add(target);
        cmd.Add(m);
        cmd.Add(n);
        cmd.Add(version);
        cmd.Add(noSymmetry);
        version.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, "A", "B", "C", "D");
        cmd.SetAction(p =>
        {
            int dm = p.GetValue(m), dn = p.GetValue(n);
            if (dm is < 0 or > 12) throw new UsageException($"--m must lie in [0, 12], got {dm}");
            if (dn is < 0 or > 12) throw new UsageException($"--n must lie in [0, 12], got {dn}");
            var v = (PauVersion)(char.ToUpperInvariant(p.GetValue(version)![0]) - 'A');
            var targets = p.GetValue(target)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (targets.Length == 0) throw new UsageException("--target names no function");
            var fits = targets.Select(t => PadeCli.Check(() => Fitting.Fit(t, dm, dn, v, !p.GetValue(noSymmetry)))).ToList();
            ctx.Console.Write(Table(fits, dm, dn, v));
            return PadeCli.Ok;
        });
        return cmd;
    }

    static Table Table(List<FitResult> fits, int m, int n, PauVersion v)
    {
        var table = new Table().AddColumn("coef");
        foreach (var f in fits) table.AddColumn(new TableColumn(Markup.Escape(f.Target)).RightAligned());
        for (int j = 0; j <= m; j++) table.AddRow([$"a{j}", .. fits.Select(f => F(f.Numerator[j]))]);
        int offset = v == PauVersion.C ? 0 : 1;   // version C has b_0
        int rows = fits[0].Denominator.Length;
        for (int k = 0; k < rows; k++) table.AddRow([$"b{k + offset}", .. fits.Select(f => F(f.Denominator[k]))]);
        table.AddRow(["max error", .. fits.Select(f => E(f.MaxError))]);
        table.Caption(Markup.Escape($"PAU version {v}, orders [{m},{n}], least squares on [{fits[0].Low}, {fits[0].High}]"));
        return table;
    }

    static string F(double v) => v.ToString("F8", CultureInfo.InvariantCulture);

    /// <summary>Errors span many magnitudes (tanh 3e-6, ReLU 0.03): small ones in scientific notation.</summary>
    static string E(double v) => v.ToString(v != 0 && Math.Abs(v) < 1e-3 ? "0.00E+00" : "F8", CultureInfo.InvariantCulture);
}
