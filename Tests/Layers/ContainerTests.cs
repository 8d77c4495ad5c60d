using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;
using Pade.Layers.Activations;

namespace Pade.Tests.Layers;

/// <summary>ModuleDict, ParameterList, ParameterDict and the list operations of Sequential and ModuleList: the
/// state-dict names PyTorch gives, round trips, renumbering, slices, reprs, bad keys and indices.</summary>
public class ContainerTests
{
    private static Linear L(int i, int o, ulong seed = 1) => new(i, o, generator: new Generator(seed));

    [Test]
    public void Sequential_appends_inserts_pops_and_slices_as_PyTorch()
    {
        var a = L(2, 3); var b = new ReLU(); var c = L(3, 4); var d = new Tanh();
        var s = new Sequential(a, b).Append(c);
        Assert.That(s.StateDict().Keys, Is.EquivalentTo(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }));
        s.Insert(1, d);
        Assert.That(s.NamedChildren().Select(n => (n.Name, n.Module)), Is.EqualTo(new (string, Module)[] { ("0", a), ("1", d), ("2", b), ("3", c) }));
        Assert.That(s[-1], Is.SameAs(c));
        Assert.That(s.Pop(1), Is.SameAs(d));
        Assert.That(s.StateDict().Keys, Is.EquivalentTo(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }));
        // A slice keeps the names (PyTorch's Sequential slices its OrderedDict).
        var tail = s[1..];
        Assert.That(tail.NamedChildren().Select(n => n.Name), Is.EqualTo(new[] { "1", "2" }));
        Assert.That(tail.StateDict().Keys, Is.EquivalentTo(new[] { "2.weight", "2.bias" }));
        Assert.That(s.Slice(step: -1).Select(m => m), Is.EqualTo(new Module[] { c, b, a }));
        Assert.That(s.Slice(-2).Count, Is.EqualTo(2));
        s[0] = L(2, 3, 5);
        Assert.That(s[0], Is.Not.SameAs(a));
        Assert.That(s.NamedChildren().First().Name, Is.EqualTo("0"));
        s.Extend(new Sequential(new ReLU()));
        Assert.That(s.Count, Is.EqualTo(4));
        var x = Tensor.Randn([5, 2], 0, 1, DType.Float32, null, new Generator(2));
        Assert.That(s.Call(x).ShapeCopy(), Is.EqualTo(new[] { 5, 4 }));
        Assert.That(() => s[4], Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("index 4 is out of range"));
        Assert.That(() => s.Insert(6, new ReLU()), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Index out of range: 6"));
        s.Insert(-1, new Tanh());
        Assert.That(s[-2], Is.InstanceOf<Tanh>());
    }

    [Test]
    public void ModuleList_renumbers_and_slices_from_zero()
    {
        var a = L(2, 3); var b = L(3, 3); var c = L(3, 1);
        var list = new ModuleList(a, c);
        list.Insert(1, b);
        Assert.That(list.StateDict().Keys, Does.Contain("2.weight").And.Contain("1.bias"));
        Assert.That(list[2], Is.SameAs(c));
        Assert.That(list[1..].NamedChildren().Select(n => n.Name), Is.EqualTo(new[] { "0", "1" }));
        Assert.That(list.Pop(0), Is.SameAs(a));
        Assert.That(list[0], Is.SameAs(b));
        list.Append(a).Extend([new ReLU()]);
        Assert.That(list.Count, Is.EqualTo(4));
    }

    [Test]
    public void ModuleDict_names_children_by_key()
    {
        var d = new ModuleDict(("enc", L(2, 3)), ("act", new ReLU()));
        d["dec"] = L(3, 2);
        Assert.That(d.Keys, Is.EqualTo(new[] { "enc", "act", "dec" }));
        Assert.That(d.StateDict().Keys, Is.EquivalentTo(new[] { "enc.weight", "enc.bias", "dec.weight", "dec.bias" }));
        var replaced = L(2, 3, 7);
        d["enc"] = replaced;
        Assert.That(d.Keys, Is.EqualTo(new[] { "enc", "act", "dec" }), "replacing keeps the order");
        Assert.That(d["enc"], Is.SameAs(replaced));
        Assert.That(d.Pop("act"), Is.InstanceOf<ReLU>());
        Assert.That(d.ContainsKey("act"), Is.False);
        Assert.That(d.ToString(), Is.EqualTo("ModuleDict(\n  (enc): Linear(in_features=2, out_features=3, bias=True)\n  (dec): Linear(in_features=3, out_features=2, bias=True)\n)"));
        Assert.That(() => d["a.b"] = new ReLU(), Throws.ArgumentException.With.Message.Contains("can't contain \".\", got: a.b"));
        Assert.That(() => d[""] = new ReLU(), Throws.ArgumentException.With.Message.Contains("empty string"));
        Assert.That(() => d["missing"], Throws.InstanceOf<KeyNotFoundException>().With.Message.Contains("missing"));
        Assert.That(() => d.Call(Tensor.Zeros(1)), Throws.InvalidOperationException);
        d.Clear();
        Assert.That(d.StateDict(), Is.Empty);
    }

    [Test]
    public void Parameter_containers_name_parameters_as_PyTorch_and_round_trip()
    {
        var list = new ParameterList(Tensor.Zeros(2, 3), Tensor.Ones(4));
        Assert.That(list.StateDict().Keys, Is.EquivalentTo(new[] { "0", "1" }));
        Assert.That(list.All(p => p.RequiresGrad), Is.True);
        Assert.That(list.ToString(), Is.EqualTo("ParameterList(\n    (0): Parameter containing: [torch.float32 of size 2x3]\n    (1): Parameter containing: [torch.float32 of size 4]\n)"));
        Assert.That(new ParameterList(Tensor.Zeros(2)).ToString(), Is.EqualTo("ParameterList(  (0): Parameter containing: [torch.float32 of size 2])"));
        var dict = new ParameterDict(("scale", Tensor.Ones(3)), ("shift", Tensor.Zeros(3)));
        var model = new ModuleDict(("params", list), ("named", dict));
        Assert.That(model.StateDict().Keys, Is.EquivalentTo(new[] { "params.0", "params.1", "named.scale", "named.shift" }));
        Assert.That(model.Parameters().Count(), Is.EqualTo(4));
        // A round trip through a state dict of other values.
        var other = new ModuleDict(("params", new ParameterList(Tensor.Full([2, 3], 5), Tensor.Full([4], 6))),
            ("named", new ParameterDict(("scale", Tensor.Full([3], 7)), ("shift", Tensor.Full([3], 8)))));
        model.LoadStateDict(other.StateDict());
        Assert.That(list[0].ToArray<double>(), Is.All.EqualTo(5));
        Assert.That(list[-1].ToArray<double>(), Is.All.EqualTo(6));
        Assert.That(dict["shift"].ToArray<double>(), Is.All.EqualTo(8));
        // To() replaces the tensors; the containers follow.
        model.To(dtype: DType.Float64);
        Assert.That(list[0].DType, Is.EqualTo(DType.Float64));
        Assert.That(dict["scale"].DType, Is.EqualTo(DType.Float64));
        Assert.That(dict.ToString(), Is.EqualTo("ParameterDict(\n    (scale): Parameter containing: [torch.float64 of size 3]\n    (shift): Parameter containing: [torch.float64 of size 3]\n)"));
        Assert.That(dict.Pop("scale").ShapeCopy(), Is.EqualTo(new[] { 3 }));
        Assert.That(dict.StateDict().Keys, Is.EquivalentTo(new[] { "shift" }));
        list[1] = Tensor.Zeros(7);
        Assert.That(list.StateDict()["1"].ShapeCopy(), Is.EqualTo(new[] { 7 }));
        Assert.That(() => dict["a.b"] = Tensor.Zeros(1), Throws.ArgumentException.With.Message.Contains("can't contain"));
        Assert.That(() => list[2], Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
