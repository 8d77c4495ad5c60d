using Pade.Engine;
using Pade.Kernels.Parity;

namespace Pade.Kernels.OpCases;

/// <summary>
/// Runs an <see cref="OpCase"/> on a device and compares it with the CPU: the one helper behind the op tests on
/// every device and `pade gpu check`.
/// </summary>
/// <remarks>
/// Inputs are drawn in float64 from a Philox stream seeded by the case's name and rounded to the dtype under test;
/// the reference gets exactly those rounded values (in float64), so the comparison measures the device's arithmetic,
/// not the rounding of its inputs. The upstream gradient of output 0 is drawn and rounded the same way.
/// </remarks>
public static class OpCheck
{
    /// <summary>Machine epsilon of a dtype (2⁻²³ or 2⁻⁵²).</summary>
    public static double Eps(DType dtype) => dtype == DType.Float64 ? Math.Pow(2, -52) : Math.Pow(2, -23);

    /// <summary>Runs <paramref name="c"/> in <paramref name="dtype"/> on <paramref name="device"/> (CUDA must be
    /// registered for a cuda device). Never throws: an exception becomes a failed result carrying it.</summary>
    public static ParityResult Run(OpCase c, Device device, DType dtype)
    {
        var name = c.NameFor(dtype);
        try
        {
            return RunCore(c, device, dtype, name);
        }
        catch (Exception e)
        {
            // The first frames say which op or kernel threw; the whole trace would drown the table.
            var frames = (e.StackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(4);
            return new ParityResult(name, Shapes(c), double.NaN, "", false,
                [$"{e.GetType().Name}: {e.Message}", .. frames]);
        }
    }

    private static ParityResult RunCore(OpCase c, Device device, DType dtype, string name)
    {
        ulong seed = Seed(name);
        var values = new Tensor[c.Inputs.Length];
        for (int i = 0; i < values.Length; i++) values[i] = Generate(c.Inputs[i], dtype, seed + (ulong)i * 7919);

        var launchedBefore = device.Type == DeviceType.Cuda ? CudaDevice.LaunchCounts() : null;
        bool selfCompare = device.Type == DeviceType.Cpu && c.ComparesCpuWithItself(dtype);
        var refType = c.Reference == ReferenceKind.SameDType ? dtype : DType.Float64;
        Tensor? upstream = null;
        Tensor Upstream(int[] shape) => upstream ??= Generate(new OpInput("dy", shape), dtype, seed ^ 0xD1CEu);

        var label = $"{device.Type.ToString().ToLowerInvariant()} {CudaBackend.Suffix(dtype)}";
        var check = new ParityCheck(name, Shapes(c), $"cpu {CudaBackend.Suffix(refType)}", label);
        var (outputs, grads) = Execute(c, new OpEnv(device, dtype, dtype, false), values, Upstream);
        if (!selfCompare)
        {
            var (refOutputs, refGrads) = Execute(c, new OpEnv(Device.Cpu, refType, dtype, true), values, Upstream);
            if (refOutputs.Length != outputs.Length)
                check.Fail($"{outputs.Length} outputs, the reference has {refOutputs.Length}");
            for (int i = 0; i < Math.Min(outputs.Length, refOutputs.Length); i++)
            {
                var tol = c.OutputTols?[i] ?? c.Tol;
                check.Compare(OutputName(c, i), refOutputs[i], outputs[i], tol.AbsFor(dtype), tol.RelFor(dtype));
            }
            for (int i = 0; i < grads.Length; i++)
            {
                if (grads[i] == null && refGrads[i] == null) continue;
                var gname = "d" + c.Inputs[i].Name;
                if (grads[i] == null || refGrads[i] == null)
                {
                    check.Fail($"{gname}: no gradient reached the input on {(grads[i] == null ? label : "the reference")}");
                    continue;
                }
                var tol = c.GradTols?[i] ?? c.GradTol ?? c.Tol;
                check.Compare(gname, refGrads[i]!, grads[i]!, tol.AbsFor(dtype), tol.RelFor(dtype));
            }
        }
        if (c.Property?.Invoke(values, outputs) is { } broken) check.Fail($"property: {broken}");
        if (launchedBefore != null)
            foreach (var missing in LaunchCheck.NotLaunched(c.KernelsFor(dtype), launchedBefore))
                check.Fail($"declared kernel {missing} was not launched");
        return check.Result();
    }

    /// <summary>Runs the body on <paramref name="env"/>'s device and dtype: outputs and input gradients, on the CPU.</summary>
    private static (Tensor[] Outputs, Tensor?[] Grads) Execute(OpCase c, OpEnv env, Tensor[] values, Func<int[], Tensor> upstream)
    {
        var leaves = new Tensor[values.Length];
        var args = new Tensor[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            var spec = c.Inputs[i];
            var v = spec.IsIndex ? values[i] : values[i].To(env.DType);
            // A fresh tensor each run: requires-grad, gradients and in-place updates must not leak between runs.
            leaves[i] = v.Device == env.Device ? v.Clone() : v.To(env.Device);
            if (!spec.IsIndex && spec.Grad && c.Backward) leaves[i].RequiresGrad = true;
            args[i] = spec.View?.Invoke(leaves[i]) ?? leaves[i];
        }
        var outputs = c.Body(env, args);
        if (c.Backward)
        {
            var y = outputs[0];
            y.Backward(upstream(y.ShapeCopy()).To(y.DType).To(env.Device));
        }
        var grads = leaves.Select(l => l.RequiresGrad ? l.Grad?.Detach().Cpu() : null).ToArray();
        return (outputs.Select(o => o.Detach().Cpu()).ToArray(), grads);
    }

    /// <summary>Float64 (or int32) values on the CPU, rounded to <paramref name="dtype"/> for float inputs.</summary>
    private static Tensor Generate(OpInput spec, DType dtype, ulong seed)
    {
        var u = Tensor.Rand(spec.Shape, spec.Lo, spec.Hi, DType.Float64, Device.Cpu, new Generator(seed));
        switch (spec.Kind)
        {
            case InputKind.Index:
                var v = u.ToArray<double>();
                return Tensor.FromSpan<int>(Array.ConvertAll(v, d => (int)Math.Floor(d)), spec.Shape);
            case InputKind.Coarse:
                var q = u.ToArray<double>();
                for (int i = 0; i < q.Length; i++) q[i] = Math.Floor(q[i] * 4) / 4;
                return Tensor.FromSpan<double>(q, spec.Shape);
            default:
                return u.To(dtype).To(DType.Float64);
        }
    }

    private static string OutputName(OpCase c, int i) =>
        c.OutputNames != null && i < c.OutputNames.Length ? c.OutputNames[i] : i == 0 ? "y" : $"y{i}";

    private static string Shapes(OpCase c) => string.Join(", ", c.Inputs.Select(i => i.ToString()));

    /// <summary>FNV-1a of the name: stable across processes (string.GetHashCode is randomised per process).</summary>
    internal static ulong Seed(string name)
    {
        ulong h = 14695981039346656037;
        foreach (char ch in name) h = (h ^ ch) * 1099511628211;
        return h;
    }

    /// <summary>"elementwise.cu:unary_{t}" for float32 → ("elementwise.cu", "unary_f32").</summary>
    internal static (string File, string Kernel) ParseKernel(string declared, DType dtype)
    {
        int colon = declared.IndexOf(':');
        if (colon < 0) throw new ArgumentException($"kernel '{declared}' must be written file.cu:entry");
        return (declared[..colon], declared[(colon + 1)..].Replace("{t}", CudaBackend.Suffix(dtype)));
    }
}
