namespace Pade.Kernels;

/// <summary>
/// The kernels launched since the last synchronising call. A fault inside a kernel is reported by whichever call
/// next waits for the GPU (often a copy to the host), so when one comes, these are the suspects.
/// </summary>
internal static class LaunchLog
{
    private const int Kept = 8;
    private static readonly Lock Gate = new();
    private static readonly Queue<string> Recent = new();
    private static long _count;

    public static void Record(string kernel)
    {
        lock (Gate)
        {
            if (Recent.Count == Kept) Recent.Dequeue();
            Recent.Enqueue(kernel);
            _count++;
        }
    }

    /// <summary>After a call that waited for all launched work and succeeded: none of them faulted.</summary>
    public static void Clear()
    {
        lock (Gate)
        {
            Recent.Clear();
            _count = 0;
        }
    }

    /// <summary>"unary_f32, gemm_f32_64_nn (and 12 earlier)", or "none".</summary>
    public static string Describe()
    {
        lock (Gate)
        {
            if (_count == 0) return "none";
            var names = string.Join(", ", Recent);
            return _count > Recent.Count ? $"{names} (and {_count - Recent.Count} earlier)" : names;
        }
    }
}
