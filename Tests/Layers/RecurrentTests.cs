using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;
using Pade.Layers.Onnx;
using Pade.Tests.Engine;

namespace Pade.Tests.Layers;

/// <summary>
/// The recurrent cells against the same float64 loops as the layers (a cell is one step of a one-layer layer), and
/// what PyTorch fixes besides the values: parameter names, shapes and initialisation, loading PyTorch's state-dict
/// names, the checks and their messages, dropout only between layers and only in training, repr, and the ONNX
/// export's refusal.
/// </summary>
[FsCheck.NUnit.Properties(Arbitrary = [typeof(RecurrentArbitraries)])]
public class RecurrentTests
{
    /// <summary>The cell for a case's mode, in float64, and the one-layer layer case whose reference it must match.</summary>
    private static (RNNCellBase Cell, RecurrentCase Layer) Cell(RecurrentCase c)
    {
        var g = new Generator(c.Seed);
        RNNCellBase cell = c.Mode switch
        {
            "LSTM" => new LSTMCell(c.In, c.Hidden, c.Bias, g),
            "GRU" => new GRUCell(c.In, c.Hidden, c.Bias, g),
            _ => new RNNCell(c.In, c.Hidden, c.Bias, c.Mode == "RNN_RELU" ? "relu" : "tanh", g),
        };
        cell.To(dtype: DType.Float64);
        return (cell, c with { Layers = 1, Bidirectional = false, Proj = 0, L = 1, BatchFirst = false });
    }

    /// <summary>h' (and c') of a cell flattened, checking PyTorch's shapes: [N, hidden] or unbatched [hidden].</summary>
    private static Tensor Step(RNNCellBase cell, RecurrentCase c, Tensor x, Tensor? h, Tensor? cx)
    {
        int[] shape = c.Unbatched ? [c.Hidden] : [c.N, c.Hidden];
        Tensor[] outs = cell switch
        {
            LSTMCell l => l.Forward(x, h == null ? null : (h, cx!)) is var (h1, c1) ? [h1, c1] : [],
            GRUCell gru => [gru.Forward(x, h)],
            _ => [((RNNCell)cell).Forward(x, h)],
        };
        foreach (var o in outs) Assert.That(o.ShapeCopy(), Is.EqualTo(shape), $"{c}: cell output shape");
        return Tensor.Concat(outs.Select(o => o.Flatten()).ToArray());
    }

    /// <summary>The layer case's inputs seen as the cell's: x [1, N, in] → [N, in], states [1, N, h] → [N, h].</summary>
    private static (Tensor X, Tensor? H, Tensor? C) CellInputs(RecurrentCase layer)
    {
        var (x, h0, c0) = layer.Inputs();
        return (x.Select(0, 0).Contiguous().Detach(), h0?.Select(0, 0).Contiguous().Detach(), c0?.Select(0, 0).Contiguous().Detach());
    }

    [FsCheck.NUnit.Property(MaxTest = 100)]
    public void CellsMatchTheCellEquations(RecurrentCase c)
    {
        var (cell, layerCase) = Cell(c);
        var (x, h, cx) = CellInputs(layerCase);
        var y = Step(cell, c, x, h, cx);
        // The reference reads a layer's parameters: the cell's, under the layer's names.
        var layer = layerCase.Build();
        layer.LoadStateDict(cell.StateDict().ToDictionary(kv => kv.Key + "_l0", kv => kv.Value));
        var (lx, lh, lc) = layerCase.Inputs();
        var expected = RecurrentProperties.Reference(layerCase, layer, lx, lh, lc);
        // The layer's flat result is output, h_n (and c_n); a cell returns h' (and c'), h' being output = h_n.
        int hn = expected.Length - (c.Mode == "LSTM" ? 2 : 1) * layerCase.Batch * c.Hidden;
        Expect.Close(y, new Nd([expected.Length - hn], expected[hn..]), 1e-12, 1e-12, c.ToString());
    }

    [FsCheck.NUnit.Property(MaxTest = 40)]
    public void CellGradientsMatchCentralDifferences(SmallRecurrentCase small)
    {
        var c = small.Case;
        var (cell, layerCase) = Cell(c);
        var (x, h, cx) = CellInputs(layerCase);
        var leaves = new List<(string, Tensor)> { ("input", x) };
        if (h != null) leaves.Add(("hx", h));
        if (cx != null) leaves.Add(("cx", cx));
        leaves.AddRange(cell.NamedParameters());
        foreach (var (_, t) in leaves) t.RequiresGrad = true;
        RecurrentProperties.CentralDifferences(c.ToString(), () => Step(cell, c, x, h, cx), leaves, c.Seed);
    }

