using System.Diagnostics;
using NUnit.Framework;

namespace Pade.Tests.Docs;

/// <summary>
/// Every C# block of README.md and docs/tutorial/*.md is compiled and run, and what it prints is compared with the
/// output block written under it (see <see cref="MarkdownBlocks"/> and <see cref="OutputMatch"/>). The blocks of one
/// file run in order in one scratch folder, so a later block can read what an earlier one wrote; the pictures they
/// draw land there, not on the committed ones. <c>PADE_DOCS_WRITE=1</c> runs them in the markdown's own folder
/// instead, which redraws docs/tutorial/img/; <c>PADE_DOCS_ACTUAL=DIR</c> saves what each block printed in DIR.
/// </summary>
public class DocBlockTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Engine.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("the repository root (with Engine.sln) is not above the test assembly");
        }
    }

    public static IEnumerable<string> Documents() =>
        new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(Root, "docs", "tutorial"), "*.md")
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/')).Order(StringComparer.Ordinal));

    [TestCaseSource(nameof(Documents))]
    public void EveryBlockRunsAndPrintsWhatIsWrittenUnderIt(string document)
    {
        string markdown = Path.Combine(Root, document);
        var blocks = MarkdownBlocks.Read(markdown);
        bool write = Environment.GetEnvironmentVariable("PADE_DOCS_WRITE") == "1";
        var scratch = write ? null : Directory.CreateTempSubdirectory("pade-doc-");
        var failures = new List<string>();
        try
        {
            foreach (var block in blocks)
            {
                var run = BlockRunner.Run(block, scratch?.FullName ?? Path.GetDirectoryName(markdown)!, Timeout);
                if (Environment.GetEnvironmentVariable("PADE_DOCS_ACTUAL") is { Length: > 0 } actual)   // for writing the chapters
                    File.WriteAllText(Path.Combine(Directory.CreateDirectory(actual).FullName, $"{Path.GetFileName(markdown)}-{block.Line}.txt"), run.Output);
                TestContext.Out.WriteLine($"{block.Name}: {(run.CompileErrors != null ? "does not compile" : $"exit {run.ExitCode}")}, {run.Elapsed.TotalSeconds:F1} s");
                string? failure =
                    run.CompileErrors != null ? $"does not compile:\n{run.CompileErrors}"
                    : run.ExitCode != 0 ? $"exit code {run.ExitCode}\n{run.Error}\n{run.Output}"
                    : !OutputMatch.Matches(block.Expected ?? "", run.Output)
                        ? $"printed something else than the block under it ({OutputMatch.FirstDifference(block.Expected ?? "", run.Output)}); it printed:\n{run.Output}"
                    : null;
                if (failure != null) failures.Add($"{document} block at line {block.Line}: {failure}");
            }
        }
        finally { scratch?.Delete(recursive: true); }
        Assert.That(failures, Is.Empty, string.Join("\n\n", failures));
    }

    [Test]
    public void TheTutorialHasItsFiveChaptersAndTheReadmeLinksItFirst()
    {
        var chapters = Directory.GetFiles(Path.Combine(Root, "docs", "tutorial"), "0*.md").Order(StringComparer.Ordinal).ToList();
        Assert.That(chapters, Has.Count.GreaterThanOrEqualTo(5));
        foreach (var chapter in chapters)
            Assert.That(MarkdownBlocks.Read(chapter), Is.Not.Empty, $"{chapter} has no C# block");
        string readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        int link = readme.IndexOf("](docs/tutorial/", StringComparison.Ordinal);
        Assert.That(link, Is.GreaterThan(0), "the README does not link docs/tutorial/");
        Assert.That(link, Is.LessThan(readme.IndexOf("](docs/", StringComparison.Ordinal) + 1), "the tutorial is not the README's first docs link");
    }

    /// <summary>The promise the chapters make: a block saved as a file runs with <c>dotnet run -c Release</c>. Checked
    /// for one block through the real SDK (its own build of a file-based app, about 10 s), the rest in-process.</summary>
    [Test]
    public void ABlockRunsWithDotnetRunAsTheChaptersSay()
    {
        string markdown = Path.Combine(Root, "docs", "tutorial", "01-activations.md");
        var block = MarkdownBlocks.Read(markdown)[0];
        var dir = Directory.CreateTempSubdirectory("pade-dotnet-run-");
        try
        {
            // The project paths made absolute: the file lives outside the repository here.
            string code = string.Join("\n", block.Code.Split('\n').Select(l => l.StartsWith("#:project ", StringComparison.Ordinal)
                ? "#:project " + Path.GetFullPath(Path.Combine(Path.GetDirectoryName(markdown)!, l["#:project ".Length..].Trim())) : l));
            File.WriteAllText(Path.Combine(dir.FullName, "block.cs"), code);
            var run = BlockRunner.Execute(new ProcessStartInfo(BlockRunner.DotNet, ["run", "-c", "Release", "block.cs"])
                { WorkingDirectory = dir.FullName, RedirectStandardOutput = true, RedirectStandardError = true }, TimeSpan.FromMinutes(5));
            TestContext.Out.WriteLine($"dotnet run: exit {run.ExitCode}, {run.Elapsed.TotalSeconds:F1} s");
            Assert.That(run.ExitCode, Is.Zero, run.Error + run.Output);
            Assert.That(OutputMatch.Matches(block.Expected ?? "", run.Output), Is.True, OutputMatch.FirstDifference(block.Expected ?? "", run.Output));
        }
        finally { dir.Delete(recursive: true); }
    }

    [Test]
    public void TheOutputMarksMatchWhatTheyShouldAndNothingElse()
    {
        Assert.That(OutputMatch.Matches("a 1\nb 2", "a 1\nb 2\n\n"), Is.True);
        Assert.That(OutputMatch.Matches("a 1\nb 2", "a 1\nb 3"), Is.False);
        Assert.That(OutputMatch.Matches("epoch 1 … s\ndone", "epoch 1 3.2 s\ndone"), Is.True);
        Assert.That(OutputMatch.Matches("epoch 1 … s\ndone", "epoch 2 3.2 s\ndone"), Is.False);
        Assert.That(OutputMatch.Matches("step 0\n...\nstep 9", "step 0\nstep 9"), Is.True);
        Assert.That(OutputMatch.Matches("step 0\n...\nstep 9", "step 0\nstep 1\nstep 2\nstep 9"), Is.True);
        Assert.That(OutputMatch.Matches("step 0\n...\nstep 9", "step 0\nstep 1\nstep 8"), Is.False);
        Assert.That(OutputMatch.Matches("", "anything"), Is.False);
        Assert.That(OutputMatch.Matches("x (1+2)*3 [a]", "x (1+2)*3 [a]"), Is.True);   // regex characters are literal
    }

    [Test]
    public void BlocksAndTheirOutputsAreFoundInMarkdown()
    {
        var file = Path.Combine(Path.GetTempPath(), $"pade-doc-{Guid.NewGuid():N}.md");
        File.WriteAllText(file, "# T\n```csharp\nA();\n```\nOutput:\n```text\n1\n```\n```cs\nB();\n```\n## Next\n```\n2\n```\n```sh\nls\n```\n");
        try
        {
            var blocks = MarkdownBlocks.Read(file);
            Assert.That(blocks.Select(b => (b.Line, b.Code, b.Expected)),
                Is.EqualTo(new[] { (2, "A();\n", (string?)"1"), (9, "B();\n", null) }));
        }
        finally { File.Delete(file); }
    }
}
