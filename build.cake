// Pade's build script: `dotnet tool restore && dotnet cake --target=Test` is the README's test command.
#nullable enable
var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var filter = Argument("filter", "");

Task("Build")
    .Does(() =>
{
    DotNetBuild("Engine.sln", new DotNetBuildSettings { Configuration = configuration });
});

Task("Test")
    .IsDependentOn("Build")
    .Does(() =>
{
    var results = MakeAbsolute(Directory("TestResults"));
    CleanDirectory(results);
    var settings = new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        ResultsDirectory = results,
        Loggers = new[] { "trx;LogFileName=tests.trx", "console;verbosity=minimal" },
    };
    if (!string.IsNullOrEmpty(filter)) settings.Filter = filter;
    Exception? failure = null;
    try { DotNetTest("Tests/Tests.csproj", settings); }
    catch (Exception e) { failure = e; }
    // On an AVX-512 machine the suite runs a second time with the runtime's AVX-512 off (DOTNET_EnableAVX512=0), so
    // the 256-bit kernels of AVX2 machines, and their bits, are tested on every CI host (docs/cpu-backend.md).
    if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && Argument("avx2-pass", "true") == "true")
    {
        settings.Loggers = new[] { "trx;LogFileName=tests-avx2.trx", "console;verbosity=minimal" };
        settings.EnvironmentVariables = new Dictionary<string, string?> { ["DOTNET_EnableAVX512"] = "0" };
        Information("The suite again with AVX-512 off (DOTNET_EnableAVX512=0): the AVX2 kernels");
        try { DotNetTest("Tests/Tests.csproj", settings); }
        catch (Exception e) { failure ??= e; }
    }

    // Totals from the TRX file, one line, so CI can read them whatever the runner printed before.
    int passed = 0, failed = 0, skipped = 0;
    // Per device: the op tests are named Op(cpu, ...) and Op(cuda, ...), so the log says how many ran where.
    var perDevice = new SortedDictionary<string, int[]>();
    foreach (var trx in GetFiles($"{results}/**/*.trx"))
    {
        var doc = System.Xml.Linq.XDocument.Load(trx.FullPath);
        foreach (var r in doc.Descendants().Where(e => e.Name.LocalName == "UnitTestResult"))
        {
            var outcome = (string?)r.Attribute("outcome") ?? "";
            int kind = outcome == "Passed" ? 0 : outcome == "NotExecuted" || outcome == "Inconclusive" ? 2 : 1;
            if (kind == 0) passed++;
            else if (kind == 2) skipped++;
            else failed++;
            var name = (string?)r.Attribute("testName") ?? "";
            if (name.StartsWith("Op(") && name.IndexOf(',') is int comma and > 3)
            {
                var device = name.Substring(3, comma - 3);
                if (!perDevice.ContainsKey(device)) perDevice[device] = new int[3];
                perDevice[device][kind]++;
            }
        }
    }
    foreach (var (device, n) in perDevice)
        Information("op tests on " + device + ": " + n[0] + " passed, " + n[1] + " failed, " + n[2] + " skipped");
    var where = GetFiles($"{results}/**/*.trx")
        .SelectMany(trx => System.Xml.Linq.XDocument.Load(trx.FullPath).Descendants().Where(e => e.Name.LocalName == "StdOut"))
        .SelectMany(e => e.Value.Split('\n')).FirstOrDefault(l => l.StartsWith("CUDA tests run on"));
    Information(where ?? "CUDA tests: none ran (no driver)");
    // The published binary and the Pade.Testing package are checked as part of the tests: a failure counts as
    // one failed test.
    try
    {
        CheckPublish();
        DotNetPack("Tests/Pade.Testing/Pade.Testing.csproj", new DotNetPackSettings
            { Configuration = configuration, OutputDirectory = $"{results}/pack" });
        if (!GetFiles($"{results}/pack/Pade.Testing.*.nupkg").Any()) throw new Exception("dotnet pack wrote no Pade.Testing package");
    }
    catch (Exception e)
    {
        Error($"publish check failed: {e.Message}");
        failed++;
        failure ??= e;
    }
    var totals = $"{passed} passed, {failed} failed, {skipped} skipped";
    System.IO.File.WriteAllText($"{results}/totals.txt", totals + "\n");
    Information(totals);
    if (failure != null || failed > 0) throw new Exception($"Tests failed: {totals}");
});

