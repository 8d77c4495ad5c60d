using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using Pade.Engine;
using Pade.Layers;

namespace Pade.Tests.Layers;

/// <summary>torch.nn.init: gains and fans against PyTorch's formulas, the deterministic patterns, orthogonality,
/// the distributions' moments on 10⁴+ elements with fixed seeds, reproducibility and PyTorch's error messages.</summary>
public class InitTests
{
    private static double[] Values(Tensor t) => t.ToArray<double>();

    private static (double Mean, double Std) Moments(double[] v)
    {
        double mean = v.Average();
        return (mean, Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)));
    }

    [Test]
    public void Gains_are_PyTorchs()
    {
        foreach (var s in new[] { "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid" })
            Assert.That(Init.CalculateGain(s), Is.EqualTo(1.0));
        Assert.That(Init.CalculateGain("tanh"), Is.EqualTo(5.0 / 3));
        Assert.That(Init.CalculateGain("relu"), Is.EqualTo(Math.Sqrt(2)));
        Assert.That(Init.CalculateGain("leaky_relu"), Is.EqualTo(Math.Sqrt(2 / (1 + 0.01 * 0.01))));
        Assert.That(Init.CalculateGain("leaky_relu", 0.2), Is.EqualTo(Math.Sqrt(2 / 1.04)));
        Assert.That(Init.CalculateGain("leaky_relu", Math.Sqrt(5)), Is.EqualTo(Math.Sqrt(1.0 / 3)).Within(1e-15));
        Assert.That(Init.CalculateGain("selu"), Is.EqualTo(0.75));
        Assert.That(() => Init.CalculateGain("gelu"), Throws.ArgumentException.With.Message.Contains("Unsupported nonlinearity gelu"));
        Assert.That(() => Init.CalculateGain("leaky_relu", double.NaN), Throws.ArgumentException.With.Message.Contains("not a valid number"));
    }

    [Test]
    public void Fans_follow_the_receptive_field()
    {
        Assert.That(Init.CalculateFanInAndFanOut(Tensor.Zeros(5, 3)), Is.EqualTo((3, 5)));
        Assert.That(Init.CalculateFanInAndFanOut(Tensor.Zeros(8, 4, 3, 2)), Is.EqualTo((24, 48)));
        Assert.That(Init.CalculateFanInAndFanOut(Tensor.Zeros(6, 2, 5)), Is.EqualTo((10, 30)));
        Assert.That(Init.CalculateFanInAndFanOut(Tensor.Zeros(2, 3, 1, 0)), Is.EqualTo((0, 0)));
        Assert.That(() => Init.CalculateFanInAndFanOut(Tensor.Zeros(4)),
            Throws.ArgumentException.With.Message.Contains("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"));
        Assert.That(() => Init.KaimingUniform(Tensor.Zeros(4, 3), mode: "fan_avg"),
            Throws.ArgumentException.With.Message.Contains("Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']"));
        Assert.That(() => Init.XavierNormal(Tensor.Zeros(7)), Throws.ArgumentException.With.Message.Contains("fewer than 2 dimensions"));
    }

    [Test]
    public void Constant_ones_zeros_and_eye()
    {
        foreach (var dt in new[] { DType.Float32, DType.Float64 })
        {
            var t = Tensor.Zeros([3, 4], dt);
            Assert.That(Init.Constant(t, 2.5), Is.SameAs(t));
            Assert.That(Values(t), Is.All.EqualTo(2.5));
            Assert.That(Values(Init.Ones(t)), Is.All.EqualTo(1.0));
            Assert.That(Values(Init.Zeros(t)), Is.All.EqualTo(0.0));
            Assert.That(t.DType, Is.EqualTo(dt));
        }
        Assert.That(Values(Init.Eye(Tensor.Ones(2, 3))), Is.EqualTo(new double[] { 1, 0, 0, 0, 1, 0 }));
        Assert.That(Values(Init.Eye(Tensor.Ones(3, 2))), Is.EqualTo(new double[] { 1, 0, 0, 1, 0, 0 }));
        Assert.That(() => Init.Eye(Tensor.Zeros(2, 2, 2)), Throws.ArgumentException.With.Message.Contains("Only tensors with 2 dimensions are supported"));
    }

    [Test]
    public void Dirac_puts_one_at_the_centre_per_group()
    {
        // [4, 2, 3] with groups 2: out per group 2, min(2, 2) = 2; centre 1.
        var w = Init.Dirac(Tensor.Ones(4, 2, 3), groups: 2);
        var v = Values(w);
        for (int o = 0; o < 4; o++)
            for (int i = 0; i < 2; i++)
                for (int k = 0; k < 3; k++)
                    Assert.That(v[(o * 2 + i) * 3 + k], Is.EqualTo(k == 1 && i == o % 2 ? 1.0 : 0.0), $"[{o},{i},{k}]");
        // 4-D, more inputs than outputs: only d < out; centre (size/2) of even sizes is the upper middle, as PyTorch.
        var w4 = Values(Init.Dirac(Tensor.Ones([2, 3, 4, 5], DType.Float64)));
        Assert.That(w4.Sum(), Is.EqualTo(2));
        Assert.That(w4[((0 * 3 + 0) * 4 + 2) * 5 + 2], Is.EqualTo(1));
        Assert.That(w4[((1 * 3 + 1) * 4 + 2) * 5 + 2], Is.EqualTo(1));
        var w5 = Values(Init.Dirac(Tensor.Ones(3, 3, 1, 1, 3)));
        Assert.That(w5.Sum(), Is.EqualTo(3));
        Assert.That(w5[(2 * 3 + 2) * 3 + 1], Is.EqualTo(1));
        Assert.That(() => Init.Dirac(Tensor.Zeros(2, 2)), Throws.ArgumentException.With.Message.Contains("Only tensors with 3, 4, or 5 dimensions are supported"));
        Assert.That(() => Init.Dirac(Tensor.Zeros(3, 2, 3), 2), Throws.ArgumentException.With.Message.Contains("dim 0 must be divisible by groups"));
    }

    [TestCase(40, 30)]
    [TestCase(30, 40)]
    [TestCase(6, 2, 3, 3)]
    [TestCase(1, 5)]
    [TestCase(5, 1)]
    public void Orthogonal_is_orthogonal_to_rounding(params int[] shape)
    {
        var t = Init.Orthogonal(Tensor.Zeros(shape, DType.Float64), gain: 2, generator: new Generator(7));
        int rows = shape[0], cols = (int)(t.Numel / rows);
        var v = Values(t);
        bool wide = rows < cols;   // then the rows are orthonormal, else the columns
        int n = wide ? rows : cols, m = wide ? cols : rows;
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                double dot = 0;
                for (int i = 0; i < m; i++)
                    dot += (wide ? v[a * cols + i] * v[b * cols + i] : v[i * cols + a] * v[i * cols + b]) / 4;
                Assert.That(dot, Is.EqualTo(a == b ? 1.0 : 0.0).Within(1e-12), $"({a},{b})");
            }
        Assert.That(() => Init.Orthogonal(Tensor.Zeros(3)), Throws.ArgumentException.With.Message.Contains("Only tensors with 2 or more dimensions are supported"));
    }

    [Test]
    public void Orthogonal_is_the_positive_diagonal_QR_of_the_drawn_normal_matrix()
    {
        // The same generator state draws the same normal matrix A; Q·R = A with R = QᵀA upper-triangular, diag > 0.
        var a = Values(Tensor.Randn([5, 3], 0, 1, DType.Float64, null, new Generator(11)));
        var q = Values(Init.Orthogonal(Tensor.Zeros([5, 3], DType.Float64), generator: new Generator(11)));
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                double r = 0;
                for (int k = 0; k < 5; k++) r += q[k * 3 + i] * a[k * 3 + j];
                if (i > j) Assert.That(r, Is.EqualTo(0).Within(1e-12));
                if (i == j) Assert.That(r, Is.GreaterThan(0));
            }
    }

    private static void AssertMoments(double[] v, double mean, double std)
    {
        var (m, s) = Moments(v);
        double se = std / Math.Sqrt(v.Length);
        Assert.That(m, Is.EqualTo(mean).Within(5 * se), "mean");
        Assert.That(s, Is.EqualTo(std).Within(5 * std / Math.Sqrt(2.0 * v.Length) + 1e-12), "std");
    }

    [Test]
    public void Distributions_have_the_formulas_moments([Values(DType.Float32, DType.Float64)] DType dt)
    {
        var g = new Generator(123);
        var u = Values(Init.Uniform(Tensor.Zeros([200, 100], dt), -1, 3, g));
        Assert.That(u.Min(), Is.GreaterThanOrEqualTo(-1)); Assert.That(u.Max(), Is.LessThan(3));
        AssertMoments(u, 1, 4 / Math.Sqrt(12));
        AssertMoments(Values(Init.Normal(Tensor.Zeros([200, 100], dt), 2, 0.5, g)), 2, 0.5);
        // xavier: fan_in 100·4, fan_out 50·4.
        var w = Tensor.Zeros([50, 100, 2, 2], dt);
        double xs = 1.5 * Math.Sqrt(2.0 / 600);
        var xu = Values(Init.XavierUniform(w, 1.5, g));
        Assert.That(xu.Max(x => Math.Abs(x)), Is.LessThanOrEqualTo(xs * Math.Sqrt(3) * (1 + 1e-6)));
        AssertMoments(xu, 0, xs);
        AssertMoments(Values(Init.XavierNormal(w, 1.5, g)), 0, xs);
        double ks = Math.Sqrt(2.0) / Math.Sqrt(400);
        var ku = Values(Init.KaimingUniform(w, 0, "fan_in", "relu", g));
        Assert.That(ku.Max(x => Math.Abs(x)), Is.LessThanOrEqualTo(ks * Math.Sqrt(3) * (1 + 1e-6)));
        AssertMoments(ku, 0, ks);
        double kso = Math.Sqrt(2 / (1 + 0.04)) / Math.Sqrt(200);
        AssertMoments(Values(Init.KaimingNormal(w, 0.2, "fan_out", generator: g)), 0, kso);
        Assert.That(Init.KaimingUniform(Tensor.Zeros(0, 3)).Numel, Is.EqualTo(0));
    }

    [Test]
    public void Trunc_normal_stays_in_bounds_with_the_truncated_moments()
    {
        var v = Values(Init.TruncNormal(Tensor.Zeros([20000], DType.Float64), 1, 2, -1, 2, new Generator(5)));
        Assert.That(v.Min(), Is.GreaterThanOrEqualTo(-1)); Assert.That(v.Max(), Is.LessThanOrEqualTo(2));
        // Truncated normal, α = (a−μ)/σ = −1, β = 0.5: mean μ + σ(φ(α)−φ(β))/Z, var σ²[1 + (αφ(α)−βφ(β))/Z − ((φ(α)−φ(β))/Z)²].
        static double Phi(double x) => Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI);
        double al = -1, be = 0.5;
        double z = 0.6914624612740131 - 0.15865525393145707;
        double d = (Phi(al) - Phi(be)) / z;
        double mean = 1 + 2 * d, std = 2 * Math.Sqrt(1 + (al * Phi(al) - be * Phi(be)) / z - d * d);
        AssertMoments(v, mean, std);
        var s = Values(Init.TruncNormal(Tensor.Zeros([20000]), generator: new Generator(6)));
        Assert.That(s.Min(), Is.GreaterThanOrEqualTo(-2)); Assert.That(s.Max(), Is.LessThanOrEqualTo(2));
    }

    [Test]
    public void Sparse_zeroes_the_ceiling_of_sparsity_rows_per_column()
    {
        var v = Values(Init.Sparse(Tensor.Zeros([10, 3000], DType.Float64), 0.25, 0.1, new Generator(9)));
        for (int c = 0; c < 3000; c++)
        {
            int zeros = 0;
            for (int r = 0; r < 10; r++) if (v[r * 3000 + c] == 0) zeros++;
            Assert.That(zeros, Is.EqualTo(3), $"column {c}");
        }
        // Each row is zeroed in 3/10 of the columns.
        for (int r = 0; r < 10; r++)
            Assert.That(Enumerable.Range(0, 3000).Count(c => v[r * 3000 + c] == 0) / 3000.0, Is.EqualTo(0.3).Within(5 * Math.Sqrt(0.21 / 3000)));
        AssertMoments(v.Where(x => x != 0).ToArray(), 0, 0.1);
        Assert.That(() => Init.Sparse(Tensor.Zeros(2, 2, 2), 0.1), Throws.ArgumentException.With.Message.Contains("Only tensors with 2 dimensions are supported"));
    }

    [Test]
    public void The_CUDA_device_gets_the_CPUs_values()
    {
        Pade.Kernels.CudaBackend.Use(Pade.Tests.CudaTestEnvironment.RequireDevice());
        foreach (var dt in new[] { DType.Float32, DType.Float64 })
        {
            var cpu = Init.Orthogonal(Tensor.Zeros([3, 4], dt), generator: new Generator(8));
            var gpu = Init.Orthogonal(Tensor.Zeros([3, 4], dt, Device.Cuda), generator: new Generator(8));
            Assert.That(gpu.Device, Is.EqualTo(Device.Cuda));
            Assert.That(gpu.ToArray<double>(), Is.EqualTo(cpu.ToArray<double>()));
            Assert.That(Init.Dirac(Tensor.Ones([2, 2, 3], dt, Device.Cuda)).ToArray<double>(), Is.EqualTo(Init.Dirac(Tensor.Ones([2, 2, 3], dt)).ToArray<double>()));
        }
    }

    [Test]
    public void A_seed_reproduces_the_values_and_a_parameter_is_filled_without_a_graph()
    {
        var p = Tensor.Zeros(4, 5); p.RequiresGrad = true;
        var a = Values(Init.KaimingNormal(p, generator: new Generator(42)));
        Assert.That(p.IsLeaf, Is.True); Assert.That(p.RequiresGrad, Is.True);
        Assert.That(p.GradFn, Is.Null);
        var b = Values(Init.KaimingNormal(Tensor.Zeros(4, 5), generator: new Generator(42)));
        Assert.That(a, Is.EqualTo(b));
        var g = new Generator(42);
        Init.Orthogonal(Tensor.Zeros(4, 5), generator: g);
        Assert.That(Values(Init.Orthogonal(Tensor.Zeros(4, 5), generator: g)), Is.Not.EqualTo(Values(Init.Orthogonal(Tensor.Zeros(4, 5), generator: new Generator(42)))));
    }
}

