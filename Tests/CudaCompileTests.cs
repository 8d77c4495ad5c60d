using System.Text.RegularExpressions;
using NUnit.Framework;
using Pade.Kernels;
using Pade.Kernels.Interop;

namespace Pade.Tests;

/// <summary>NVRTC compilation, the PTX cache and the library loader. Needs NVRTC, never a GPU.</summary>
public class CudaCompileTests
{
    private static readonly string[] Archs = ["compute_80", "compute_90"];

    [Test]
    public void KernelSourcesAreEmbedded()
    {
        Assert.That(KernelSource.Names, Does.Contain("fill_copy.cu"));
        Assert.That(KernelSource.Read("fill_copy.cu"), Does.Contain("extern \"C\" __global__ void fill_f32"));
        var e = Assert.Throws<FileNotFoundException>(() => KernelSource.Read("nope.cu"))!;
        Assert.That(e.Message, Does.Contain("nope.cu").And.Contain("fill_copy.cu"));

        // Headers are embedded beside the kernels but are not kernel files: nothing compiles a .cuh on its own.
        Assert.That(KernelSource.Headers.Select(h => h.Name), Does.Contain("philox.cuh"));
        Assert.That(KernelSource.Headers.Single(h => h.Name == "philox.cuh").Source, Does.Contain("philox_block"));
        Assert.That(KernelSource.Names, Has.None.EndsWith(".cuh"));
        Assert.That(KernelSource.Read("philox.cuh"), Is.EqualTo(KernelSource.Headers.Single(h => h.Name == "philox.cuh").Source));
    }

    private static readonly Regex Include = new(@"^\s*#\s*include\s*[""<]([^"">]+)["">]", RegexOptions.Multiline);

    [Test]
    public void EveryIncludeNamesAnEmbeddedHeader()
    {
        // NVRTC is given the embedded headers only (no file system, no CUDA toolkit headers), so an #include of
        // anything else would fail at run time on the GPU machine. Some kernel file does include one, so that
        // EveryEmbeddedKernelCompiles also checks that NVRTC finds the headers.
        var headers = KernelSource.Headers.Select(h => h.Name).ToHashSet();
        var includes = KernelSource.Names.Concat(headers)
            .SelectMany(file => Include.Matches(KernelSource.Read(file)).Select(m => (File: file, Header: m.Groups[1].Value)))
            .ToList();
        Assert.That(includes.Where(i => !headers.Contains(i.Header)).Select(i => $"{i.File}: {i.Header}"), Is.Empty);
        Assert.That(includes.Select(i => i.File), Does.Contain("random.cu").And.Contain("pau.cu").And.Contain("activations.cu"));
    }

    [TestCaseSource(nameof(Archs))]
    public void EveryEmbeddedKernelCompiles(string arch)
    {
        CudaTestEnvironment.RequireNvrtc();
        var failures = new List<string>();
        foreach (var file in KernelSource.Names)
        {
            try
            {
                var ptx = CudaTestEnvironment.Ptx(file, arch);
                Assert.That(ptx, Does.Contain(".target sm_" + arch["compute_".Length..]), file);
            }
            catch (NvrtcException e)
            {
                failures.Add($"{e.FileName}:\n{e.Message}");
            }
        }
        Assert.That(failures, Is.Empty, $"NVRTC {NvrtcCompiler.Version()} failed for {arch}:\n" + string.Join("\n\n", failures));
    }

    [Test]
    public void FillCopyPtxExportsUnmangledEntries()
    {
        CudaTestEnvironment.RequireNvrtc();
        var ptx = CudaTestEnvironment.Ptx("fill_copy.cu", "compute_80");
        foreach (var entry in (string[])["fill_f32", "fill_f64", "copy_strided_f32", "copy_strided_f64"])
            Assert.That(ptx, Does.Contain($".entry {entry}("), entry);
    }

    [Test]
    public void BrokenSourceThrowsWithFileNameAndLog()
    {
        CudaTestEnvironment.RequireNvrtc();
        const string source = "extern \"C\" __global__ void broken(float* y) {\n  y[0] = undeclared_name;\n}\n";
        var e = Assert.Throws<NvrtcException>(() => NvrtcCompiler.CompileToPtx("broken_test.cu", source, "compute_80"))!;
        Assert.That(e.FileName, Is.EqualTo("broken_test.cu"));
        Assert.That(e.Result, Is.EqualTo(NvrtcResult.Compilation));
        Assert.That(e.Log, Does.Contain("broken_test.cu(2)").And.Contain("undeclared_name"));
        Assert.That(e.Message, Does.Contain("broken_test.cu").And.Contain("undeclared_name").And.Contain("nvrtcCompileProgram"));
    }

