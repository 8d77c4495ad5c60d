using System.Text.RegularExpressions;
using NUnit.Framework;
using Pade.Engine;
using Pade.Engine.Functional;
using Pade.Kernels;
using Pade.Kernels.Catalog;
using Pade.Kernels.Interop;
using static Pade.Kernels.Catalog.KernelParam;

namespace Pade.Tests;

/// <summary>
/// The kernel catalogue (Kernels/Catalog) against what NVRTC makes of cuda/: no GPU needed, only NVRTC. Every
/// <c>extern "C" __global__</c> entry point is declared, every declaration is exported, each parameter has the width
/// (and for a struct, the alignment) of the PTX's <c>.param</c> in the same place, and no declaration launches more
/// threads than the kernel's <c>__launch_bounds__</c>. Then the launch-time check of arguments against a declaration.
/// </summary>
public partial class KernelCatalogTests
{
    /// <summary>One <c>.param</c> of a PTX entry: its type (u32, u64, f32, f64, b8 for a struct), bytes and alignment.</summary>
    public readonly record struct PtxParam(string Type, int Size, int Align)
    {
        public override string ToString() => Type == "b8" ? $".align {Align} .b8 [{Size}]" : $".{Type}";
    }

    /// <summary>An entry point of a PTX module: its parameters and its <c>.maxntid</c> (0 without __launch_bounds__).</summary>
    public sealed record PtxEntry(string Name, PtxParam[] Params, int MaxThreads);

    [GeneratedRegex(@"\.entry\s+(\w+)\s*\(([^)]*)\)\s*(?:\.maxntid\s+(\d+),\s*(\d+),\s*(\d+))?")]
    private static partial Regex EntryPattern();

    [GeneratedRegex(@"^\s*\.param\s+(?:\.align\s+(\d+)\s+)?\.(\w+)\s+\w+(?:\[(\d+)\])?\s*$")]
    private static partial Regex ParamPattern();

    /// <summary>The entry points of a PTX module, by name.</summary>
    public static Dictionary<string, PtxEntry> Entries(string ptx)
    {
        var entries = new Dictionary<string, PtxEntry>();
        foreach (Match m in EntryPattern().Matches(ptx))
        {
            var list = m.Groups[2].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(ParseParam).ToArray();
            int threads = m.Groups[3].Success
                ? int.Parse(m.Groups[3].Value) * int.Parse(m.Groups[4].Value) * int.Parse(m.Groups[5].Value) : 0;
            entries.Add(m.Groups[1].Value, new PtxEntry(m.Groups[1].Value, list, threads));
        }
        return entries;
    }

    private static PtxParam ParseParam(string text)
    {
        var m = ParamPattern().Match(text);
        if (!m.Success) throw new FormatException($"unexpected PTX parameter '{text}'");
        string type = m.Groups[2].Value;
        if (m.Groups[3].Success) return new PtxParam(type, int.Parse(m.Groups[3].Value), m.Groups[1].Success ? int.Parse(m.Groups[1].Value) : 1);
        int size = int.Parse(type[1..]) / 8;
        return new PtxParam(type, size, size);
    }

    /// <summary>What is wrong with <paramref name="kernel"/>'s declaration against its PTX entry, one line per
    /// problem naming the kernel and the parameter; empty when they agree.</summary>
    public static List<string> Compare(Kernel kernel, PtxEntry entry)
    {
        var problems = new List<string>();
        var (declared, ptx) = (kernel.Parameters, entry.Params);
        for (int i = 0; i < Math.Max(declared.Count, ptx.Length); i++)
        {
            if (i >= declared.Count) { problems.Add($"{kernel.File}: {kernel.Name} parameter {i} ({ptx[i]}) is not declared"); continue; }
            if (i >= ptx.Length) { problems.Add($"{kernel.File}: {kernel.Name} parameter {i} ({declared[i]}) is not in the PTX"); continue; }
            if (!Agree(declared[i], ptx[i]))
                problems.Add($"{kernel.File}: {kernel.Name} parameter {i} is declared {declared[i]} ({declared[i].Size} bytes) " +
                    $"but the PTX has {ptx[i]} ({ptx[i].Size} bytes)");
        }
        if (entry.MaxThreads > 0 && kernel.Threads > entry.MaxThreads)
            problems.Add($"{kernel.File}: {kernel.Name} is declared with {kernel.Threads} threads, its __launch_bounds__ allows {entry.MaxThreads}");
        return problems;
    }

