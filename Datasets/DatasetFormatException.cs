namespace Pade.Datasets;

/// <summary>
/// A data file that is present but does not hold what its format promises (wrong magic number, truncated,
/// counts that disagree, a label out of range...). The message names the file, the byte offset and what was
/// expected, so a user can tell a corrupt download from a wrong path without a hex editor.
/// </summary>
public sealed class DatasetFormatException : Exception
{
    public DatasetFormatException(string message) : base(message) { }
    public DatasetFormatException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// A data set that cannot be found where it was looked for. The message lists the folders searched and says how
/// to provide the data (a Debian package, or <c>--data-dir</c>).
/// </summary>
public sealed class DatasetNotFoundException : Exception
{
    public DatasetNotFoundException(string message) : base(message) { }
}