    [Test]
    public void EmbeddedHeadersAreFoundByInclude()
    {
        CudaTestEnvironment.RequireNvrtc();
        const string source = "#include \"philox.cuh\"\n"
            + "extern \"C\" __global__ void kat(unsigned* y) { y[threadIdx.x] = philox_block(0, 0).at(threadIdx.x); }\n";
        foreach (var arch in Archs)
            Assert.That(NvrtcCompiler.CompileToPtx("include_test.cu", source, arch), Does.Contain(".entry kat("), arch);
    }

    [TestCase("nope.cuh", "nope.cuh")]  // not among the headers NVRTC is given
    [TestCase("bad.cuh", "bad.cuh(1)")]  // among them, with an error on its line 1
    public void HeaderErrorsNameTheKernelFileAndTheHeader(string include, string inLog)
    {
        CudaTestEnvironment.RequireNvrtc();
        KernelHeader[] headers = [.. KernelSource.Headers, new("bad.cuh", "__device__ int f() { return undeclared_in_header; }\n")];
        var source = $"#include \"{include}\"\nextern \"C\" __global__ void k() {{}}\n";
        var e = Assert.Throws<NvrtcException>(() =>
            NvrtcCompiler.CompileToPtx("uses_header.cu", source, "compute_80", headers: headers))!;
        Assert.That(e.FileName, Is.EqualTo("uses_header.cu"));
        Assert.That(e.Log, Does.Contain(inLog));
        Assert.That(e.Message, Does.Contain("uses_header.cu").And.Contain(inLog));
    }

    [Test]
    public void UnknownOptionIsReported()
    {
        CudaTestEnvironment.RequireNvrtc();
        var options = new NvrtcOptions { Extra = ["--no-such-option"] };
        var e = Assert.Throws<NvrtcException>(() => NvrtcCompiler.CompileToPtx("opt.cu", "", "compute_80", options))!;
        Assert.That(e.Result, Is.EqualTo(NvrtcResult.InvalidOption));
        Assert.That(e.Message, Does.Contain("--no-such-option"));
    }

    [Test]
    public void ArchMustBeVirtual()
    {
        var e = Assert.Throws<ArgumentException>(() => NvrtcCompiler.CompileToPtx("a.cu", "", "sm_80"))!;
        Assert.That(e.Message, Does.Contain("sm_80").And.Contain("compute_"));
    }

    [Test]
    public void ArchForPicksDeviceArchOrNewestOlder()
    {
        CudaTestEnvironment.RequireNvrtc();
        Assert.That(NvrtcCompiler.ArchFor(8, 0), Is.EqualTo("compute_80"));
        Assert.That(NvrtcCompiler.ArchFor(9, 0), Is.EqualTo("compute_90"));
        var newest = NvrtcCompiler.SupportedArchs().Max();
        Assert.That(NvrtcCompiler.ArchFor(99, 9), Is.EqualTo($"compute_{newest}")); // a future GPU runs older PTX
    }

    // Division compiles to div.rn (IEEE) by default and to an approximation under --use_fast_math.
    private const string DivideSource =
        "extern \"C\" __global__ void divide(float* y, float d) { y[threadIdx.x] = y[threadIdx.x] / d; }\n";

