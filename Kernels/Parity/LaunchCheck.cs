using System.Text.RegularExpressions;

namespace Pade.Kernels.Parity;

/// <summary>
/// Whether a case launched the kernels it declares: the snapshot of <see cref="CudaDevice.LaunchCounts"/> before
/// the case against the one after. A declared name may hold '*' (any run of characters) where the backend picks
/// the variant (the GEMM tile); such a pattern is met by any matching kernel.
/// </summary>
public static class LaunchCheck
{
    /// <summary>The declared kernels not launched since <paramref name="before"/>, as "file:name".</summary>
    public static List<string> NotLaunched(IEnumerable<(string File, string Kernel)> declared,
        IReadOnlyDictionary<(string File, string Kernel), long> before)
    {
        var after = CudaDevice.LaunchCounts();
        var missing = new List<string>();
        foreach (var (file, kernel) in declared.Distinct())
        {
            var pattern = new Regex("^" + Regex.Escape(kernel).Replace("\\*", ".*") + "$");
            bool launched = after.Any(kv => kv.Key.File == file && pattern.IsMatch(kv.Key.Kernel)
                && kv.Value > before.GetValueOrDefault(kv.Key));
            if (!launched) missing.Add($"{file}:{kernel}");
        }
        return missing;
    }

    /// <summary>Whether a declared name is a pattern (it then covers no particular kernel in the coverage test).</summary>
    public static bool IsPattern(string kernel) => kernel.Contains('*');
}