    // PTX spells each C type one way: pointers and 64-bit integers as .u64 (.b64 in some versions), int as .u32
    // (or .s32/.b32), float and double as .f32 and .f64, a struct as aligned bytes.
    private static bool Agree(KernelParam p, PtxParam x) => p.Kind switch
    {
        ParamKind.Pointer or ParamKind.LongLong or ParamKind.UnsignedLongLong => x.Type is "u64" or "s64" or "b64",
        ParamKind.Int => x.Type is "u32" or "s32" or "b32",
        ParamKind.Float => x.Type == "f32",
        ParamKind.Double => x.Type == "f64",
        ParamKind.Struct => x.Type == "b8" && x.Size == p.Size && x.Align == p.Align,
        _ => false,
    };

    private static Dictionary<string, PtxEntry> EntriesOf(string file) => Entries(CudaTestEnvironment.Ptx(file, "compute_80"));

    [Test]
    public void EveryDeclarationMatchesItsPtxParameterList()
    {
        CudaTestEnvironment.RequireNvrtc();
        var problems = new List<string>();
        int compared = 0;
        foreach (var file in KernelCatalog.Files)
        {
            var entries = EntriesOf(file.Name);
            foreach (var kernel in file.Kernels)
                if (entries.TryGetValue(kernel.Name, out var entry))
                {
                    problems.AddRange(Compare(kernel, entry));
                    compared++;
                }
        }
        Assert.That(problems, Is.Empty);
        Assert.That(compared, Is.EqualTo(KernelCatalog.All.Count()));
    }

    [Test]
    public void EveryPtxEntryIsDeclaredAndEveryDeclarationIsExported()
    {
        CudaTestEnvironment.RequireNvrtc();
        Assert.That(KernelCatalog.Files.Select(f => f.Name), Is.EquivalentTo(KernelSource.Names), "kernel files without a catalogue class, or the reverse");
        var undeclared = new List<string>();
        var missing = new List<string>();
        foreach (var file in KernelCatalog.Files)
        {
            var entries = EntriesOf(file.Name);
            var declared = file.Kernels.Select(k => k.Name).ToHashSet();
            undeclared.AddRange(entries.Keys.Where(e => !declared.Contains(e)).Select(e => $"{file.Name}: {e}"));
            missing.AddRange(declared.Where(d => !entries.ContainsKey(d)).Select(d => $"{file.Name}: {d}"));
        }
        Assert.That(undeclared, Is.Empty, "entry points in the PTX that the catalogue does not declare");
        Assert.That(missing, Is.Empty, "declarations of entry points the PTX does not export");
        // The 136 of PADE_EMU_LAUNCH_LOG's full run: a change here means kernels were added or removed.
        TestContext.Out.WriteLine($"{KernelCatalog.All.Count()} kernels in {KernelCatalog.Files.Count} files");
    }

    [Test]
    public void APlantedWrongDeclarationFailsNamingKernelAndParameter()
    {
        CudaTestEnvironment.RequireNvrtc();
        var entry = EntriesOf("fill_copy.cu")["fill_f32"];
        var right = new KernelFile("fill_copy.cu").Declare("fill_f32", [Ptr("y"), I64("n"), F32("value")]);
        Assert.That(Compare(right, entry), Is.Empty);

        // `int n` where the kernel takes `long long n`: on a GPU the kernel would read 4 bytes of garbage.
        var narrow = new KernelFile("fill_copy.cu").Declare("fill_f32", [Ptr("y"), I32("n"), F32("value")]);
        Assert.That(Compare(narrow, entry), Is.EqualTo(new[]
        {
            "fill_copy.cu: fill_f32 parameter 1 is declared int n (4 bytes) but the PTX has .u64 (8 bytes)",
        }));
        var swapped = new KernelFile("fill_copy.cu").Declare("fill_f32", [Ptr("y"), I64("n"), F64("value")]);
        Assert.That(Compare(swapped, entry).Single(), Does.Contain("parameter 2 is declared double value"));
        var short_ = new KernelFile("fill_copy.cu").Declare("fill_f32", [Ptr("y"), I64("n")]);
        Assert.That(Compare(short_, entry).Single(), Is.EqualTo("fill_copy.cu: fill_f32 parameter 2 (.f32) is not declared"));
        var wideStruct = new KernelFile("conv.cu").Declare("im2col_f32",
            [Ptr("x"), Ptr("col"), Struct<Dims8>("g"), I32("s0"), I32("samples"), I32("group")]);
        Assert.That(Compare(wideStruct, EntriesOf("conv.cu")["im2col_f32"]).Single(),
            Does.Contain("im2col_f32 parameter 2 is declared Dims8 g (64 bytes) but the PTX has .align 4 .b8 [64]"));
        var tooManyThreads = new KernelFile("pau.cu").Declare("pau_coeff_reduce_f32",
            PauKernels.CoeffReduce.F32.Parameters.ToArray(), threads: 512);
        Assert.That(Compare(tooManyThreads, EntriesOf("pau.cu")["pau_coeff_reduce_f32"]).Single(), Does.Contain("__launch_bounds__ allows 256"));
    }

