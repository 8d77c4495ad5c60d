using System.Collections.Concurrent;
using NUnit.Framework;
using Pade.Engine.Cpu;

namespace Pade.Tests.Engine;

/// <summary>Nested parallel loops run serially: a GEMM called from a convolution chunk must not fork again.</summary>
[NonParallelizable]
public class CpuParallelTests
{
    [Test]
    public void InsideAChunkOneThreadIsAvailableAndNestedLoopsStayOnTheirThread()
    {
        int saved = CpuParallel.Threads;
        try
        {
            CpuParallel.Threads = 2;
            Assert.That(CpuParallel.Available, Is.EqualTo(2));
            var seen = new ConcurrentBag<(int Available, bool SameThread)>();
            CpuParallel.For(8, _ =>
            {
                int outer = Environment.CurrentManagedThreadId;
                seen.Add((CpuParallel.Available, true));
                CpuParallel.For(8, _ => seen.Add((CpuParallel.Available, Environment.CurrentManagedThreadId == outer)), 1 << 20);
            }, 1 << 20);
            Assert.That(seen, Has.Count.EqualTo(8 + 64));
            Assert.That(seen.All(s => s.Available == 1 && s.SameThread), Is.True);
            Assert.That(CpuParallel.Available, Is.EqualTo(2), "the flag is cleared after the loop");
        }
        finally { CpuParallel.Threads = saved; }
    }
}
