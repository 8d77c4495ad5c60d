namespace Pade.Datasets;

/// <summary>
/// Which examples go into which batch, epoch by epoch: a seeded permutation (or the identity order) cut into
/// batches of <see cref="BatchSize"/>.
/// </summary>
/// <remarks>
/// <para>Epoch <c>e</c>'s order depends only on (seed, e): it is drawn by Fisher-Yates from
/// <see cref="SplitMix64.Derive"/>(seed, e), so resuming at epoch 7 gives the same batches as an uninterrupted run,
/// on any machine.</para>
/// <para>Fisher-Yates (Durstenfeld's in-place form): for i from n-1 down to 1, swap a[i] with a[j], j uniform in
/// [0, i]. Each of the n! orders is equally likely given uniform j.</para>
/// <para>With <see cref="DropLast"/> the last incomplete batch is skipped (as PyTorch's <c>drop_last=True</c>);
/// otherwise it is returned shorter.</para>
/// </remarks>
public sealed class BatchPlan
{
    public BatchPlan(int count, int batchSize, bool shuffle, bool dropLast, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        Count = count;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        Seed = seed;
    }

    public int Count { get; }
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public bool DropLast { get; }
    public ulong Seed { get; }

    /// <summary>Number of batches per epoch: floor(Count/BatchSize) with DropLast, ceil otherwise.</summary>
    public int BatchesPerEpoch => DropLast ? Count / BatchSize : (Count + BatchSize - 1) / BatchSize;

    /// <summary>The order of the examples in epoch <paramref name="epoch"/>: a permutation of 0..Count-1.</summary>
    public int[] Order(int epoch)
    {
        var order = new int[Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (Shuffle) FisherYates(order, SplitMix64.Derive(Seed, (ulong)epoch));
        return order;
    }

    /// <summary>The batches of epoch <paramref name="epoch"/>, as slices of one order array (no copies).</summary>
    public IReadOnlyList<ReadOnlyMemory<int>> Batches(int epoch)
    {
        int[] order = Order(epoch);
        var batches = new ReadOnlyMemory<int>[BatchesPerEpoch];
        for (int b = 0; b < batches.Length; b++)
        {
            int start = b * BatchSize;
            batches[b] = order.AsMemory(start, Math.Min(BatchSize, Count - start));
        }
        return batches;
    }

    /// <summary>Shuffles <paramref name="items"/> in place, uniformly, drawing from <paramref name="rng"/>.</summary>
    public static void FisherYates<T>(Span<T> items, SplitMix64 rng)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
