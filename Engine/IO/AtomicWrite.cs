namespace Pade.Engine.IO;

/// <summary>
/// Writes a file so that readers see either the old content or the new, never a mix: the bytes go to
/// <c>path.tmp</c>, are flushed to disk, and the temporary file is renamed over <c>path</c> (rename(2) is atomic on
/// one file system). A crash or an exception mid-write leaves any previous file untouched; the partial .tmp file is
/// deleted on exceptions. Safetensors, checkpoints, metrics and ONNX exports all write through this.
/// </summary>
public static class AtomicWrite
{
    /// <summary>Creates the folder of <paramref name="path"/> if needed and writes the file with <paramref name="write"/>.</summary>
    public static void ToFile(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        string tmp = full + ".tmp";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);   // the data must be on disk before the rename makes it "the" file
            }
            File.Move(tmp, full, overwrite: true);   // rename(2): atomic on the same file system
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
