using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Layers;

namespace Pade.Tests.Layers;

/// <summary>
/// The channel-wise and alpha dropouts, structurally (their masks cannot be matched with libtorch's values): one
/// mask value per (sample, channel), the drop rate and the 1/(1 − p) scale, PyTorch's reading of unbatched and other
/// ranks, alpha dropout's mean and variance, the gradient being the mask, evaluation as the identity.
/// </summary>
public class DropoutFamilyTests
{
    /// <summary>Every [*, channel] block of y (the last <paramref name="inner"/> values) is constant.</summary>
    private static double[] ChannelValues(Tensor y, int inner)
    {
        var v = y.ToArray<double>();
        var perChannel = new double[v.Length / inner];
        for (int c = 0; c < perChannel.Length; c++)
        {
            perChannel[c] = v[c * inner];
            for (int i = 1; i < inner; i++) Assert.That(v[c * inner + i], Is.EqualTo(perChannel[c]), $"channel {c} is not dropped as a whole");
        }
        return perChannel;
    }

    [TestCase(1, new[] { 8, 64, 5 }, 5)]
    [TestCase(1, new[] { 512, 5 }, 5)]
    [TestCase(2, new[] { 8, 64, 3, 4 }, 12)]
    [TestCase(2, new[] { 8, 64, 5 }, 5)]
    [TestCase(3, new[] { 4, 64, 2, 3, 2 }, 12)]
    [TestCase(3, new[] { 512, 2, 3, 2 }, 12)]
    public void Channels_are_dropped_whole_at_rate_p_and_the_rest_scaled(int kind, int[] shape, int inner)
    {
        const double p = 0.3;
        var x = Tensor.Ones(shape, DType.Float64);
        x.RequiresGrad = true;
        var gen = new Generator(11);
        var y = kind switch { 1 => F.Dropout1d(x, p, true, gen), 2 => F.Dropout2d(x, p, true, gen), _ => F.Dropout3d(x, p, true, gen) };
        Assert.That(y.ShapeCopy(), Is.EqualTo(shape));
        var channels = ChannelValues(y, inner);
        Assert.That(channels, Is.All.EqualTo(0).Or.EqualTo(1 / (1 - p)).Within(1e-15));
        double dropped = channels.Count(v => v == 0) / (double)channels.Length;
        Assert.That(dropped, Is.EqualTo(p).Within(4 * Math.Sqrt(p * (1 - p) / channels.Length)));
        // The gradient is the mask.
        y.Sum().Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(y.ToArray<double>()));
        // The same generator state gives the same mask.
        var again = kind switch { 1 => F.Dropout1d(x, p, true, new Generator(11)), 2 => F.Dropout2d(x, p, true, new Generator(11)), _ => F.Dropout3d(x, p, true, new Generator(11)) };
        Assert.That(again.ToArray<double>(), Is.EqualTo(y.ToArray<double>()));
    }

    [Test]
    public void Evaluation_p0_and_empty_inputs_pass_through_and_p1_gives_zeros()
    {
        var x = Tensor.Randn([2, 3, 4], 0, 1, DType.Float64, null, new Generator(1));
        Assert.That(F.Dropout2d(x, 0.5, training: false), Is.SameAs(x));
        Assert.That(F.Dropout1d(x, 0.0, training: true), Is.SameAs(x));
        Assert.That(F.AlphaDropout(x, 0.5), Is.SameAs(x), "alpha_dropout's training defaults to false, as PyTorch's");
        Assert.That(F.FeatureAlphaDropout(x, 0.5, training: false), Is.SameAs(x));
        var empty = Tensor.Zeros([0, 3, 4], DType.Float64);
        Assert.That(F.Dropout2d(empty, 0.5), Is.SameAs(empty));
        Assert.That(F.Dropout3d(x, 1.0).ToArray<double>(), Is.All.EqualTo(0));
        Assert.That(F.AlphaDropout(x, 1.0, training: true).ToArray<double>(), Is.All.EqualTo(0));
        foreach (Module m in new Module[] { new Dropout1d(), new Dropout2d(), new Dropout3d(), new AlphaDropout(), new FeatureAlphaDropout() })
        {
            m.Eval();
            var input = m is Dropout1d ? x : Tensor.Randn([2, 3, 4, 5, 2], 0, 1, DType.Float64, null, new Generator(2));
            Assert.That(m.Call(input), Is.SameAs(input), m.GetType().Name);
        }
    }

    [Test]
    public void Alpha_dropout_keeps_a_standard_input_standard()
    {
        foreach (var p in new[] { 0.1, 0.5 })
        {
            var x = Tensor.Randn([200_000], 0, 1, DType.Float64, null, new Generator(3));
            var y = F.AlphaDropout(x, p, training: true, new Generator(4)).ToArray<double>();
            double mean = y.Average(), variance = y.Select(v => (v - mean) * (v - mean)).Average();
            Assert.That(mean, Is.EqualTo(0).Within(0.01), $"p {p} mean");
            Assert.That(variance, Is.EqualTo(1).Within(0.02), $"p {p} variance");
            // A dropped element sits at a·α·(p − 1), with a = 1/√((α²p + 1)(1 − p)).
            double alpha = F.AlphaDropoutAlpha, a = 1 / Math.Sqrt((alpha * alpha * p + 1) * (1 - p));
            double droppedValue = a * alpha * (p - 1);
            double rate = y.Count(v => Math.Abs(v - droppedValue) < 1e-12) / (double)y.Length;
            Assert.That(rate, Is.EqualTo(p).Within(0.01), $"p {p} drop rate");
        }
    }

    [Test]
    public void Feature_alpha_dropout_drops_channels_and_its_gradient_is_the_scaled_mask()
    {
        const double p = 0.4;
        var x = Tensor.Zeros([16, 32, 3, 2], DType.Float64);
        x.RequiresGrad = true;
        var y = F.FeatureAlphaDropout(x, p, training: true, new Generator(5));
        double alpha = F.AlphaDropoutAlpha, a = 1 / Math.Sqrt((alpha * alpha * p + 1) * (1 - p));
        var channels = ChannelValues(y, 6);
        Assert.That(channels, Is.All.EqualTo(a * alpha * (p - 1)).Within(1e-12).Or.EqualTo(a * alpha * p).Within(1e-12));
        y.Sum().Backward();
        var g = ChannelValues(x.Grad!, 6);
        for (int c = 0; c < g.Length; c++)
            Assert.That(g[c], Is.EqualTo(Math.Abs(channels[c] - a * alpha * p) < 1e-12 ? a : 0).Within(1e-15));
    }

    [Test]
    public void Bad_inputs_are_refused_as_PyTorch_does()
    {
        var x4 = Tensor.Zeros(2, 3, 4, 5);
        Assert.That(() => F.Dropout1d(x4, 0.5), Throws.ArgumentException.With.Message.Contains("dropout1d: Expected 2D or 3D input, but received a 4D input"));
        Assert.That(() => F.Dropout1d(x4, 0.5, training: false), Throws.ArgumentException, "the rank check comes before the training flag");
        Assert.That(() => F.Dropout2d(x4, 1.5), Throws.ArgumentException.With.Message.Contains("dropout probability has to be between 0 and 1, but got 1.5"));
        Assert.That(() => F.Dropout2d(Tensor.Zeros(7), 0.5), Throws.ArgumentException.With.Message.Contains("Feature dropout requires at least 2 dimensions"));
        Assert.That(() => new Dropout2d(-0.1), Throws.ArgumentException.With.Message.Contains("between 0 and 1"));
        Assert.That(new Dropout2d(0.25).ToString(), Is.EqualTo("Dropout2d(p=0.25)"));
        Assert.That(new AlphaDropout().ToString(), Is.EqualTo("AlphaDropout(p=0.5)"));
    }
}