/// <summary>Random geometries: the fans, dirac's pattern and orthogonal's QR against plain float64 loops of their
/// definitions (size-1 and zero dims, 2-D to 5-D, any groups dividing the output channels).</summary>
public class InitProperties
{
    private static readonly Gen<int[]> Shapes =
        from rank in Gen.Choose(2, 5)
        from dims in Gen.ArrayOf(Gen.Choose(0, 5), rank)
        select dims;

    [FsCheck.NUnit.Property(MaxTest = 100)]
    public Property FansAndDiracMatchTheDefinitions() => Prop.ForAll(Shapes.ToArbitrary(), shape =>
    {
        var t = Tensor.Zeros(shape, DType.Float64);
        long receptive = 1;
        for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
        Assert.That(Init.CalculateFanInAndFanOut(t), Is.EqualTo(((int)(shape[1] * receptive), (int)(shape[0] * receptive))));
        if (shape.Length < 3) return;
        int groups = Enumerable.Range(1, Math.Max(1, shape[0])).Where(g => shape[0] % g == 0).Last();
        if (Math.Min(shape[0] / groups, shape[1]) > 0 && shape.Skip(2).Contains(0))
        {
            Assert.That(() => Init.Dirac(Tensor.Ones(shape, DType.Float64), groups), Throws.ArgumentException.With.Message.Contains("out of bounds"));
            return;
        }
        var v = Init.Dirac(Tensor.Ones(shape, DType.Float64), groups).ToArray<double>();
        int opg = shape[0] / groups;
        for (long flat = 0; flat < v.Length; flat++)
        {
            var idx = new int[shape.Length];
            long rest = flat;
            for (int d = shape.Length - 1; d >= 0; d--) { idx[d] = (int)(rest % shape[d]); rest /= shape[d]; }
            bool one = idx[1] == idx[0] % opg && idx[1] < Math.Min(opg, shape[1]);
            for (int d = 2; d < shape.Length; d++) one &= idx[d] == shape[d] / 2;
            Assert.That(v[flat], Is.EqualTo(one ? 1.0 : 0.0), $"{Pade.Engine.Shapes.Format(idx)} of {Pade.Engine.Shapes.Format(shape)}, groups {groups}");
        }
    });

