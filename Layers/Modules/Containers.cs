using Pade.Engine;

namespace Pade.Layers;

/// <summary>
/// Applies its children in order; children are named "0", "1", ... as in PyTorch. As torch.nn.Sequential it
/// appends, inserts, extends, pops, reads and replaces by index (negative from the end) and slices: a slice is a
/// new Sequential of the same modules that keeps their names ("1", "2", ...), as PyTorch's does, while removing
/// or inserting renumbers this one from 0.
/// </summary>
public sealed partial class Sequential : Module, IEnumerable<Module>
{
    private readonly List<Module> _layers = [];
    private readonly List<string> _names = [];

    public Sequential(params Module[] layers)
    {
        foreach (var l in layers) Add(l);
    }

    private Sequential(IEnumerable<(string Name, Module Module)> named)
    {
        foreach (var (n, m) in named) Set(n, m);
    }

    /// <summary>Adds a layer at the end under the name of the current count (PyTorch's append).</summary>
    public Sequential Add(Module layer) => Set(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);

    /// <summary>Adds a layer at the end (torch.nn.Sequential.append).</summary>
    public Sequential Append(Module layer) => Add(layer);

    /// <summary>Appends each layer of <paramref name="layers"/> (torch.nn.Sequential.extend).</summary>
    public Sequential Extend(IEnumerable<Module> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var l in layers.ToList()) Add(l);
        return this;
    }

    /// <summary>Inserts a layer before position <paramref name="index"/> (in [−Count, Count]), shifting the later
    /// ones up by one name, as torch.nn.Sequential.insert.</summary>
    public Sequential Insert(int index, Module layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        int n = _layers.Count;
        if (index < -n || index > n) throw new ArgumentOutOfRangeException(nameof(index), $"Sequential.insert: Index out of range: {index} (length {n})");
        if (index < 0) index += n;
        _layers.Insert(index, layer);
        Renumber();
        return this;
    }

    /// <summary>Removes and returns the layer at <paramref name="index"/>, renumbering the rest (torch's pop).</summary>
    public Module Pop(int index)
    {
        int i = Wrap(index);
        var m = _layers[i];
        _layers.RemoveAt(i);
        Renumber();
        return m;
    }

    /// <summary>Removes the layer at <paramref name="index"/> and renumbers the rest (del seq[i]).</summary>
    public void RemoveAt(int index) => Pop(index);

    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="i"/> (negative counts from the end); setting replaces it under its name.</summary>
    public Module this[int i]
    {
        get => _layers[Wrap(i)];
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            int k = Wrap(i);
            Set(_names[k], value, k);
        }
    }

    /// <summary>seq[a:b]: a new Sequential of those layers, keeping their names.</summary>
    public Sequential this[Range range]
    {
        get
        {
            var (start, length) = range.GetOffsetAndLength(_layers.Count);
            return new Sequential(Enumerable.Range(start, length).Select(i => (_names[i], _layers[i])));
        }
    }

    /// <summary>seq[start:stop:step] with Python's rules for negative and out-of-range bounds; names kept.</summary>
    public Sequential Slice(int? start = null, int? stop = null, int step = 1) =>
        new(SliceIndices(_layers.Count, start, stop, step).Select(i => (_names[i], _layers[i])));

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var l in _layers) x = l.Call(x);
        return x;
    }

    public IEnumerator<Module> GetEnumerator() => _layers.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private Sequential Set(string name, Module layer, int at = -1)
    {
        ArgumentNullException.ThrowIfNull(layer);
        RegisterModule(name, layer);
        if (at < 0) at = _names.IndexOf(name);
        if (at >= 0) _layers[at] = layer;
        else { _names.Add(name); _layers.Add(layer); }
        return this;
    }

    private void Renumber()
    {
        ClearModules();
        _names.Clear();
        for (int i = 0; i < _layers.Count; i++)
        {
            _names.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            RegisterModule(_names[i], _layers[i]);
        }
    }

    private int Wrap(int i) => ContainerIndex.Wrap(i, _layers.Count);

    /// <summary>The indices a Python slice start:stop:step selects from a sequence of length n.</summary>
    internal static IEnumerable<int> SliceIndices(int n, int? start, int? stop, int step)
    {
        if (step == 0) throw new ArgumentException("slice step cannot be zero");
        int Clamp(int? v, int dflt, int lo, int hi) => v is int x ? Math.Clamp(x < 0 ? x + n : x, lo, hi) : dflt;
        if (step > 0)
        {
            int a = Clamp(start, 0, 0, n), b = Clamp(stop, n, 0, n);
            for (int i = a; i < b; i += step) yield return i;
        }
        else
        {
            int a = Clamp(start, n - 1, -1, n - 1), b = Clamp(stop, -1, -1, n - 1);
            for (int i = a; i > b; i += step) yield return i;
        }
    }
}

