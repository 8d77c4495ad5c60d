using System.Globalization;
using System.Text;
using Pade.Engine;

namespace Pade.Layers;

/// <summary>
/// A layer table in the manner of torchsummary: one forward pass of a zero batch of one sample (in evaluation
/// mode, without recording the graph; the modes are restored after) with a forward hook on every module except
/// containers and the root, listing in execution order each module's dotted name, type, output shape and own
/// parameter count, then the totals (parameters, trainable parameters, buffer elements).
/// </summary>
public static class ModelSummary
{
    public static string Summary(this Module model, params int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        var dtype = model.Parameters().FirstOrDefault()?.DType ?? DType.Float32;
        var device = model.Parameters().FirstOrDefault()?.Device ?? Device.Cpu;
        var rows = new List<(string Name, string Type, string Shape, long Params)>();
        var hooks = new List<IDisposable>();
        foreach (var (name, m) in model.NamedModules())
        {
            if (name.Length == 0 || m is Sequential || m is ModuleList) continue;
            string n = name;
            hooks.Add(m.RegisterForwardHook((mod, _, output) =>
                rows.Add((n, mod.GetType().Name, Shapes.Format(output.Shape), mod.LocalParameters().Sum(p => p.Parameter.Numel)))));
        }
        var modes = model.NamedModules().Select(m => (m.Module, m.Module.Training)).ToList();
        int[] outShape;
        try
        {
            model.Eval();
            using var _ = Tensor.NoGrad();
            outShape = model.Call(Tensor.Zeros([1, .. inputShape], dtype, device)).ShapeCopy();
        }
        finally
        {
            foreach (var h in hooks) h.Dispose();
            foreach (var (m, training) in modes) m.Train(training);   // pre-order: each module ends with its own mode
        }

        long total = model.ParameterCount();
        long trainable = model.Parameters().Where(p => p.RequiresGrad).Sum(p => p.Numel);
        long buffers = model.NamedBuffers().Sum(b => b.Buffer.Numel);
        int wName = Math.Max(10, rows.Select(r => r.Name.Length).DefaultIfEmpty(0).Max());
        int wType = Math.Max(10, rows.Select(r => r.Type.Length).DefaultIfEmpty(0).Max());
        int wShape = Math.Max(14, rows.Select(r => r.Shape.Length).DefaultIfEmpty(0).Max());
        int width = wName + wType + wShape + 16;
        var sb = new StringBuilder();
        string line = new('-', width);
        sb.AppendLine($"{model.GetType().Name}, input {Shapes.Format([1, .. inputShape])}");
        sb.AppendLine(line);
        sb.AppendLine($"{"Layer".PadRight(wName)}  {"Type".PadRight(wType)}  {"Output shape".PadRight(wShape)}  {"Param #",12}");
        sb.AppendLine(new string('=', width));
        foreach (var (name, type, shape, p) in rows)
            sb.AppendLine($"{name.PadRight(wName)}  {type.PadRight(wType)}  {shape.PadRight(wShape)}  {N(p),12}");
        sb.AppendLine(new string('=', width));
        sb.AppendLine($"Output shape: {Shapes.Format(outShape)}");
        sb.AppendLine($"Total params: {N(total)}");
        sb.AppendLine($"Trainable params: {N(trainable)}");
        sb.AppendLine($"Non-trainable params: {N(total - trainable)}");
        sb.AppendLine($"Buffer elements: {N(buffers)}");
        sb.AppendLine($"Parameter size (MB): {(total * dtype.SizeInBytes() / 1048576.0).ToString("F2", CultureInfo.InvariantCulture)}");
        sb.Append(line);
        return sb.ToString();
    }

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
}