    [FsCheck.NUnit.Property(MaxTest = 60)]
    public Property OrthogonalIsThePositiveDiagonalQR() => Prop.ForAll(Shapes.ToArbitrary(), shape =>
    {
        var t = Tensor.Zeros(shape, DType.Float64);
        if (t.Numel == 0) { Assert.That(Init.Orthogonal(t).Numel, Is.EqualTo(0)); return; }
        int rows = shape[0], cols = (int)(t.Numel / rows);
        bool wide = rows < cols;
        int m = wide ? cols : rows, n = wide ? rows : cols;
        double At(double[] x, int i, int j) => wide ? x[(long)j * cols + i] : x[(long)i * cols + j];   // column j of the m × n matrix
        var a = Tensor.Randn([(int)t.Numel], 0, 1, DType.Float64, null, new Generator(3)).ToArray<double>();
        var q = Init.Orthogonal(t, generator: new Generator(3)).ToArray<double>();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double qq = 0, r = 0;
                for (int k = 0; k < m; k++) { qq += At(q, k, i) * At(q, k, j); r += At(q, k, i) * At(a, k, j); }
                Assert.That(qq, Is.EqualTo(i == j ? 1.0 : 0.0).Within(1e-12), "QᵀQ");
                if (i > j) Assert.That(r, Is.EqualTo(0).Within(1e-9), "R below the diagonal");
                if (i == j) Assert.That(r, Is.GreaterThan(0), "R's diagonal");
            }
    });
}
