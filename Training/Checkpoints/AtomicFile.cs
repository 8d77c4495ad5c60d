namespace Pade.Training.Checkpoints;

/// <summary>
/// Writes a file so that readers see either the old content or the new, never a mix (through
/// <see cref="Pade.Engine.IO.AtomicWrite"/>: a flushed <c>path.tmp</c> renamed over <c>path</c>).
/// </summary>
public static class AtomicFile
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();   // a span cannot be captured by the writer callback
        Pade.Engine.IO.AtomicWrite.ToFile(path, fs => fs.Write(copy));
    }

    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
}
