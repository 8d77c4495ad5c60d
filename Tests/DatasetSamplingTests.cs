using NUnit.Framework;
using Pade.Datasets;

namespace Pade.Tests;

[TestFixture]
public class DatasetSamplingTests
{
    [Test]
    public void SplitMix64_MatchesTheReferenceSequence()
    {
        // First outputs of Vigna's splitmix64.c with state 0.
        var g = new SplitMix64(0);
        Assert.That(g.NextUInt64(), Is.EqualTo(0xE220A8397B1DCDAFUL));
        Assert.That(g.NextUInt64(), Is.EqualTo(0x6E789E6AA1B965F4UL));
        Assert.That(g.NextUInt64(), Is.EqualTo(0x06C45D188009454FUL));
    }

    [Test]
    public void SplitMix64_BoundedValuesStayInRangeAndCoverIt()
    {
        var g = new SplitMix64(1);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[g.NextInt(7)]++;
        Assert.That(counts, Is.All.InRange(9_500, 10_500));   // 10,000 expected, sd ~93
        for (int i = 0; i < 1000; i++)
        {
            Assert.That(g.NextInt(-3, 3), Is.InRange(-3, 3));
            Assert.That(g.NextDouble(), Is.GreaterThanOrEqualTo(0.0).And.LessThan(1.0));
            Assert.That(g.NextSingle(), Is.GreaterThanOrEqualTo(0f).And.LessThan(1f));
        }
        Assert.That(g.NextInt(int.MinValue, int.MaxValue), Is.TypeOf<int>());
    }

    [Test]
    public void SplitMix64_DerivedStreamsDifferByKey()
    {
        ulong a = SplitMix64.Derive(5, 0, 0).NextUInt64();
        Assert.That(SplitMix64.Derive(5, 0, 0).NextUInt64(), Is.EqualTo(a));
        Assert.That(SplitMix64.Derive(5, 1, 0).NextUInt64(), Is.Not.EqualTo(a));
        Assert.That(SplitMix64.Derive(5, 0, 1).NextUInt64(), Is.Not.EqualTo(a));
        Assert.That(SplitMix64.Derive(6, 0, 0).NextUInt64(), Is.Not.EqualTo(a));
    }

    [Test]
    public void BatchPlan_OrderIsAPermutation_RepeatsWithSeed_DiffersOtherwise()
    {
        var plan = new BatchPlan(1000, 64, shuffle: true, dropLast: false, seed: 123);
        int[] o = plan.Order(0);
        Assert.That(o.OrderBy(x => x), Is.EqualTo(Enumerable.Range(0, 1000)));
        Assert.That(o, Is.Not.EqualTo(Enumerable.Range(0, 1000)));
        Assert.That(new BatchPlan(1000, 64, true, false, 123).Order(0), Is.EqualTo(o));
        Assert.That(new BatchPlan(1000, 64, true, false, 124).Order(0), Is.Not.EqualTo(o));
        Assert.That(plan.Order(1), Is.Not.EqualTo(o));
        Assert.That(plan.Order(1).OrderBy(x => x), Is.EqualTo(Enumerable.Range(0, 1000)));
    }

    [Test]
    public void BatchPlan_WithoutShuffleKeepsTheOrder()
    {
        var plan = new BatchPlan(10, 4, shuffle: false, dropLast: false, seed: 1);
        Assert.That(plan.Order(3), Is.EqualTo(Enumerable.Range(0, 10)));
    }

    [TestCase(false, 3, 2)]
    [TestCase(true, 2, 4)]
    public void BatchPlan_CutsBatches_DropLastOrNot(bool dropLast, int batches, int lastSize)
    {
        var plan = new BatchPlan(10, 4, shuffle: true, dropLast, seed: 9);
        var b = plan.Batches(2);
        Assert.That(plan.BatchesPerEpoch, Is.EqualTo(batches));
        Assert.That(b, Has.Count.EqualTo(batches));
        Assert.That(b[^1].Length, Is.EqualTo(lastSize));
        var all = b.SelectMany(x => x.ToArray()).ToArray();
        Assert.That(all, Is.EqualTo(plan.Order(2)[..all.Length]));
        Assert.That(all.Distinct().Count(), Is.EqualTo(all.Length));
    }

    [Test]
    public void FisherYates_IsUniformOnThreeElements()
    {
        var g = new SplitMix64(77);
        var counts = new Dictionary<string, int>();
        for (int i = 0; i < 60_000; i++)
        {
            int[] a = [0, 1, 2];
            BatchPlan.FisherYates<int>(a, g);
            string k = string.Join("", a);
            counts[k] = counts.GetValueOrDefault(k) + 1;
        }
        Assert.That(counts, Has.Count.EqualTo(6));
        Assert.That(counts.Values, Is.All.InRange(9_400, 10_600));   // 10,000 expected, sd ~91
    }

    [Test]
    public void Prefetcher_DeliversInOrderAndProducesAhead()
    {
        using var nextStarted = new ManualResetEventSlim();
        using var p = new Prefetcher<int>(5, i =>
        {
            if (i == 1) nextStarted.Set();
            return i * i;
        });
        Assert.That(p.Take(), Is.EqualTo(0));
        // Batch 1 is built on the worker without the consumer asking for it.
        Assert.That(nextStarted.Wait(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(p.ToList(), Is.EqualTo(new[] { 1, 4, 9, 16 }));
        Assert.Throws<InvalidOperationException>(() => p.Take());
    }

    [Test]
    public void Prefetcher_IsBoundedByItsCapacity()
    {
        int started = 0;
        using var p = new Prefetcher<int>(100, i => { Interlocked.Increment(ref started); return i; }, capacity: 2);
        Thread.Sleep(300);
        // Two finished items wait in the channel and a third waits to be written: nothing more is built.
        Assert.That(Volatile.Read(ref started), Is.LessThanOrEqualTo(3));
        Assert.That(p.Take(), Is.EqualTo(0));
        Thread.Sleep(100);
        Assert.That(Volatile.Read(ref started), Is.LessThanOrEqualTo(4));
    }

    [Test]
    public void Prefetcher_ProducerErrorArrivesWithItsItem()
    {
        using var p = new Prefetcher<int>(10, i => i == 3 ? throw new DatasetFormatException("bad batch 3") : i);
        Assert.That(new[] { p.Take(), p.Take(), p.Take() }, Is.EqualTo(new[] { 0, 1, 2 }));
        var e = Assert.Throws<DatasetFormatException>(() => p.Take())!;
        Assert.That(e.Message, Is.EqualTo("bad batch 3"));
    }

    sealed class Buffer(List<int> disposed, int id) : IDisposable
    {
        public int Id => id;
        public void Dispose() { lock (disposed) disposed.Add(id); }
    }

    [Test]
    public void Prefetcher_DisposeStopsTheWorkerAndDisposesUntakenItems()
    {
        var disposed = new List<int>();
        var p = new Prefetcher<Buffer>(100, i => new Buffer(disposed, i));
        var first = p.Take();
        Thread.Sleep(100);
        p.Dispose();
        lock (disposed)
        {
            Assert.That(disposed, Does.Not.Contain(first.Id));   // taken items belong to the consumer
            Assert.That(disposed, Is.Not.Empty);
            Assert.That(disposed.Max(), Is.LessThan(10));
        }
        Assert.Throws<ObjectDisposedException>(() => p.Take());
    }
}
