using System.Text;
using Pade.Engine;

namespace Pade.Layers;

/// <summary>
/// Modules by string key in insertion order, as torch.nn.ModuleDict: the keys are the children's names (so a state
/// dict holds "key.weight"); no forward of its own. Setting an existing key replaces its module in place.
/// </summary>
public sealed class ModuleDict : Module, IEnumerable<KeyValuePair<string, Module>>
{
    private readonly List<string> _keys = [];
    private readonly Dictionary<string, Module> _items = [];

    public ModuleDict() { }

    public ModuleDict(IEnumerable<KeyValuePair<string, Module>> modules) => Update(modules);

    public ModuleDict(params (string Key, Module Module)[] modules)
    {
        foreach (var (k, m) in modules) this[k] = m;
    }

    public Module this[string key]
    {
        get => _items.TryGetValue(key, out var m) ? m : throw new KeyNotFoundException($"ModuleDict: no module under key '{key}' (keys: {string.Join(", ", _keys)})");
        set
        {
            ContainerKey.Check("module", key);
            ArgumentNullException.ThrowIfNull(value);
            if (!_items.ContainsKey(key)) _keys.Add(key);
            _items[key] = value;
            RegisterModule(key, value);
        }
    }

    public int Count => _keys.Count;
    public IReadOnlyList<string> Keys => _keys;
    public IEnumerable<Module> Values => _keys.Select(k => _items[k]);
    public bool ContainsKey(string key) => _items.ContainsKey(key);

    /// <summary>Adds or replaces each (key, module) in order (torch's update).</summary>
    public void Update(IEnumerable<KeyValuePair<string, Module>> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var (k, m) in modules.ToList()) this[k] = m;
    }

    /// <summary>Removes the key and returns its module (torch's pop).</summary>
    public Module Pop(string key)
    {
        var m = this[key];
        _keys.Remove(key);
        _items.Remove(key);
        Reregister();
        return m;
    }

    public void Clear()
    {
        _keys.Clear();
        _items.Clear();
        ClearModules();
    }

    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException("ModuleDict has no forward: look its modules up by key");

    public IEnumerator<KeyValuePair<string, Module>> GetEnumerator() =>
        _keys.Select(k => new KeyValuePair<string, Module>(k, _items[k])).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private void Reregister()
    {
        ClearModules();
        foreach (var k in _keys) RegisterModule(k, _items[k]);
    }
}

/// <summary>
/// Parameters by index, as torch.nn.ParameterList: named "0", "1", ... (a state dict holds "0", "1", or
/// "list.0" inside a model); each tensor added becomes a parameter (requires grad). No forward of its own.
/// </summary>
public sealed class ParameterList : Module, IEnumerable<Tensor>
{
    private readonly List<Tensor> _items = [];

    public ParameterList(params Tensor[] values)
    {
        foreach (var v in values) Append(v);
    }

    public ParameterList Append(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _items.Add(RegisterParameter(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), value)!);
        return this;
    }

    public ParameterList Extend(IEnumerable<Tensor> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var v in values.ToList()) Append(v);
        return this;
    }

    public int Count => _items.Count;

    /// <summary>The parameter at <paramref name="i"/> (negative counts from the end); setting replaces it.</summary>
    public Tensor this[int i]
    {
        get => _items[ContainerIndex.Wrap(i, _items.Count)];
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            int k = ContainerIndex.Wrap(i, _items.Count);
            _items[k] = RegisterParameter(k.ToString(System.Globalization.CultureInfo.InvariantCulture), value)!;
        }
    }

    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException("ParameterList has no forward: iterate over its parameters");

    public IEnumerator<Tensor> GetEnumerator() => _items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Keeps the list in step when <see cref="Module.To"/> replaces a parameter.</summary>
    protected override void OnTensorReplaced(string name, Tensor value) =>
        _items[int.Parse(name, System.Globalization.CultureInfo.InvariantCulture)] = value;

    /// <summary>One line per parameter, "(0): Parameter containing: [torch.float32 of size 2x3]", as PyTorch's.</summary>
    public override string ExtraRepr() =>
        string.Join("\n", _items.Select((p, i) => $"  ({i}): {ContainerKey.Describe(p)}"));

    public override string ToString() => ContainerKey.Repr(this, ExtraRepr());
}

