namespace Pade.Training.Checkpoints;

/// <summary>
/// Writes a file so that readers see either the old content or the new, never a mix: the bytes go to
/// <c>path.tmp</c>, are flushed to disk, and the temporary file is renamed over <c>path</c> (rename(2) is atomic
/// on one file system). The same discipline as <see cref="Pade.Engine.IO.Safetensors.Write(string, IEnumerable{Pade.Engine.IO.SafetensorsEntry}, IReadOnlyDictionary{string, string}?)"/>.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        string tmp = full + ".tmp";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
}
