using Pade.Engine;

namespace Pade.Layers;

/// <summary>
/// Base of every layer, as torch.nn.Module: named parameters (tensors that require grad), buffers (state such as
/// batch-norm running statistics), child modules, a training flag. Names compose with dots (`features.0.weight`),
/// which are also the keys of <see cref="StateDict"/>, so weights map one to one onto PyTorch's.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor? Value)> _parameters = [];
    private readonly List<(string Name, Tensor? Value)> _buffers = [];
    private readonly List<(string Name, Module Value)> _children = [];

    private readonly List<Action<Module, Tensor, Tensor>> _forwardHooks = [];
    private Module? _parent;
    private string _localName = "";

    public bool Training { get; private set; } = true;

    /// <summary>The forward pass.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Runs <see cref="Forward"/> and then the forward hooks. Containers and models call their children
    /// through this, so hooks (e.g. <see cref="ModelSummary"/>'s) see every layer.</summary>
    public Tensor Call(Tensor input)
    {
        var output = Forward(input);
        for (int i = 0; i < _forwardHooks.Count; i++) _forwardHooks[i](this, input, output);
        return output;
    }

    /// <summary>Adds hook(module, input, output) to run after every forward through <see cref="Call"/>, as
    /// PyTorch's register_forward_hook; disposing the result removes it.</summary>
    public IDisposable RegisterForwardHook(Action<Module, Tensor, Tensor> hook)
    {
        _forwardHooks.Add(hook);
        return new HookHandle(() => _forwardHooks.Remove(hook));
    }

    private sealed class HookHandle(Action remove) : IDisposable
    {
        private Action? _remove = remove;
        public void Dispose() { _remove?.Invoke(); _remove = null; }
    }

    /// <summary>The dotted name of this module inside the module it was last registered in, up to the root
    /// ("" for a root): "features.3" or "layer2.0.conv1". Error messages name layers by it.</summary>
    public string Path => _parent == null ? "" : _parent.Path.Length == 0 ? _localName : $"{_parent.Path}.{_localName}";

    /// <summary>"Conv2d 'features.3'" (or just the type for a root), for error messages.</summary>
    public string Describe() => Path.Length == 0 ? GetType().Name : $"{GetType().Name} '{Path}'";

    /// <summary>Registers a parameter under a name (null for an absent optional parameter, e.g. bias=false).</summary>
    protected Tensor? RegisterParameter(string name, Tensor? value)
    {
        if (value != null) { value.RequiresGrad = true; value.Name ??= name; }
        Replace(_parameters, name, value);
        return value;
    }

    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        Replace(_buffers, name, value);
        return value;
    }

    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        int i = _children.FindIndex(c => c.Name == name);
        if (i >= 0) _children[i] = (name, module); else _children.Add((name, module));
        module._parent = this;
        module._localName = name;
        return module;
    }

    /// <summary>Drops every child module (containers renumber theirs by registering them again).</summary>
    protected void ClearModules() => _children.Clear();

    /// <summary>Drops every parameter of this module itself (the parameter containers re-register theirs).</summary>
    protected void ClearParameters() => _parameters.Clear();

    private static void Replace(List<(string, Tensor?)> list, string name, Tensor? value)
    {
        int i = list.FindIndex(p => p.Item1 == name);
        if (i >= 0) list[i] = (name, value); else list.Add((name, value));
    }

    /// <summary>Replaces a parameter or buffer tensor in place of the old one (used by LoadStateDict and To).</summary>
    protected virtual void OnTensorReplaced(string name, Tensor value) { }

    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children;
    public IEnumerable<Module> Children() => _children.Select(c => c.Value);

    /// <summary>This module and all below it, depth first, with dotted names ("" for this one).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in _children)
            foreach (var m in child.NamedModules(prefix.Length == 0 ? name : $"{prefix}.{name}"))
                yield return m;
    }

    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters()
    {
        foreach (var (prefix, m) in NamedModules())
            foreach (var (name, p) in m._parameters)
                if (p != null) yield return (prefix.Length == 0 ? name : $"{prefix}.{name}", p);
    }

    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>The parameters of this module itself, not of its children.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> LocalParameters()
    {
        foreach (var (name, p) in _parameters)
            if (p != null) yield return (name, p);
    }

    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers()
    {
        foreach (var (prefix, m) in NamedModules())
            foreach (var (name, b) in m._buffers)
                if (b != null) yield return (prefix.Length == 0 ? name : $"{prefix}.{name}", b);
    }

    public long ParameterCount() => Parameters().Sum(p => p.Numel);

    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.Grad = null;
    }

    /// <summary>Switches this module and its children to training mode (batch statistics, dropout on).</summary>
    public Module Train(bool on = true)
    {
        foreach (var (_, m) in NamedModules()) m.Training = on;
        return this;
    }

    /// <summary>Switches to evaluation mode (running statistics, dropout off).</summary>
    public Module Eval() => Train(false);

    /// <summary>Parameters and buffers by dotted name, sharing storage with the module.</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (n, p) in NamedParameters()) d[n] = p.Detach();
        foreach (var (n, b) in NamedBuffers()) d[n] = b.Detach();
        return d;
    }

    /// <summary>Copies values into the module's tensors. Every key must exist with the same shape (strict, as
    /// PyTorch's default); the message names the key and both shapes.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = StateDict();
        if (strict)
        {
            var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
            var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new ArgumentException($"LoadStateDict: missing keys [{string.Join(", ", missing)}], unexpected keys [{string.Join(", ", unexpected)}]");
        }
        using var _ = Tensor.NoGrad();
        foreach (var (k, target) in own)
        {
            if (!state.TryGetValue(k, out var src)) continue;
            if (!Shapes.SameShape(src.Shape, target.Shape))
                throw new ArgumentException($"LoadStateDict: '{k}' has shape {Shapes.Format(src.Shape)} in the state dict but {Shapes.Format(target.Shape)} in the model");
            target.CopyFrom(src.To(target.DType).To(target.Device));
        }
    }

    /// <summary>Moves every parameter and buffer to a device and/or dtype (replacing the tensors).</summary>
    public Module To(Device? device = null, DType? dtype = null)
    {
        foreach (var (_, m) in NamedModules())
        {
            for (int i = 0; i < m._parameters.Count; i++)
            {
                var (n, p) = m._parameters[i];
                if (p == null) continue;
                var moved = Convert(p, device, dtype);
                moved.RequiresGrad = true;
                moved.Name = p.Name;
                m._parameters[i] = (n, moved);
                m.OnTensorReplaced(n, moved);
            }
            for (int i = 0; i < m._buffers.Count; i++)
            {
                var (n, b) = m._buffers[i];
                if (b == null) continue;
                var moved = b.DType.IsFloating() ? Convert(b, device, dtype) : Convert(b, device, null);
                m._buffers[i] = (n, moved);
                m.OnTensorReplaced(n, moved);
            }
        }
        return this;
    }

    private static Tensor Convert(Tensor t, Device? device, DType? dtype)
    {
        using var _ = Tensor.NoGrad();
        var r = t.Detach();
        if (dtype is DType dt) r = r.To(dt);
        if (device is Device dv) r = r.To(dv);
        return ReferenceEquals(r.Storage, t.Storage) ? r.Clone() : r;
    }

    /// <summary>The parameter or buffer of this module (not children) with this name.</summary>
    protected Tensor Get(string name) =>
        _parameters.FirstOrDefault(p => p.Name == name).Value ?? _buffers.FirstOrDefault(b => b.Name == name).Value
        ?? throw new KeyNotFoundException($"{GetType().Name} has no parameter or buffer '{name}'");

    protected Tensor? GetOptional(string name) =>
        _parameters.FirstOrDefault(p => p.Name == name).Value ?? _buffers.FirstOrDefault(b => b.Name == name).Value;

    /// <summary>One line describing the layer's configuration, as PyTorch's extra_repr.</summary>
    public virtual string ExtraRepr() => "";

    public override string ToString()
    {
        var sb = new System.Text.StringBuilder(GetType().Name).Append('(').Append(ExtraRepr());
        if (_children.Count > 0)
        {
            sb.Append('\n');
            foreach (var (n, c) in _children)
                sb.Append("  (").Append(n).Append("): ").Append(c.ToString().Replace("\n", "\n  ")).Append('\n');
        }
        return sb.Append(')').ToString();
    }
}