    [Test]
    public void CacheReturnsSamePtxForSameKeyAndDifferentForDifferentOptions()
    {
        CudaTestEnvironment.RequireNvrtc();
        var dir = Path.Combine(Path.GetTempPath(), "pade-ptx-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var cache = new KernelCache(dir);
            var plain = cache.GetPtx("divide.cu", DivideSource, "compute_80");
            Assert.That(cache.GetPtx("divide.cu", DivideSource, "compute_80"), Is.SameAs(plain));
            Assert.That((cache.Compilations, cache.MemoryHits), Is.EqualTo((1L, 1L)));

            var fast = cache.GetPtx("divide.cu", DivideSource, "compute_80", new NvrtcOptions { FastMath = true });
            Assert.That(fast, Is.Not.EqualTo(plain));
            Assert.That(plain, Does.Contain("div.rn.f32"));
            Assert.That(cache.Compilations, Is.EqualTo(2));

            Assert.That(Directory.GetFiles(dir, "*.ptx"), Has.Length.EqualTo(2));
            Assert.That(Directory.GetFiles(dir, "*.tmp"), Is.Empty);

            var second = new KernelCache(dir); // a later process: served from disk, nothing compiled
            Assert.That(second.GetPtx("divide.cu", DivideSource, "compute_80"), Is.EqualTo(plain));
            Assert.That((second.DiskHits, second.Compilations), Is.EqualTo((1L, 0L)));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void CacheMissesWhenAHeaderChanges()
    {
        CudaTestEnvironment.RequireNvrtc();
        const string source = "#include \"scale.cuh\"\n"
            + "extern \"C\" __global__ void scale(float* y) { y[threadIdx.x] *= SCALE; }\n";
        KernelHeader[] two = [new("scale.cuh", "#define SCALE 2.0f\n")], three = [new("scale.cuh", "#define SCALE 3.0f\n")];
        var cache = new KernelCache(directory: null);
        var ptx2 = cache.GetPtx("scale.cu", source, "compute_80", headers: two);
        var ptx3 = cache.GetPtx("scale.cu", source, "compute_80", headers: three);
        Assert.That(cache.Compilations, Is.EqualTo(2));
        Assert.That(ptx3, Is.Not.EqualTo(ptx2));
        Assert.That(cache.GetPtx("scale.cu", source, "compute_80", headers: two), Is.SameAs(ptx2));
        Assert.That((cache.Compilations, cache.MemoryHits), Is.EqualTo((2L, 1L)));
    }

    [Test]
    public void CacheKeyCoversEveryInput()
    {
        var args = NvrtcOptions.Default.ToArguments("compute_80");
        KernelHeader[] headers = [new("a.cuh", "int a;")];
        var key = KernelCache.Key("src", headers, "compute_80", args, (12, 4));
        Assert.That(key, Has.Length.EqualTo(64));
        Assert.That(KernelCache.Key("src", headers, "compute_80", args, (12, 4)), Is.EqualTo(key));
        Assert.That(KernelCache.Key("src2", headers, "compute_80", args, (12, 4)), Is.Not.EqualTo(key));
        Assert.That(KernelCache.Key("src", headers, "compute_90", NvrtcOptions.Default.ToArguments("compute_90"), (12, 4)),
            Is.Not.EqualTo(key));
        Assert.That(KernelCache.Key("src", headers, "compute_80", new NvrtcOptions { FastMath = true }.ToArguments("compute_80"),
            (12, 4)), Is.Not.EqualTo(key));
        Assert.That(KernelCache.Key("src", headers, "compute_80", args, (12, 5)), Is.Not.EqualTo(key));
        // A header's text, its name, an added header and none at all each give another key.
        Assert.That(KernelCache.Key("src", [new("a.cuh", "int b;")], "compute_80", args, (12, 4)), Is.Not.EqualTo(key));
        Assert.That(KernelCache.Key("src", [new("b.cuh", "int a;")], "compute_80", args, (12, 4)), Is.Not.EqualTo(key));
        Assert.That(KernelCache.Key("src", [.. headers, new("c.cuh", "")], "compute_80", args, (12, 4)), Is.Not.EqualTo(key));
        Assert.That(KernelCache.Key("src", [], "compute_80", args, (12, 4)), Is.Not.EqualTo(key));
        // The text boundaries are part of the key: moving text between the source and a header changes it.
        Assert.That(KernelCache.Key("sr", [new("a.cuh", "cint a;")], "compute_80", args, (12, 4)), Is.Not.EqualTo(key));
    }

    [Test]
    public void DefaultOptionsAreTheDocumentedOnes()
    {
        Assert.That(NvrtcOptions.Default.ToArguments("compute_90"),
            Is.EqualTo(new[] { "--gpu-architecture=compute_90", "--std=c++17", "-default-device" }));
    }

    [Test]
    public void NvrtcVersionIsReported()
    {
        CudaTestEnvironment.RequireNvrtc();
        var (major, minor) = NvrtcCompiler.Version();
        Assert.That(major, Is.GreaterThanOrEqualTo(11));
        TestContext.Out.WriteLine($"NVRTC {major}.{minor} from {CudaLibraries.NvrtcPath}");
    }

    [Test]
    public void MissingDriverIsExplainedPerCandidate()
    {
        if (CudaLibraries.TryLoadDriver(out var why))
        {
            Assert.That(CudaLibraries.DriverPath, Is.Not.Null);
            return;
        }
        Assert.That(why, Does.Contain("CUDA driver").And.Contain("libcuda.so.1").And.Contain("libcuda.so:"));
        // A P/Invoke into the missing library fails with the same explanation, not the runtime's generic one.
        var e = Assert.Throws<DllNotFoundException>(() => CudaDriver.cuInit(0))!;
        Assert.That(e.Message, Does.Contain("libcuda.so.1"));
        Assert.That(CudaDevice.TryOpen(out var device, out var reason), Is.False);
        Assert.That(device, Is.Null);
        Assert.That(reason, Does.Contain("libcuda.so.1"));
    }

    [Test]
    public void NvrtcCandidatesIncludeEveryVersionedName()
    {
        Assert.That(CudaLibraries.NvrtcCandidates(),
            Is.SupersetOf(new[] { "libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2" }));
        Assert.That(CudaLibraries.DriverCandidates(), Is.SupersetOf(new[] { "libcuda.so.1", "libcuda.so" }));
    }
}