/// <summary>
/// Holds modules by index without a forward of its own, as torch.nn.ModuleList: names "0", "1", ...; append,
/// extend, insert, pop, negative indices and slices (a slice is a new list numbered from 0, as PyTorch's).
/// </summary>
public sealed class ModuleList : Module, IEnumerable<Module>
{
    private readonly List<Module> _items = [];

    public ModuleList(params Module[] items)
    {
        foreach (var m in items) Add(m);
    }

    public void Add(Module m)
    {
        ArgumentNullException.ThrowIfNull(m);
        RegisterModule(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), m);
        _items.Add(m);
    }

    /// <summary>torch.nn.ModuleList.append.</summary>
    public ModuleList Append(Module m)
    {
        Add(m);
        return this;
    }

    /// <summary>torch.nn.ModuleList.extend.</summary>
    public ModuleList Extend(IEnumerable<Module> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var m in modules.ToList()) Add(m);
        return this;
    }

    /// <summary>Inserts before <paramref name="index"/> (negative counts from the end; beyond the ends clamps, as
    /// Python's list.insert which ModuleList.insert follows) and renumbers.</summary>
    public void Insert(int index, Module m)
    {
        ArgumentNullException.ThrowIfNull(m);
        int n = _items.Count;
        int i = index < 0 ? Math.Max(index + n, 0) : Math.Min(index, n);
        _items.Insert(i, m);
        Renumber();
    }

    /// <summary>Removes and returns the module at <paramref name="index"/>, renumbering the rest.</summary>
    public Module Pop(int index)
    {
        int i = ContainerIndex.Wrap(index, _items.Count);
        var m = _items[i];
        _items.RemoveAt(i);
        Renumber();
        return m;
    }

    public int Count => _items.Count;

    /// <summary>The module at <paramref name="i"/> (negative counts from the end); setting replaces it.</summary>
    public Module this[int i]
    {
        get => _items[ContainerIndex.Wrap(i, _items.Count)];
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            int k = ContainerIndex.Wrap(i, _items.Count);
            _items[k] = value;
            RegisterModule(k.ToString(System.Globalization.CultureInfo.InvariantCulture), value);
        }
    }

    /// <summary>list[a:b]: a new ModuleList of those modules, numbered from 0.</summary>
    public ModuleList this[Range range]
    {
        get
        {
            var (start, length) = range.GetOffsetAndLength(_items.Count);
            return new ModuleList([.. _items.GetRange(start, length)]);
        }
    }

    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException("ModuleList has no forward: iterate over its modules");

    public IEnumerator<Module> GetEnumerator() => _items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private void Renumber()
    {
        ClearModules();
        for (int i = 0; i < _items.Count; i++) RegisterModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture), _items[i]);
    }
}

/// <summary>Python's index rules for the containers: −n ≤ i &lt; n, negative counting from the end.</summary>
internal static class ContainerIndex
{
    public static int Wrap(int i, int n)
    {
        if (i < -n || i >= n) throw new ArgumentOutOfRangeException(nameof(i), $"index {i} is out of range (length {n})");
        return i < 0 ? i + n : i;
    }
}
