using Pade.Kernels.Interop;

namespace Pade.Kernels.Parity;

/// <summary>
/// The outcome of one parity case: the GPU kernel's output against the CPU backend's on the same inputs.
/// An output element passes when |gpu − cpu| ≤ atol + rtol·|cpu| (NaN matches NaN only).
/// </summary>
/// <param name="Kernel">The backend method (and variant) checked, e.g. "Binary(Add) f32".</param>
/// <param name="Shapes">The input shapes, as the case describes them.</param>
/// <param name="MaxAbsErr">The largest |gpu − cpu| over every output element (NaN if an output was NaN on one side only).</param>
/// <param name="Tolerance">atol and rtol of each output, in words.</param>
/// <param name="Passed">True when every element of every output is within its tolerance.</param>
/// <param name="FirstMismatches">Up to <see cref="ParityCheck.MaxReported"/> failing elements ("probs[3, 7]: cpu 0.25,
/// gpu 0.2501, |diff| 1E-04 > 1.3E-06"), or the exception a failing kernel threw.</param>
/// <param name="ContextLost">The case ended in a sticky CUDA error (a fault inside a kernel): the context is dead and
/// no later case can run in this process.</param>
public sealed record ParityResult(string Kernel, string Shapes, double MaxAbsErr, string Tolerance, bool Passed,
    IReadOnlyList<string> FirstMismatches, bool ContextLost = false)
{
    public override string ToString() =>
        $"{Kernel} {Shapes}: {(Passed ? "ok" : "FAILED")}, max |err| {MaxAbsErr:G3} ({Tolerance})" +
        (FirstMismatches.Count == 0 ? "" : "\n  " + string.Join("\n  ", FirstMismatches));
}

/// <summary>One named check. <see cref="Run"/> needs a GPU; constructing and listing cases does not.</summary>
/// <param name="Name">Unique, stable name (a test name and a row of `pade gpu check`).</param>
/// <param name="Kernel">The backend method it exercises.</param>
/// <param name="launches">The CUDA entry points the case is meant to launch (file, name); the run fails when one
/// was not, and the coverage test counts them.</param>
public sealed class ParityCase(string name, string kernel, Func<ParityContext, ParityResult> body,
    IReadOnlyList<(string File, string Kernel)>? launches = null)
{
    public string Name { get; } = name;
    public string Kernel { get; } = kernel;
    public IReadOnlyList<(string File, string Kernel)> Launches { get; } = launches ?? [];

    /// <summary>Runs the case on <paramref name="device"/> (registering the CUDA backend on it); an exception
    /// becomes a failed result carrying its message, so one broken kernel does not stop a whole check.</summary>
    public ParityResult Run(CudaDevice device)
    {
        try
        {
            var before = CudaDevice.LaunchCounts();
            var result = body(new ParityContext(CudaBackend.Use(device)));
            // A fault inside one of this case's kernels surfaces here, charged to this case, not to the next one.
            device.Synchronize();
            var missing = LaunchCheck.NotLaunched(Launches, before);
            if (missing.Count == 0) return result;
            return result with
            {
                Passed = false,
                FirstMismatches = [.. result.FirstMismatches, .. missing.Select(m => $"declared kernel {m} was not launched")],
            };
        }
        catch (CudaException e) when (CudaCheck.IsSticky(e.Result))
        {
            return new ParityResult(Kernel, "", double.NaN, "", false, [$"{e.GetType().Name}: {e.Message}"], ContextLost: true);
        }
        catch (Exception e)
        {
            return new ParityResult(Kernel, "", double.NaN, "", false, [$"{e.GetType().Name}: {e.Message}"]);
        }
    }

    public override string ToString() => Name;
}
