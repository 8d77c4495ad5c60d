using Pade.Engine;

namespace Pade.Layers;

/// <summary>Flattens dims startDim..endDim into one, as torch.nn.Flatten (default: all but the batch dim).</summary>
public sealed partial class Flatten(int startDim = 1, int endDim = -1) : Module
{
    public int StartDim { get; } = startDim;
    public int EndDim { get; } = endDim;

    public override Tensor Forward(Tensor input) => input.Flatten(StartDim, EndDim);

    public override string ExtraRepr() => $"start_dim={StartDim}, end_dim={EndDim}";
}

/// <summary>Returns its input (torch.nn.Identity): a placeholder where a layer is optional.</summary>
public sealed partial class Identity : Module
{
    public override Tensor Forward(Tensor input) => input;
}

/// <summary>
/// Splits dim <see cref="Dim"/> into <see cref="UnflattenedSize"/>, as torch.nn.Unflatten (Tensor.unflatten): one
/// size may be −1 and is inferred; the sizes must multiply up to the dim's size. A view, so the gradient is the
/// reshape back.
/// </summary>
public sealed partial class Unflatten : Module
{
    public Unflatten(int dim, int[] unflattenedSize)
    {
        ArgumentNullException.ThrowIfNull(unflattenedSize);
        if (unflattenedSize.Length == 0) throw new ArgumentException("Unflatten: unflattened_size must be non-empty");
        if (unflattenedSize.Count(s => s == -1) > 1) throw new ArgumentException($"Unflatten: only one dimension can be inferred, got unflattened_size {PyRepr.Tuple(unflattenedSize)}");
        if (unflattenedSize.Any(s => s < -1)) throw new ArgumentException($"Unflatten: invalid size in unflattened_size {PyRepr.Tuple(unflattenedSize)}");
        Dim = dim;
        UnflattenedSize = (int[])unflattenedSize.Clone();
    }

    public int Dim { get; }
    public int[] UnflattenedSize { get; }

    public override Tensor Forward(Tensor input) => input.Reshape(OutputShape(input.ShapeCopy()));

    /// <summary>The shape after unflattening <paramref name="shape"/> (the −1 resolved), or PyTorch's error.</summary>
    public int[] OutputShape(int[] shape)
    {
        if (shape.Length == 0) throw new ArgumentException($"{Describe()}: cannot unflatten a 0-d tensor");
        int d = Shapes.NormalizeAxis("unflatten", Dim, shape.Length);
        var sizes = (int[])UnflattenedSize.Clone();
        int inferred = Array.IndexOf(sizes, -1);
        long known = sizes.Where(s => s != -1).Aggregate(1L, (a, b) => a * b);
        if (inferred >= 0)
        {
            if (known == 0 || shape[d] % known != 0)
                throw new ArgumentException($"{Describe()}: Provided sizes {PyRepr.Tuple(UnflattenedSize)} don't multiply up to the size of dim {Dim} ({shape[d]}) in the input tensor of shape {Shapes.Format(shape)}");
            sizes[inferred] = (int)(shape[d] / known);
        }
        else if (known != shape[d])
            throw new ArgumentException($"{Describe()}: Provided sizes {PyRepr.Tuple(UnflattenedSize)} don't multiply up to the size of dim {Dim} ({shape[d]}) in the input tensor of shape {Shapes.Format(shape)}");
        return [.. shape[..d], .. sizes, .. shape[(d + 1)..]];
    }

    /// <summary>"dim=1, unflattened_size=(2, 5)", as PyTorch prints it.</summary>
    public override string ExtraRepr() => $"dim={Dim}, unflattened_size={PyRepr.Tuple(UnflattenedSize)}";
}
