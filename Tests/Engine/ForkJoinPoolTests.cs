using System.Collections.Concurrent;
using NUnit.Framework;
using Pade.Engine.Cpu;

namespace Pade.Tests.Engine;

/// <summary>CpuParallel.For on the spinning workers (Engine/Cpu/ForkJoinPool.cs): every chunk exactly once, the
/// thread count respected, nested loops serial, exceptions passed on as thrown, and two callers at once.</summary>
[NonParallelizable]
public class ForkJoinPoolTests
{
    private int _threads;
    private bool _spinning;

    [SetUp]
    public void Save() { _threads = CpuParallel.Threads; _spinning = CpuParallel.SpinningWorkers; CpuParallel.SpinningWorkers = true; }

    [TearDown]
    public void Restore() { CpuParallel.Threads = _threads; CpuParallel.SpinningWorkers = _spinning; }

    [Test]
    public void EveryChunkRunsExactlyOnce([Values(2, 3)] int threads)
    {
        CpuParallel.Threads = threads;
        foreach (int chunks in new[] { 1, 2, 3, 7, 16, 17, 255, 256, 1000, 4099 })
            for (int round = 0; round < 20; round++)
            {
                var counts = new int[chunks];
                CpuParallel.For(chunks, i => Interlocked.Increment(ref counts[i]));
                int bad = Array.FindIndex(counts, c => c != 1);
                Assert.That(bad, Is.EqualTo(-1), $"{chunks} chunks, {threads} threads: chunk {bad} ran {(bad < 0 ? 0 : counts[bad])} times");
            }
    }

    [Test]
    public void UsesNoMoreThreadsThanAskedForAfterTheCountIsLowered()
    {
        CpuParallel.Threads = 3;
        CpuParallel.For(64, _ => Thread.SpinWait(2000));                // starts two workers
        CpuParallel.Threads = 2;
        var ids = new ConcurrentDictionary<int, bool>();
        for (int round = 0; round < 50; round++)
            CpuParallel.For(64, _ => { ids[Environment.CurrentManagedThreadId] = true; Thread.SpinWait(2000); });
        Assert.That(ids.Count, Is.LessThanOrEqualTo(2), "threads that ran chunks with CpuParallel.Threads = 2");
    }

    /// <summary>The thread count going up and down between loops, 3000 times: every chunk once, never more threads
    /// than asked for. A stress test: the race ForkJoinPool's worker loop guards against (a worker that sits a loop
    /// out noticing it only after the next began, and joining that one uncounted) needs the worker preempted between
    /// two reads, and this test did not catch it when the guard was taken out.</summary>
    [Test]
    public void EveryChunkRunsOnceWhileTheThreadCountChangesBetweenLoops()
    {
        var ids = new ConcurrentDictionary<int, bool>();
        for (int loop = 0; loop < 3000; loop++)
        {
            int threads = 2 + loop % 2;
            CpuParallel.Threads = threads;
            var counts = new int[12];
            ids.Clear();
            CpuParallel.For(12, i => { ids[Environment.CurrentManagedThreadId] = true; Interlocked.Increment(ref counts[i]); Thread.SpinWait(50); });
            int bad = Array.FindIndex(counts, c => c != 1);
            Assert.That(bad, Is.EqualTo(-1), $"loop {loop} ({threads} threads): chunk {bad} ran {(bad < 0 ? 0 : counts[bad])} times");
            Assert.That(ids.Count, Is.LessThanOrEqualTo(threads), $"loop {loop}: {ids.Count} threads ran chunks with Threads = {threads}");
        }
    }

    [Test]
    public void ALoopInsideAChunkRunsSeriallyOnItsThread()
    {
        CpuParallel.Threads = 2;
        var outer = new int[8];
        CpuParallel.For(8, i =>
        {
            int me = Environment.CurrentManagedThreadId, others = 0;
            CpuParallel.For(16, _ => { if (Environment.CurrentManagedThreadId != me) Interlocked.Increment(ref others); });
            outer[i] = others == 0 ? 1 : -1;
        });
        Assert.That(outer, Is.All.EqualTo(1), "a nested loop ran chunks on another thread");
    }

    [Test]
    public void AChunksExceptionReachesTheCallerAsThrownAndThePoolGoesOn()
    {
        CpuParallel.Threads = 2;
        var e = Assert.Throws<InvalidOperationException>(() =>
            CpuParallel.For(100, i => { if (i == 37) throw new InvalidOperationException("chunk 37 failed"); }));
        Assert.That(e!.Message, Is.EqualTo("chunk 37 failed"));
        var counts = new int[100];
        CpuParallel.For(100, i => Interlocked.Increment(ref counts[i]));
        Assert.That(counts, Is.All.EqualTo(1), "the loop after a failed one");
    }

    [Test]
    public void TwoCallersAtOnceBothFinishEveryChunk()
    {
        CpuParallel.Threads = 2;
        var a = new int[5000]; var b = new int[5000];
        static void Count(int[] counts)
        {
            for (int r = 0; r < 200; r++)
                CpuParallel.For(25, i => { for (int j = 0; j < 200; j++) Interlocked.Increment(ref counts[i * 200 + j]); });
        }
        var t1 = Task.Run(() => Count(a));
        var t2 = Task.Run(() => Count(b));
        Assert.That(Task.WaitAll([t1, t2], TimeSpan.FromSeconds(60)), Is.True, "the two callers did not finish");
        Assert.That(a, Is.All.EqualTo(200)); Assert.That(b, Is.All.EqualTo(200));
    }

    [Test]
    public void WorkersThatWentToSleepWakeForTheNextLoop()
    {
        CpuParallel.Threads = 2;
        var ids = new ConcurrentDictionary<int, bool>();
        for (int round = 0; round < 5; round++)
        {
            Thread.Sleep(2 * ForkJoinPool.SpinMicroseconds / 1000 + 5);   // past the spin: the worker blocks
            var counts = new int[64];
            CpuParallel.For(64, i => { ids[Environment.CurrentManagedThreadId] = true; Interlocked.Increment(ref counts[i]); Thread.SpinWait(20000); });
            Assert.That(counts, Is.All.EqualTo(1));
        }
        Assert.That(ids.Count, Is.EqualTo(2), "the sleeping worker took no chunk of 5 loops of 64 slow ones");
    }
}
