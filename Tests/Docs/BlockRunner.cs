using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Pade.Tests.Docs;

/// <summary>What a block did: compile errors, or its exit code, output and time.</summary>
public sealed record BlockRun(string? CompileErrors, int ExitCode, string Output, string Error, TimeSpan Elapsed);

/// <summary>
/// Compiles a doc block as the file-based app <c>dotnet run -c Release block.cs</c> would, and runs it.
/// </summary>
/// <remarks>
/// <c>dotnet run file.cs</c> builds a project per file (about 8 s each on the 2-core VM, more for Training's
/// references); the whole track would cost minutes. So the compiler runs in this process, once per block, against
/// the assemblies the tests were built with, and each block runs as its own process (<c>dotnet exec</c> with the
/// test assembly's dependency list, so ScottPlot's native library and the embedded MNIST resolve as they do for
/// <c>pade</c>). The references are exactly those a <c>#:project</c> directive brings (the project and what it
/// depends on, read from the test's deps.json), so a missing directive fails here as it would under
/// <c>dotnet run</c>. One test also runs a block through the real <c>dotnet run</c>.
/// </remarks>
public static class BlockRunner
{
    // The SDK's implicit usings for a console app (ImplicitUsings=enable, as in Directory.Build.props).
    const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    static readonly string Bin = AppContext.BaseDirectory;
    static readonly Lazy<MetadataReference[]> Framework = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
        .Where(p => p.Contains($"{Path.DirectorySeparatorChar}Microsoft.NETCore.App{Path.DirectorySeparatorChar}"))
        .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray());
    static readonly Lazy<JsonElement> Targets = new(() =>
    {
        var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(Bin, "Pade.Tests.deps.json"))).RootElement;
        return deps.GetProperty("targets").EnumerateObject().First().Value;
    });
    static readonly Dictionary<string, MetadataReference> Cache = [];

    /// <summary>The assembly files a library of the deps file brings, with those of its dependencies.</summary>
    static IEnumerable<string> Closure(string library)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var todo = new Stack<string>([library]);
        while (todo.TryPop(out var name))
        {
            if (!seen.Add(name)) continue;
            var entry = Targets.Value.EnumerateObject().FirstOrDefault(p => p.Name.StartsWith(name + "/", StringComparison.OrdinalIgnoreCase));
            if (entry.Value.ValueKind != JsonValueKind.Object)
                throw new InvalidOperationException($"'{name}' is not among the test assembly's dependencies (Tests/Tests.csproj references it?)");
            if (entry.Value.TryGetProperty("runtime", out var runtime))
                foreach (var file in runtime.EnumerateObject()) yield return Path.Combine(Bin, Path.GetFileName(file.Name));
            if (entry.Value.TryGetProperty("dependencies", out var deps))
                foreach (var d in deps.EnumerateObject()) if (!d.Name.EndsWith(".Reference", StringComparison.Ordinal)) todo.Push(d.Name);
        }
    }

    /// <summary>The assembly name a project file builds (its AssemblyName, or the file's name).</summary>
    static string AssemblyName(string csproj)
    {
        var m = Regex.Match(File.ReadAllText(csproj), "<AssemblyName>([^<]+)</AssemblyName>");
        return m.Success ? m.Groups[1].Value.Trim() : Path.GetFileNameWithoutExtension(csproj);
    }

    /// <summary>Compiles <paramref name="block"/> into <paramref name="dll"/>; returns the errors, or null.</summary>
    public static string? Compile(DocBlock block, string dll)
    {
        var refs = new List<MetadataReference>(Framework.Value);
        string folder = Path.GetDirectoryName(block.Markdown)!;
        foreach (var project in block.Projects)
        {
            string path = Path.GetFullPath(Path.Combine(folder, project));
            if (!File.Exists(path)) return $"#:project {project}: no such file ({path})";
            foreach (var file in Closure(AssemblyName(path)).Distinct())
            {
                if (!Cache.TryGetValue(file, out var r)) Cache[file] = r = MetadataReference.CreateFromFile(file);
                if (!refs.Contains(r)) refs.Add(r);
            }
        }
        var bad = block.Code.Split('\n').FirstOrDefault(l => l.StartsWith("#:", StringComparison.Ordinal)
            && !l.StartsWith("#:project ", StringComparison.Ordinal) && !l.StartsWith("#:property ", StringComparison.Ordinal));
        if (bad != null) return $"'{bad}': the doc test knows #:project and #:property only (reference a project of this repository instead)";

        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        // The directives become blank lines, so line numbers in errors are the block's.
        string code = string.Join("\n", block.Code.Split('\n').Select(l => l.StartsWith("#:", StringComparison.Ordinal) ? "" : l));
        var options = new CSharpCompilationOptions(OutputKind.ConsoleApplication, optimizationLevel: OptimizationLevel.Release,
                nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true)
            .WithGeneralDiagnosticOption(ReportDiagnostic.Error)                        // TreatWarningsAsErrors, as the repository builds
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress });  // the SDK's default NoWarn
        var compilation = CSharpCompilation.Create(Path.GetFileNameWithoutExtension(dll),
            [CSharpSyntaxTree.ParseText(code, parse, path: block.Name), CSharpSyntaxTree.ParseText(GlobalUsings, parse, path: "GlobalUsings.g.cs")],
            refs, options);
        var result = compilation.Emit(dll);
        if (result.Success) return null;
        File.Delete(dll);
        // Positions as the markdown's lines, so an editor jumps to the line of the document.
        return string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d =>
        {
            var at = d.Location.GetLineSpan().StartLinePosition;
            string where = d.Location.IsInSource ? $"{block.Markdown}:{block.Line + at.Line + 1}:{at.Character + 1}" : block.Markdown;
            return $"{where}: {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
        }));
    }

    /// <summary>Compiles and runs a block with <paramref name="workDir"/> as its current folder.</summary>
    public static BlockRun Run(DocBlock block, string workDir, TimeSpan timeout)
    {
        string dll = Path.Combine(Bin, $"docblock-{Regex.Replace(block.Name, "[^A-Za-z0-9]", "-")}.dll");
        var errors = Compile(block, dll);
        if (errors != null) return new BlockRun(errors, -1, "", "", TimeSpan.Zero);
        try
        {
            var psi = new ProcessStartInfo(DotNet, ["exec",
                "--runtimeconfig", Path.Combine(Bin, "Pade.Tests.runtimeconfig.json"),
                "--depsfile", Path.Combine(Bin, "Pade.Tests.deps.json"), dll])
            { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
            return Execute(psi, timeout);
        }
        finally { File.Delete(dll); }
    }

    /// <summary>Runs a process to its end (or kills it at <paramref name="timeout"/>), collecting its output.</summary>
    public static BlockRun Execute(ProcessStartInfo psi, TimeSpan timeout)
    {
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        var watch = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            return new BlockRun(null, -1, stdout.Result, $"killed after {timeout.TotalSeconds} s\n" + stderr.Result, watch.Elapsed);
        }
        return new BlockRun(null, p.ExitCode, stdout.Result, stderr.Result, watch.Elapsed);
    }

    /// <summary>The dotnet host running the tests (dotnet test sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    public static string DotNet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
