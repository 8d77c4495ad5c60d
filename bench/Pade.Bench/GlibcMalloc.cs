using System.Runtime.InteropServices;

namespace Pade.Bench;

/// <summary>
/// Makes glibc's malloc (which libtorch's CPU allocator calls through posix_memalign) keep freed memory in the
/// process instead of handing it back to the kernel.
/// </summary>
/// <remarks>
/// Why: glibc serves blocks above 32 MiB with a fresh mmap and unmaps them on free, so every out-of-place op on
/// 16M floats (64 MiB) page-faults its whole result again: on this VM a first-touched page costs ~11 µs, i.e.
/// ~180 ms per 64 MiB, which would make torch look 20x slower than its kernels are. Pade's side keeps its memory
/// (Directory.Build.props sets RetainVMGarbageCollection for the same reason), so the fair peer keeps it too, as a
/// caching allocator would. Equivalent to starting the process with MALLOC_MMAP_MAX_=0 and a huge
/// MALLOC_TRIM_THRESHOLD_. The <c>--torch-malloc system</c> option skips this to measure glibc's default.
/// </remarks>
public static partial class GlibcMalloc
{
    const int MTrimThreshold = -1, MTopPad = -2, MMmapMax = -4; // from glibc's <malloc.h>

    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);

    /// <summary>Serves every block from the heap (no mmap per block) and never trims the heap's top.</summary>
    /// <returns>A line for the log and the report.</returns>
    public static string RetainFreedMemory()
    {
        if (!OperatingSystem.IsLinux()) return "glibc malloc: not Linux, left as it is";
        bool ok = Mallopt(MMmapMax, 0) == 1
                  & Mallopt(MTrimThreshold, int.MaxValue) == 1
                  & Mallopt(MTopPad, 64 << 20) == 1;
        return ok
            ? "glibc malloc: freed memory is kept in the process (mallopt M_MMAP_MAX=0, M_TRIM_THRESHOLD=2^31-1, M_TOP_PAD=64 MiB)"
            : "glibc malloc: mallopt refused a setting; torch may page-fault its large results on every call";
    }
}
