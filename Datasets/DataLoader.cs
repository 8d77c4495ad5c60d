using Pade.Engine;

namespace Pade.Datasets;

/// <summary>How a <see cref="DataLoader"/> cuts, orders, augments and converts its images.</summary>
public sealed record DataLoaderOptions
{
    /// <summary>Images per batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Draw a new order every epoch (training); false keeps the file order (evaluation).</summary>
    public bool Shuffle { get; init; }

    /// <summary>Skip the last incomplete batch (PyTorch's <c>drop_last</c>).</summary>
    public bool DropLast { get; init; }

    /// <summary>Seed of the order (<see cref="BatchPlan"/>) and of the augmentation.</summary>
    public ulong Seed { get; init; }

    /// <summary>Per-channel mean/std on the 0..1 scale; null leaves pixels as x/255.</summary>
    public ChannelStats? Normalization { get; init; }

    /// <summary>The CIFAR augmentation: random crop of the image padded by <see cref="AugmentPad"/>, then a
    /// horizontal flip with probability 1/2.</summary>
    public bool Augment { get; init; }

    /// <summary>Padding of the random crop (4 in the CIFAR literature).</summary>
    public int AugmentPad { get; init; } = 4;

    /// <summary>Zero-pad images smaller than 32x32 (MNIST's 28x28) to 32x32 once, up front.</summary>
    public bool PadTo32 { get; init; } = true;

    /// <summary>Where the batches are delivered.</summary>
    public Device Device { get; init; } = Device.Cpu;

    /// <summary>Finished batches allowed to wait ahead of the training loop.</summary>
    public int Prefetch { get; init; } = 2;
}

/// <summary>
/// Batches of an <see cref="ImageSet"/> as tensors: X float32 [B, C, H, W] (normalised, 32x32 after padding) and
/// Y int32 [B] (class indices), the next batch prepared on a background worker while the current one trains.
/// </summary>
/// <remarks>
/// <para>Determinism: epoch <c>e</c>'s order depends only on (seed, e) (see <see cref="BatchPlan"/>), and batch
/// <c>b</c>'s augmentation only on <see cref="SplitMix64.Derive"/>(seed ^ AugmentSalt, e, b). Nothing depends on
/// timing or on the thread that prepares a batch, so a run resumed at epoch 7 sees the same pixels as an
/// uninterrupted one.</para>
/// <para>Buffers are reused: an epoch cycles through <c>Prefetch + 2</c> host batches allocated once (the one the
/// loop holds, those waiting, the one being filled; see <see cref="Prefetcher{T}"/>). Hence the contract of
/// <see cref="Epoch"/>: <b>a batch's tensors are valid until the next batch is taken</b>. Clone them to keep them.</para>
/// </remarks>
public sealed class DataLoader
{
    /// <summary>Separates the augmentation's random stream from the order's, which uses the bare seed.</summary>
    const ulong AugmentSalt = 0xA06E_0000_C401_F11FUL;

    readonly DataLoaderOptions _options;
    readonly float[] _mean, _std;
    Slot[]? _ring;
    Tensor[]? _deviceX, _deviceY;
    int _active;

