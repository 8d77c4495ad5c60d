using Pade.Engine;

namespace Pade.Layers;

/// <summary>Applies its children in order; children are named "0", "1", ... as in PyTorch.</summary>
public sealed partial class Sequential : Module
{
    private readonly List<Module> _layers = [];

    public Sequential(params Module[] layers)
    {
        foreach (var l in layers) Add(l);
    }

    public Sequential Add(Module layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    public int Count => _layers.Count;
    public Module this[int i] => _layers[i];

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var l in _layers) x = l.Call(x);
        return x;
    }
}

/// <summary>Holds modules by index without a forward of its own.</summary>
public sealed class ModuleList : Module, IEnumerable<Module>
{
    private readonly List<Module> _items = [];

    public ModuleList(params Module[] items)
    {
        foreach (var m in items) Add(m);
    }

    public void Add(Module m)
    {
        RegisterModule(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), m);
        _items.Add(m);
    }

    public int Count => _items.Count;
    public Module this[int i] => _items[i];

    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException("ModuleList has no forward: iterate over its modules");

    public IEnumerator<Module> GetEnumerator() => _items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
