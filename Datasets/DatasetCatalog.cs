using System.Diagnostics;
using System.Reflection;

namespace Pade.Datasets;

/// <summary>Per-channel mean and standard deviation of a data set's training pixels, on the 0..1 scale.</summary>
public sealed record ChannelStats(float[] Mean, float[] Std);

/// <summary>
/// The data sets the trainer knows by name, and where each is looked for.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>mnist</term><description><c>--data-dir</c> if given, else the copy embedded in this assembly
/// (resources <c>mnist/&lt;file&gt;.gz</c>).</description></item>
/// <item><term>fashion</term><description><c>--data-dir</c> if given, else <see cref="FashionSystemDir"/> (Debian
/// package <c>dataset-fashion-mnist</c>), else an error saying how to get it.</description></item>
/// <item><term>cifar10</term><description><c>--data-dir</c> only (no redistributable copy is at hand).</description></item>
/// </list>
/// In a data directory, files are looked for in the folder itself, then in the conventional subfolder
/// (<c>mnist</c>, <c>fashion-mnist</c>, <c>cifar-10-batches-bin</c>), so one root folder can hold all three.
/// IDX files may be gzip-compressed (<c>name.gz</c>) or not (<c>name</c>).
/// </remarks>
public static class DatasetCatalog
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs its files.</summary>
    public const string FashionSystemDir = "/usr/share/datasets/fashion-mnist";

    /// <summary>The names <see cref="Load"/> accepts.</summary>
    public static readonly IReadOnlyList<string> Names = ["mnist", "fashion", "cifar10"];

    const string TrainImages = "train-images-idx3-ubyte";
    const string TrainLabels = "train-labels-idx1-ubyte";
    const string TestImages = "t10k-images-idx3-ubyte";
    const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>
    /// Loads the training and test halves of data set <paramref name="name"/> (mnist | fashion | cifar10).
    /// <paramref name="limit"/> keeps the first N images of each half (tests, smoke runs).
    /// </summary>
    /// <exception cref="DatasetNotFoundException">The files are not where they were looked for.</exception>
    /// <exception cref="DatasetFormatException">A file is there but malformed.</exception>
    public static DatasetSplits Load(string name, string? dataDir, int? limit = null)
    {
        var splits = Canonical(name) switch
        {
            "mnist" => LoadMnist(dataDir),
            "fashion" => LoadFashion(dataDir),
            "cifar10" => LoadCifar10(dataDir),
            _ => throw new UnreachableException(),
        };
        return limit is int n ? splits with { Train = splits.Train.Take(n), Test = splits.Test.Take(n) } : splits;
    }

    /// <summary>
    /// The normalisation constants used in the literature for each data set (PyTorch's usual values):
    /// MNIST 0.1307/0.3081, Fashion-MNIST 0.2860/0.3530, CIFAR-10 (0.4914, 0.4822, 0.4465)/(0.2470, 0.2435, 0.2616).
    /// </summary>
    public static ChannelStats Normalization(string name) => Canonical(name) switch
    {
        "mnist" => new([0.1307f], [0.3081f]),
        "fashion" => new([0.2860f], [0.3530f]),
        "cifar10" => new([0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f]),
        _ => throw new UnreachableException(),
    };

    /// <summary>Lower-cases and maps aliases (fashion-mnist, fashion_mnist, cifar-10) to the names of <see cref="Names"/>.</summary>
    public static string Canonical(string name) => name.Trim().ToLowerInvariant() switch
    {
        "mnist" => "mnist",
        "fashion" or "fashion-mnist" or "fashion_mnist" or "fashionmnist" => "fashion",
        "cifar10" or "cifar-10" or "cifar_10" => "cifar10",
        _ => throw new ArgumentException(
            $"unknown data set '{name}'; expected one of {string.Join(", ", Names)}", nameof(name)),
    };

    static DatasetSplits LoadMnist(string? dataDir)
    {
        if (dataDir is not null)
            return LoadIdxFolder("mnist", dataDir, "mnist", "MNIST");

        var asm = typeof(DatasetCatalog).Assembly;
        return new DatasetSplits("mnist",
            LoadEmbedded(asm, TrainImages, TrainLabels),
            LoadEmbedded(asm, TestImages, TestLabels),
            "embedded copy (resources mnist/*.gz in Pade.Datasets)");
    }

    static ImageSet LoadEmbedded(Assembly asm, string images, string labels)
    {
        using var i = OpenResource(asm, $"mnist/{images}.gz");
        using var l = OpenResource(asm, $"mnist/{labels}.gz");
        return Idx.Load(i, $"embedded:mnist/{images}.gz", l, $"embedded:mnist/{labels}.gz");
    }

    static Stream OpenResource(Assembly asm, string name) =>
        asm.GetManifestResourceStream(name)
        ?? throw new DatasetNotFoundException(
            $"resource '{name}' is missing from assembly {asm.GetName().Name} (was it built without Datasets/data/mnist?)");

    static DatasetSplits LoadFashion(string? dataDir)
    {
        if (dataDir is not null)
            return LoadIdxFolder("fashion", dataDir, "fashion-mnist", "Fashion-MNIST");
        if (FindIdx(FashionSystemDir, TrainImages) is not null)
            return LoadIdxFolder("fashion", FashionSystemDir, null, "Fashion-MNIST");
        throw new DatasetNotFoundException(
            $"Fashion-MNIST not found: no --data-dir given and '{FashionSystemDir}' has no {TrainImages}(.gz). " +
            "Install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist) " +
            "or pass --data-dir pointing at a folder holding the four IDX files.");
    }

    static DatasetSplits LoadCifar10(string? dataDir)
    {
        if (dataDir is null)
            throw new DatasetNotFoundException(
                "CIFAR-10 needs --data-dir: no copy ships with Pade. Download the binary version " +
                "(cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html), extract it, and pass the " +
                "folder cifar-10-batches-bin (or its parent) as --data-dir.");
        string? folder = ResolveFolder(dataDir, "cifar-10-batches-bin", Cifar10.TrainFiles[0]);
        if (folder is null)
            throw new DatasetNotFoundException(
                $"CIFAR-10: {Cifar10.TrainFiles[0]} not found in '{Path.GetFullPath(dataDir)}' nor in " +
                $"'{Path.GetFullPath(Path.Combine(dataDir, "cifar-10-batches-bin"))}'; expected the binary version's files " +
                $"{string.Join(", ", Cifar10.TrainFiles.Concat(Cifar10.TestFiles))}");
        return new DatasetSplits("cifar10", Cifar10.LoadTrain(folder), Cifar10.LoadTest(folder), Path.GetFullPath(folder));
    }

    static DatasetSplits LoadIdxFolder(string name, string dataDir, string? subfolder, string title)
    {
        string? folder = ResolveFolder(dataDir, subfolder, TrainImages);
        if (folder is null)
        {
            string looked = subfolder is null ? $"'{dataDir}'" : $"'{dataDir}' and '{Path.Combine(dataDir, subfolder)}'";
            throw new DatasetNotFoundException(
                $"{title}: {TrainImages} (or {TrainImages}.gz) not found in {looked}; expected the four IDX files " +
                $"{TrainImages}, {TrainLabels}, {TestImages}, {TestLabels} (each optionally .gz)");
        }
        return new DatasetSplits(name,
            Idx.Load(RequireIdx(folder, TrainImages), RequireIdx(folder, TrainLabels)),
            Idx.Load(RequireIdx(folder, TestImages), RequireIdx(folder, TestLabels)),
            Path.GetFullPath(folder));
    }

    /// <summary>The folder among <paramref name="dir"/> and dir/<paramref name="subfolder"/> that holds <paramref name="probe"/>.</summary>
    static string? ResolveFolder(string dir, string? subfolder, string probe)
    {
        if (Exists(dir, probe)) return dir;
        if (subfolder is not null && Exists(Path.Combine(dir, subfolder), probe)) return Path.Combine(dir, subfolder);
        return null;
    }

    static bool Exists(string dir, string file) => File.Exists(Path.Combine(dir, file)) || FindIdx(dir, file) is not null;

    /// <summary>The path of IDX file <paramref name="baseName"/> in <paramref name="dir"/>, gzip-compressed or not.</summary>
    static string? FindIdx(string dir, string baseName)
    {
        string gz = Path.Combine(dir, baseName + ".gz");
        if (File.Exists(gz)) return gz;
        string raw = Path.Combine(dir, baseName);
        return File.Exists(raw) ? raw : null;
    }

    static string RequireIdx(string dir, string baseName) =>
        FindIdx(dir, baseName) ?? throw new DatasetNotFoundException(
            $"{baseName} (or {baseName}.gz) not found in '{Path.GetFullPath(dir)}'");
}