    public DataLoader(ImageSet set, DataLoaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Prefetch);
        ArgumentOutOfRangeException.ThrowIfNegative(options.AugmentPad);
        _options = options;
        Set = options.PadTo32 && set.Height < 32 ? Preprocess.PadTo32(set) : set;
        var stats = options.Normalization ?? new ChannelStats(Enumerable.Repeat(0f, Set.Channels).ToArray(), Enumerable.Repeat(1f, Set.Channels).ToArray());
        if (stats.Mean.Length != Set.Channels || stats.Std.Length != Set.Channels)
            throw new ArgumentException(
                $"DataLoader: the images have {Set.Channels} channel(s) but the normalisation gives {stats.Mean.Length} mean(s) and {stats.Std.Length} std(s)");
        _mean = stats.Mean;
        _std = stats.Std;
        Plan = new BatchPlan(Set.Count, options.BatchSize, options.Shuffle, options.DropLast, options.Seed);
    }

    /// <summary>The images served (after the optional padding to 32x32).</summary>
    public ImageSet Set { get; }

    public DataLoaderOptions Options => _options;

    /// <summary>Which images go into which batch, epoch by epoch.</summary>
    public BatchPlan Plan { get; }

    public int BatchesPerEpoch => Plan.BatchesPerEpoch;

    /// <summary>Images delivered per epoch (all of them, or whole batches only with DropLast).</summary>
    public int SamplesPerEpoch => _options.DropLast ? BatchesPerEpoch * _options.BatchSize : Set.Count;

    /// <summary>The shape of one full batch, [B, C, H, W].</summary>
    public int[] BatchShape => [_options.BatchSize, Set.Channels, Set.Height, Set.Width];

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> (0-based), prepared one ahead on a worker. A batch's tensors
    /// are valid until the next one is taken. One epoch at a time per loader.
    /// </summary>
    public IEnumerable<(Tensor X, Tensor Y)> Epoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (Interlocked.Exchange(ref _active, 1) != 0)
            throw new InvalidOperationException(
                "DataLoader: an epoch is already being enumerated; its batches share buffers, so finish or dispose it first");
        try
        {
            var batches = Plan.Batches(epoch);
            _ring ??= Enumerable.Range(0, _options.Prefetch + 2).Select(_ => new Slot(BatchShape)).ToArray();
            var ring = _ring;
            using var prefetcher = new Prefetcher<(Tensor X, Tensor Y)>(batches.Count, (b, _) =>
            {
                var slot = ring[b % ring.Length];
                int n = batches[b].Length;
                Fill(epoch, b, batches[b].Span, CpuBackend.Span<float>(slot.X), CpuBackend.Span<int>(slot.Y));
                slot.X.Storage.BumpVersion();
                slot.Y.Storage.BumpVersion();
                return n == _options.BatchSize ? (slot.X, slot.Y) : (slot.X.Narrow(0, 0, n), slot.Y.Narrow(0, 0, n));
            }, _options.Prefetch);

            int taken = 0;
            foreach (var (x, y) in prefetcher)
            {
                yield return _options.Device == Device.Cpu ? (x, y) : ToDevice(x, y, taken++);
            }
        }
        finally
        {
            Volatile.Write(ref _active, 0);
        }
    }

    /// <summary>One batch built synchronously into new tensors (tests, tools); identical to what <see cref="Epoch"/>
    /// yields at that position.</summary>
    public (Tensor X, Tensor Y) Batch(int epoch, int batch)
    {
        var batches = Plan.Batches(epoch);
        if ((uint)batch >= (uint)batches.Count)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"epoch {epoch} has {batches.Count} batches");
        var indices = batches[batch].Span;
        var x = Tensor.Empty([indices.Length, Set.Channels, Set.Height, Set.Width]);
        var y = Tensor.Empty([indices.Length], DType.Int32);
        Fill(epoch, batch, indices, CpuBackend.Span<float>(x), CpuBackend.Span<int>(y));
        return _options.Device == Device.Cpu ? (x, y) : (x.To(_options.Device), y.To(_options.Device));
    }

    /// <summary>
    /// Writes the images <paramref name="indices"/> into <paramref name="x"/> (normalised floats, NCHW) and their
    /// labels into <paramref name="y"/>. Geometry (crop, flip) moves raw bytes first, so padded borders are black
    /// before normalisation, as torchvision's transforms on PIL images.
    /// </summary>
    void Fill(int epoch, int batch, ReadOnlySpan<int> indices, Span<float> x, Span<int> y)
    {
        int size = Set.ImageSize, plane = Set.Height * Set.Width;
        SplitMix64? rng = _options.Augment ? SplitMix64.Derive(_options.Seed ^ AugmentSalt, (ulong)epoch, (ulong)batch) : null;
        Span<byte> scratch = rng is null ? [] : new byte[size];
        for (int i = 0; i < indices.Length; i++)
        {
            ReadOnlySpan<byte> image = Set.Image(indices[i]);
            if (rng is not null)
            {
                Preprocess.RandomCropFlip<byte>(image, scratch, Set.Channels, Set.Height, Set.Width, _options.AugmentPad, rng, 0);
                image = scratch;
            }
            Preprocess.Normalize(image, x.Slice(i * size, size), 1, Set.Channels, plane, _mean, _std);
            y[i] = Set.Labels[indices[i]];
        }
    }

    /// <summary>Copies a host batch into one of two device buffers (alternating, so an upload never overwrites the
    /// batch the loop still holds); a short last batch gets fresh tensors.</summary>
    (Tensor X, Tensor Y) ToDevice(Tensor x, Tensor y, int index)
    {
        if (x.Size(0) != _options.BatchSize) return (x.To(_options.Device), y.To(_options.Device));
        _deviceX ??= [Tensor.Empty(BatchShape, DType.Float32, _options.Device), Tensor.Empty(BatchShape, DType.Float32, _options.Device)];
        _deviceY ??= [Tensor.Empty([_options.BatchSize], DType.Int32, _options.Device), Tensor.Empty([_options.BatchSize], DType.Int32, _options.Device)];
        var dx = _deviceX[index & 1];
        var dy = _deviceY[index & 1];
        dx.Backend.FromHost<float>(CpuBackend.Span<float>(x), dx);
        dy.Backend.FromHost<int>(CpuBackend.Span<int>(y), dy);
        dx.Storage.BumpVersion();
        dy.Storage.BumpVersion();
        return (dx, dy);
    }

    /// <summary>One reusable host batch.</summary>
    sealed class Slot(int[] shape)
    {
        public Tensor X { get; } = Tensor.Empty(shape);
        public Tensor Y { get; } = Tensor.Empty([shape[0]], DType.Int32);
    }
}
