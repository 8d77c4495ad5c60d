using System.Text;
using System.Text.RegularExpressions;

namespace Pade.Tests.Docs;

/// <summary>A C# block of a markdown file and the output written under it.</summary>
/// <param name="Markdown">The markdown file.</param>
/// <param name="Line">The 1-based line of the opening fence.</param>
/// <param name="Code">The program, as a reader copies it.</param>
/// <param name="Expected">The output block under it, or null: then the program must print nothing.</param>
public sealed record DocBlock(string Markdown, int Line, string Code, string? Expected)
{
    public string Name => $"{Path.GetFileName(Markdown)}:{Line}";

    /// <summary>The paths of the <c>#:project</c> directives, as written (relative to the markdown's folder).</summary>
    public IEnumerable<string> Projects => Directives("project");

    public IEnumerable<string> Directives(string kind) => Code.Split('\n')
        .Where(l => l.StartsWith($"#:{kind} ", StringComparison.Ordinal))
        .Select(l => l[(kind.Length + 3)..].Trim());
}

/// <summary>
/// Reads the C# blocks of a markdown file. A block is a fence whose info string is <c>csharp</c>, <c>cs</c> or
/// <c>c#</c>; its expected output is the next fence when that comes before the next heading and its info string is
/// empty, <c>text</c> or <c>output</c>. Every C# block is a whole program: there is no way to mark one as a
/// fragment, so the docs never show code that is not compiled and run.
/// </summary>
public static class MarkdownBlocks
{
    static readonly string[] CSharp = ["csharp", "cs", "c#"];
    static readonly string[] Output = ["", "text", "output"];

    public static List<DocBlock> Read(string markdownPath)
    {
        var lines = File.ReadAllText(markdownPath).Replace("\r\n", "\n").Split('\n');
        var fences = new List<(int Start, string Info, string Body)>();
        var headings = new List<int>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('#') && !lines[i].StartsWith("#:")) headings.Add(i);
            if (!lines[i].StartsWith("```", StringComparison.Ordinal)) continue;
            string info = lines[i][3..].Trim();
            int end = i + 1;
            while (end < lines.Length && lines[end].TrimEnd() != "```") end++;
            if (end == lines.Length) throw new FormatException($"{markdownPath}:{i + 1}: the fence opened here is never closed");
            fences.Add((i, info, string.Join("\n", lines[(i + 1)..end])));
            i = end;
        }
        var blocks = new List<DocBlock>();
        for (int f = 0; f < fences.Count; f++)
        {
            if (!CSharp.Contains(fences[f].Info.Split(' ')[0], StringComparer.OrdinalIgnoreCase)) continue;
            string? expected = null;
            if (f + 1 < fences.Count && Output.Contains(fences[f + 1].Info, StringComparer.OrdinalIgnoreCase)
                && !headings.Any(h => h > fences[f].Start && h < fences[f + 1].Start))
                expected = fences[f + 1].Body;
            blocks.Add(new DocBlock(markdownPath, fences[f].Start + 1, fences[f].Body + "\n", expected));
        }
        return blocks;
    }
}

/// <summary>
/// Compares a program's output with the text written under it. Lines are compared after trailing blanks are
/// dropped. Two marks stand for output that varies from run to run (timings, speeds): <c>…</c> inside a line
/// matches any text on that line, and a line that is only <c>...</c> matches any number of lines.
/// </summary>
public static class OutputMatch
{
    public static bool Matches(string expected, string actual) => Pattern(expected).IsMatch(Normalize(actual));

    public static string Normalize(string text) =>
        string.Join("\n", text.Replace("\r\n", "\n").TrimEnd('\n', ' ').Split('\n').Select(l => l.TrimEnd())) + "\n";

    static Regex Pattern(string expected)
    {
        var sb = new StringBuilder("^");
        foreach (var line in Normalize(expected).TrimEnd('\n').Split('\n'))
        {
            if (line == "...") { sb.Append(@"(?:[^\n]*\n)*?"); continue; }
            sb.Append(string.Join("[^\\n]*", line.Split('…').Select(Regex.Escape))).Append(@"\n");
        }
        return new Regex(sb.Append(@"\z").ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(10));
    }

    /// <summary>The first line where the two differ, for the failure message (wildcards are taken literally here).</summary>
    public static string FirstDifference(string expected, string actual)
    {
        var e = Normalize(expected).Split('\n');
        var a = Normalize(actual).Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string el = i < e.Length ? e[i] : "<end>", al = i < a.Length ? a[i] : "<end>";
            if (el != al) return $"line {i + 1}: expected '{el}', printed '{al}'";
        }
        return "(equal)";
    }
}