/// <summary>
/// Parameters by string key in insertion order, as torch.nn.ParameterDict: the keys are the parameters' names in
/// a state dict; each tensor set becomes a parameter (requires grad). No forward of its own.
/// </summary>
public sealed class ParameterDict : Module, IEnumerable<KeyValuePair<string, Tensor>>
{
    private readonly List<string> _keys = [];
    private readonly Dictionary<string, Tensor> _items = [];

    public ParameterDict() { }

    public ParameterDict(IEnumerable<KeyValuePair<string, Tensor>> values) => Update(values);

    public ParameterDict(params (string Key, Tensor Value)[] values)
    {
        foreach (var (k, v) in values) this[k] = v;
    }

    public Tensor this[string key]
    {
        get => _items.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"ParameterDict: no parameter under key '{key}' (keys: {string.Join(", ", _keys)})");
        set
        {
            ContainerKey.Check("parameter", key);
            ArgumentNullException.ThrowIfNull(value);
            if (!_items.ContainsKey(key)) _keys.Add(key);
            _items[key] = RegisterParameter(key, value)!;
        }
    }

    public int Count => _keys.Count;
    public IReadOnlyList<string> Keys => _keys;
    public IEnumerable<Tensor> Values => _keys.Select(k => _items[k]);
    public bool ContainsKey(string key) => _items.ContainsKey(key);

    public void Update(IEnumerable<KeyValuePair<string, Tensor>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (k, v) in values.ToList()) this[k] = v;
    }

    /// <summary>Removes the key and returns its parameter (torch's pop).</summary>
    public Tensor Pop(string key)
    {
        var t = this[key];
        _keys.Remove(key);
        _items.Remove(key);
        ClearParameters();
        foreach (var k in _keys) RegisterParameter(k, _items[k]);
        return t;
    }

    public void Clear()
    {
        _keys.Clear();
        _items.Clear();
        ClearParameters();
    }

    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException("ParameterDict has no forward: look its parameters up by key");

    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() =>
        _keys.Select(k => new KeyValuePair<string, Tensor>(k, _items[k])).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    protected override void OnTensorReplaced(string name, Tensor value) => _items[name] = value;

    /// <summary>One line per parameter, "(key): Parameter containing: [torch.float32 of size 2x3]", as PyTorch's.</summary>
    public override string ExtraRepr() =>
        string.Join("\n", _keys.Select(k => $"  ({k}): {ContainerKey.Describe(_items[k])}"));

    public override string ToString() => ContainerKey.Repr(this, ExtraRepr());
}

/// <summary>PyTorch's rules for container keys and its repr of parameter containers.</summary>
internal static class ContainerKey
{
    /// <summary>add_module's / register_parameter's checks: a key is a non-empty name without a dot.</summary>
    public static void Check(string kind, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0) throw new ArgumentException($"{kind} name can't be empty string \"\"");
        if (key.Contains('.')) throw new ArgumentException($"{kind} name can't contain \".\", got: {key}");
    }

    /// <summary>"Parameter containing: [torch.float32 of size 2x3]" (with " (cuda:0)" off the CPU).</summary>
    public static string Describe(Tensor p) =>
        $"Parameter containing: [torch.{p.DType.TorchName()} of size {string.Join("x", p.ShapeCopy())}" +
        (p.Device.Type == DeviceType.Cpu ? "" : $" ({p.Device})") + "]";

    /// <summary>Module.__repr__ for an extra repr of several lines: "Name(\n  line\n  line\n)"; one line stays inline.</summary>
    public static string Repr(Module m, string extra)
    {
        var lines = extra.Length == 0 ? [] : extra.Split('\n');
        if (lines.Length == 0) return $"{m.GetType().Name}()";
        if (lines.Length == 1) return $"{m.GetType().Name}({lines[0]})";
        var sb = new StringBuilder(m.GetType().Name).Append("(\n");
        foreach (var l in lines) sb.Append("  ").Append(l).Append('\n');
        return sb.Append(')').ToString();
    }
}