    [Test]
    public void PtxParametersAreReadWithTheirWidths()
    {
        const string ptx = """
            .visible .entry k(
            	.param .u64 k_param_0,
            	.param .u32 k_param_1,
            	.param .f64 k_param_2,
            	.param .align 8 .b8 k_param_3[64]
            )
            .maxntid 256, 1, 1
            {
            }
            """;
        var entry = Entries(ptx)["k"];
        Assert.That(entry.Params, Is.EqualTo(new[] { new PtxParam("u64", 8, 8), new PtxParam("u32", 4, 4), new PtxParam("f64", 8, 8), new PtxParam("b8", 64, 8) }));
        Assert.That(entry.MaxThreads, Is.EqualTo(256));
    }

    // ---- the launch-time check (no GPU: it runs before anything reaches the driver) --------------------------------

    [Test]
    public void ArgumentsOfAnotherCTypeAreRefusedNamingKernelAndParameter()
    {
        var p = new CuDevicePtr(0x1000);
        var unary = ElementwiseKernels.Unary.F32;
        Assert.DoesNotThrow(() => unary.CheckArguments([0, p, p, 10L, 1f, 2f]));

        var e = Assert.Throws<ArgumentException>(() => unary.CheckArguments([0, p, p, 10, 1f, 2f]))!; // int for long long
        Assert.That(e.Message, Does.StartWith("elementwise.cu: unary_f32 parameter 3 (long long n) was given a int (4 bytes)"));
        e = Assert.Throws<ArgumentException>(() => unary.CheckArguments([0, p, p, 10L, 1.0, 2.0]))!; // double for float
        Assert.That(e.Message, Does.Contain("parameter 4 (float alpha) was given a double"));
        e = Assert.Throws<ArgumentException>(() => unary.CheckArguments([0, p, p, 10L, 1, 2f]))!;    // same width, int for float
        Assert.That(e.Message, Does.Contain("parameter 4 (float alpha) was given a int"));
        e = Assert.Throws<ArgumentException>(() => unary.CheckArguments([0, p, p, p, 1f, 2f]))!;     // a pointer for a long long
        Assert.That(e.Message, Does.Contain("parameter 3 (long long n) was given a T*"));
        e = Assert.Throws<ArgumentException>(() => unary.CheckArguments([0, p, p, 10L, 1f]))!;
        Assert.That(e.Message, Does.StartWith("elementwise.cu: unary_f32 takes 6 arguments, was given 5"));
        e = Assert.Throws<ArgumentException>(() => RandomKernels.Random.F32.CheckArguments([p, 10L, 0, 1L, 0UL, 0.0, 1.0]))!;
        Assert.That(e.Message, Does.Contain("parameter 3 (unsigned long long seed) was given a long long"));
    }

    [Test]
    public void AStructArgumentMustBeTheDeclaredType()
    {
        var p = new CuDevicePtr(0x1000);
        var g = new Conv2dGeometry(1, 1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 4, 4);
        var im2col = ConvKernels.Im2Col.F64;
        Assert.DoesNotThrow(() => im2col.CheckArguments([p, p, KernelArg.Of(g), 0, 1, 0]));
        // Dims8 is 64 bytes too: only the type tells them apart.
        var e = Assert.Throws<ArgumentException>(() => im2col.CheckArguments([p, p, KernelArg.Of(Dims8.From([1, 2])), 0, 1, 0]))!;
        Assert.That(e.Message, Does.Contain("im2col_f64 parameter 2 (Conv2dGeometry g) was given a Dims8 (64 bytes)"));
    }

    [Test]
    public void FloatKernelsPickTheEntryPointOfTheDType()
    {
        Assert.That(ElementwiseKernels.Binary[DType.Float64].Name, Is.EqualTo("binary_f64"));
        Assert.That(ElementwiseKernels.Unary.F32.ToString(), Is.EqualTo("unary_f32(int op, T* x, T* y, long long n, float alpha, float beta)"));
        Assert.Throws<ArgumentException>(() => _ = ElementwiseKernels.Unary[DType.Int32]);
        Assert.That(FillCopyKernels.Copy(DType.Int32, DType.Float64).Name, Is.EqualTo("copy_i32_f64"));
        Assert.That(GemmKernels.For(DType.Float32, 128, true, false).Name, Is.EqualTo("gemm_f32_128_tn"));
        Assert.Throws<ArgumentException>(() => GemmKernels.For(DType.Float64, 128, false, false));
    }
}