    [Test]
    public void Parameters_are_named_shaped_and_drawn_as_PyTorch_does()
    {
        var lstm = new LSTM(3, 5, numLayers: 2, bidirectional: true, projSize: 2, generator: new Generator(1));
        var names = lstm.NamedParameters().Select(p => $"{p.Name} {Shapes.Format(p.Parameter.Shape)}").ToArray();
        Assert.That(names, Is.EqualTo(new[]
        {
            "weight_ih_l0 [20, 3]", "weight_hh_l0 [20, 2]", "bias_ih_l0 [20]", "bias_hh_l0 [20]", "weight_hr_l0 [2, 5]",
            "weight_ih_l0_reverse [20, 3]", "weight_hh_l0_reverse [20, 2]", "bias_ih_l0_reverse [20]", "bias_hh_l0_reverse [20]", "weight_hr_l0_reverse [2, 5]",
            "weight_ih_l1 [20, 4]", "weight_hh_l1 [20, 2]", "bias_ih_l1 [20]", "bias_hh_l1 [20]", "weight_hr_l1 [2, 5]",
            "weight_ih_l1_reverse [20, 4]", "weight_hh_l1_reverse [20, 2]", "bias_ih_l1_reverse [20]", "bias_hh_l1_reverse [20]", "weight_hr_l1_reverse [2, 5]",
        }));
        var gru = new GRU(4, 3, bias: false);
        Assert.That(gru.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "weight_ih_l0", "weight_hh_l0" }));
        Assert.That(gru.StateDict()["weight_ih_l0"].ShapeCopy(), Is.EqualTo(new[] { 9, 4 }));
        Assert.That(new LSTMCell(2, 3).NamedParameters().Select(p => $"{p.Name} {Shapes.Format(p.Parameter.Shape)}"),
            Is.EqualTo(new[] { "weight_ih [12, 2]", "weight_hh [12, 3]", "bias_ih [12]", "bias_hh [12]" }));

        // Every parameter U(−1/√hidden, 1/√hidden), hidden_size's bound even for the projection and the biases.
        var big = new RNN(50, 64, numLayers: 2, generator: new Generator(3));
        double bound = 1 / Math.Sqrt(64);
        foreach (var (name, p) in big.NamedParameters())
        {
            var v = p.ToArray<double>();
            Assert.That(v, Is.All.InRange(-bound, bound), name);
            Assert.That(v.Max(), Is.GreaterThan(0.7 * bound), name);
            Assert.That(v.Min(), Is.LessThan(-0.7 * bound), name);
            Assert.That(p.RequiresGrad, Is.True);
        }
    }

    [Test]
    public void A_PyTorch_state_dict_loads_by_name()
    {
        var a = new GRU(3, 4, numLayers: 2, bidirectional: true, batchFirst: true, generator: new Generator(5));
        var b = new GRU(3, 4, numLayers: 2, bidirectional: true, batchFirst: true, generator: new Generator(6));
        var x = Tensor.Rand([2, 5, 3], -1, 1, generator: new Generator(7));
        Assert.That(a.Forward(x).ToArray<float>(), Is.Not.EqualTo(b.Forward(x).ToArray<float>()));
        b.LoadStateDict(a.StateDict());
        Assert.That(b.Forward(x).ToArray<float>(), Is.EqualTo(a.Forward(x).ToArray<float>()));
        Assert.That(a.StateDict().Keys, Does.Contain("weight_hh_l1_reverse").And.Contain("bias_ih_l1"));
    }

    [Test]
    public void Input_and_state_are_checked_with_PyTorch_messages()
    {
        var lstm = new LSTM(3, 4, numLayers: 2);
        Assert.That(() => lstm.Forward(Tensor.Zeros(3)), Throws.ArgumentException.With.Message.Contains("LSTM: Expected input to be 2D or 3D, got 1D tensor instead"));
        Assert.That(() => lstm.Forward(Tensor.Zeros(5, 2, 7)),
            Throws.ArgumentException.With.Message.Contains("input.size(-1) must be equal to input_size. Expected 3, got 7"));
        Assert.That(() => lstm.Forward(Tensor.Zeros(5, 2, 3), (Tensor.Zeros(2, 4), Tensor.Zeros(2, 4))),
            Throws.ArgumentException.With.Message.Contains("For batched 3-D input, hx and cx should also be 3-D but got (2-D, 2-D) tensors"));
        Assert.That(() => lstm.Forward(Tensor.Zeros(5, 2, 3), (Tensor.Zeros(2, 2, 4), Tensor.Zeros(2, 3, 4))),
            Throws.ArgumentException.With.Message.Contains("Expected hidden[1] size [2, 2, 4], got [2, 3, 4]"));
        Assert.That(() => lstm.Forward(Tensor.Zeros(5, 3), (Tensor.Zeros(2, 1, 4), Tensor.Zeros(2, 1, 4))),
            Throws.ArgumentException.With.Message.Contains("For unbatched 2-D input, hx and cx should also be 2-D but got (3-D, 3-D) tensors"));
        var rnn = new RNN(3, 4, bidirectional: true);
        Assert.That(() => rnn.Forward(Tensor.Zeros(5, 2, 3), Tensor.Zeros(1, 2, 4)),
            Throws.ArgumentException.With.Message.Contains("Expected hidden size [2, 2, 4], got [1, 2, 4]"));
        Assert.That(() => rnn.Forward(Tensor.Zeros(5, 2, 3), Tensor.Zeros(2, 4)),
            Throws.ArgumentException.With.Message.Contains("For batched 3-D input, hx should also be 3-D but got 2-D tensor"));
        Assert.That(() => rnn.Forward(Tensor.Zeros(0, 2, 3)), Throws.ArgumentException.With.Message.Contains("sequence length to be larger than 0"));

        var cell = new GRUCell(3, 4);
        Assert.That(() => cell.Forward(Tensor.Zeros(1, 2, 3)), Throws.ArgumentException.With.Message.Contains("GRUCell: Expected input to be 1D or 2D, got 3D instead"));
        Assert.That(() => cell.Forward(Tensor.Zeros(2, 5)), Throws.ArgumentException.With.Message.Contains("input has inconsistent input_size: got 5, expected 3"));
        Assert.That(() => cell.Forward(Tensor.Zeros(2, 3), Tensor.Zeros(3, 4)), Throws.ArgumentException.With.Message.Contains("Input batch size 2 doesn't match hx batch size 3"));
        Assert.That(() => cell.Forward(Tensor.Zeros(2, 3), Tensor.Zeros(2, 5)), Throws.ArgumentException.With.Message.Contains("hx has inconsistent hidden_size: got 5, expected 4"));
        Assert.That(() => new LSTMCell(3, 4).Forward(Tensor.Zeros(3), (Tensor.Zeros(4), Tensor.Zeros(1, 4))), Throws.ArgumentException.With.Message.Contains("cx must be 1-D"));
    }

    [Test]
    public void Constructor_arguments_are_checked_as_PyTorch_does()
    {
        Assert.That(() => new RNN(3, 4, nonlinearity: "sigmoid"), Throws.ArgumentException.With.Message.Contains("Unknown nonlinearity 'sigmoid'"));
        Assert.That(() => new RNNCell(3, 4, nonlinearity: "gelu"), Throws.ArgumentException.With.Message.Contains("'tanh' or 'relu'"));
        Assert.That(() => new GRU(3, 0), Throws.ArgumentException.With.Message.Contains("hidden_size must be greater than zero"));
        Assert.That(() => new LSTM(3, 4, numLayers: 0), Throws.ArgumentException.With.Message.Contains("num_layers must be greater than zero"));
        Assert.That(() => new LSTM(3, 4, dropout: 1.5), Throws.ArgumentException.With.Message.Contains("dropout should be a number in range [0, 1]"));
        Assert.That(() => new LSTM(3, 4, projSize: 4), Throws.ArgumentException.With.Message.Contains("proj_size has to be smaller than hidden_size"));
        Assert.That(() => new LSTM(3, 4, projSize: -1), Throws.ArgumentException.With.Message.Contains("proj_size should be a positive integer or zero"));
    }

    [Test]
    public void Dropout_acts_between_layers_and_only_in_training()
    {
        var x = Tensor.Rand([4, 2, 3], -1, 1, generator: new Generator(1));
        var lstm = new LSTM(3, 5, numLayers: 2, dropout: 0.5, generator: new Generator(2));
        var eval = new LSTM(3, 5, numLayers: 2, generator: new Generator(2));
        var a = lstm.Forward(x).ToArray<float>();
        var b = lstm.Forward(x).ToArray<float>();
        Assert.That(a, Is.Not.EqualTo(b), "training draws a fresh mask each forward");
        lstm.Eval();
        Assert.That(lstm.Forward(x).ToArray<float>(), Is.EqualTo(eval.Forward(x).ToArray<float>()), "evaluation: no dropout");

        // Only between layers: one layer with dropout is the same in training as without.
        var one = new GRU(3, 5, dropout: 0.9, generator: new Generator(4));
        var plain = new GRU(3, 5, generator: new Generator(4));
        Assert.That(one.Forward(x).ToArray<float>(), Is.EqualTo(plain.Forward(x).ToArray<float>()));

        // p = 1 zeroes the second layer's input: the output no longer depends on x.
        var all = new RNN(3, 4, numLayers: 2, dropout: 1, generator: new Generator(5));
        var xg = x.Detach();
        xg.RequiresGrad = true;
        all.Forward(xg).Sum().Backward();
        Assert.That(xg.Grad!.ToArray<float>(), Is.All.EqualTo(0));
    }

    [Test]
    public void Float32_batch_first_unbatched_and_cells_agree()
    {
        // The same weights and sequence, batched (batch_first) and unbatched, give the same values; a cell run step by
        // step over the sequence gives the layer's output.
        var rnn = new GRU(3, 4, batchFirst: true, generator: new Generator(8));
        var x = Tensor.Rand([5, 3], -1, 1, generator: new Generator(9));
        var (o1, h1) = rnn.Forward(x, null);
        var (o2, h2) = rnn.Forward(x.Unsqueeze(0), null);
        Assert.That(o1.ShapeCopy(), Is.EqualTo(new[] { 5, 4 }));
        Assert.That(h1.ShapeCopy(), Is.EqualTo(new[] { 1, 4 }));
        Assert.That(o2.ShapeCopy(), Is.EqualTo(new[] { 1, 5, 4 }));
        Assert.That(o1.ToArray<float>(), Is.EqualTo(o2.ToArray<float>()).Within(1e-6));
        Assert.That(h1.ToArray<float>(), Is.EqualTo(h2.ToArray<float>()).Within(1e-6));

        var cell = new GRUCell(3, 4);
        cell.LoadStateDict(rnn.StateDict().ToDictionary(kv => kv.Key.Replace("_l0", ""), kv => kv.Value));
        Tensor? h = null;
        for (int t = 0; t < 5; t++) h = cell.Forward(x.Select(0, t), h);
        Assert.That(h!.ToArray<float>(), Is.EqualTo(h1.Select(0, 0).ToArray<float>()).Within(1e-6));
    }

    [Test]
    public void An_empty_batch_gives_empty_results_of_PyTorch_shapes()
    {
        var lstm = new LSTM(3, 4, numLayers: 2, bidirectional: true);
        var x = Tensor.Zeros(5, 0, 3);
        x.RequiresGrad = true;
        var (o, (h, c)) = lstm.Forward(x, null);
        Assert.That(o.ShapeCopy(), Is.EqualTo(new[] { 5, 0, 8 }));
        Assert.That(h.ShapeCopy(), Is.EqualTo(new[] { 4, 0, 4 }));
        Assert.That(c.ShapeCopy(), Is.EqualTo(new[] { 4, 0, 4 }));
        o.Sum().Backward();
        Assert.That(x.Grad!.ShapeCopy(), Is.EqualTo(new[] { 5, 0, 3 }));
        Assert.That(new GRU(3, 2, batchFirst: true).Forward(Tensor.Zeros(0, 4, 3)).ShapeCopy(), Is.EqualTo(new[] { 0, 4, 2 }));
        Assert.That(new GRUCell(3, 4).Forward(Tensor.Zeros(0, 3)).ShapeCopy(), Is.EqualTo(new[] { 0, 4 }));
        var (_, cc) = new LSTMCell(3, 4).Forward(Tensor.Zeros(0, 3), null);
        Assert.That(cc.ShapeCopy(), Is.EqualTo(new[] { 0, 4 }));
    }

    [Test]
    public void Repr_follows_PyTorch()
    {
        Assert.That(new LSTM(10, 20, numLayers: 2, batchFirst: true).ToString(), Is.EqualTo("LSTM(10, 20, num_layers=2, batch_first=True)"));
        Assert.That(new RNN(3, 4, nonlinearity: "relu", bias: false, dropout: 0.25, bidirectional: true).ToString(),
            Is.EqualTo("RNN(3, 4, bias=False, dropout=0.25, bidirectional=True, nonlinearity=relu)"));
        Assert.That(new LSTM(3, 4, projSize: 2).ToString(), Is.EqualTo("LSTM(3, 4, proj_size=2)"));
        Assert.That(new GRUCell(3, 4, bias: false).ToString(), Is.EqualTo("GRUCell(3, 4, bias=False)"));
        Assert.That(new RNNCell(3, 4, nonlinearity: "relu").ToString(), Is.EqualTo("RNNCell(3, 4, nonlinearity=relu)"));
    }

    [Test]
    public void Onnx_export_names_the_recurrent_layer()
    {
        var net = new Sequential(new Linear(3, 3), new LSTM(3, 4));
        var e = Assert.Throws<OnnxExportException>(() => net.ToOnnx(5, 3))!;
        Assert.That(e.Message, Does.Contain("LSTM").And.Contain("'1'").And.Contain("no ONNX form"));
    }
}