Task("Bench")
    .Does(() =>
{
    // The benchmarks live in their own solution so the engine's build and tests never restore libtorch.
    DotNetBuild("bench/Bench.sln", new DotNetBuildSettings { Configuration = "Release" });
    DotNetRun("bench/Pade.Bench/Pade.Bench.csproj", new ProcessArgumentBuilder().Append("all"),
        new DotNetRunSettings { Configuration = "Release", NoBuild = true });
});

// Every public op, layer, loss and optimizer against libtorch (TorchSharp-cpu) in float64, values and gradients,
// on seeded random configurations; prints pass counts and the worst error per family and writes
// bench/results/<date>-oracle.md. Then the same cases with Pade in float32 (its fast paths) against libtorch in
// float64: bench/results/<date>-oracle-float32.md. Not part of Test: it restores libtorch (bench/ is its own solution).
Task("Oracle")
    .Does(() =>
{
    DotNetBuild("bench/Bench.sln", new DotNetBuildSettings { Configuration = "Release" });
    DotNetRun("bench/Pade.Bench/Pade.Bench.csproj", new ProcessArgumentBuilder().Append("oracle"),
        new DotNetRunSettings { Configuration = "Release", NoBuild = true });
    DotNetRun("bench/Pade.Bench/Pade.Bench.csproj", new ProcessArgumentBuilder().Append("oracle").Append("--dtype").Append("float32"),
        new DotNetRunSettings { Configuration = "Release", NoBuild = true });
});

Task("Publish")
    .Does(() => PublishPade());

// The self-contained, trimmed, single-file `pade` that GPU machines without .NET run (bench/gpu/session.sh).
// Trim analysis warnings are errors here (the project-wide WarningsNotAsErrors is cleared), so a trim problem
// fails the build, not a GPU session.
void PublishPade()
{
    DotNetPublish("Training/Training.csproj", new DotNetPublishSettings
    {
        Configuration = "Release",
        Runtime = "linux-x64",
        SelfContained = true,
        PublishSingleFile = true,
        PublishTrimmed = true,
        OutputDirectory = "publish",
        MSBuildSettings = new DotNetMSBuildSettings().WithProperty("WarningsNotAsErrors", ""),
    });
}

// The Test target's last step: the publish must build without trim warnings, stay under 45 MiB (it travels to
// the GPU machine with every session), and compile every kernel with NVRTC from the published binary.
void CheckPublish()
{
    PublishPade();
    const long limit = 45L << 20;
    long bytes = GetFiles("publish/*").Where(f => !f.FullPath.EndsWith(".pdb")).Sum(f => new System.IO.FileInfo(f.FullPath).Length);
    Information("publish/: " + (bytes / (1024.0 * 1024)).ToString("F1") + " MiB without symbols (limit " + (limit >> 20) + " MiB)");
    if (bytes > limit) throw new Exception($"the published pade is {bytes / (1024.0 * 1024):F1} MiB, over the {limit >> 20} MiB a GPU session carries");
    int code = StartProcess("publish/pade", new ProcessSettings { Arguments = "gpu check --compile-only" });
    bool ci = EnvironmentVariable("CI") == "true";
    if (code == 4 && !ci) { Warning("publish/pade gpu check --compile-only: no NVRTC here, nothing compiled"); return; }
    if (code != 0) throw new Exception($"publish/pade gpu check --compile-only exited with {code}");
}

RunTarget(target);
