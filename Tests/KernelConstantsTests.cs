using System.Text.RegularExpressions;
using NUnit.Framework;
using Pade.Kernels;
using Pade.Kernels.Catalog;

namespace Pade.Tests;

/// <summary>
/// The numbers the kernel sources repeat from C# (<see cref="KernelConstants"/>: op codes, PAU formula codes, array
/// limits, block sizes, the fields of by-value structs), read from the .cu and .cuh text: no GPU and no NVRTC. C# is
/// the reference; a kernel file that adds an integer #define, an enum or a by-value struct must list it there.
/// </summary>
public partial class KernelConstantsTests
{
    private static IEnumerable<string> Sources => KernelSource.Names.Concat(KernelSource.Headers.Select(h => h.Name));

    [GeneratedRegex(@"\benum\s+(\w+)\s*\{([^}]*)\}")]
    private static partial Regex EnumPattern();

    [GeneratedRegex(@"^\s*#define\s+(\w+)\s+(-?\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex DefinePattern();

    [GeneratedRegex(@"^struct\s+(\w+)\s*\{([^}]*)\};", RegexOptions.Multiline)]
    private static partial Regex OneLineStructPattern();

    /// <summary>The enumerators of C enum <paramref name="name"/> in <paramref name="source"/>, or null.</summary>
    private static Dictionary<string, int>? CEnum(string source, string name)
    {
        var m = EnumPattern().Matches(source).FirstOrDefault(e => e.Groups[1].Value == name);
        return m?.Groups[2].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(e => e.Split('=', StringSplitOptions.TrimEntries))
            .ToDictionary(p => p[0], p => int.Parse(p[1]));
    }

    [Test]
    public void EveryEnumOfTheKernelsHasTheEngineCodes()
    {
        foreach (var shared in KernelConstants.Enums)
        {
            var codes = CEnum(KernelSource.Read(shared.File), shared.CName);
            Assert.That(codes, Is.Not.Null, $"{shared.File} has no enum {shared.CName}");
            var expected = shared.Codes.ToDictionary(c => $"{shared.Prefix}_{c.Key}", c => c.Value);
            Assert.That(codes, Is.EquivalentTo(expected), $"{shared.File}: enum {shared.CName}");
        }
    }

    [Test]
    public void EveryEnumInCudaIsGuarded()
    {
        var guarded = KernelConstants.Enums.Select(e => (e.File, e.CName)).ToHashSet();
        var unguarded = Sources.SelectMany(f => EnumPattern().Matches(KernelSource.Read(f)).Select(m => (File: f, Name: m.Groups[1].Value)))
            .Where(e => !guarded.Contains(e)).Select(e => $"{e.File}: enum {e.Name}");
        Assert.That(unguarded, Is.Empty, "enums whose codes no C# enum fixes (add them to KernelConstants.Enums)");
    }

    [Test]
    public void EveryIntegerDefineIsTheCSharpValue()
    {
        var found = Sources.SelectMany(f => DefinePattern().Matches(KernelSource.Read(f))
            .Select(m => (File: f, Name: m.Groups[1].Value, Value: int.Parse(m.Groups[2].Value)))).ToList();
        Assert.That(found, Is.EquivalentTo(KernelConstants.Defines),
            "an integer #define of cuda/ differs from its C# value, or is not listed in KernelConstants.Defines");
    }

    [Test]
    public void StructsPassedByValueHaveTheFieldsOfTheirCSharpTwins()
    {
        foreach (var (file, name, type) in KernelConstants.Structs)
        {
            var m = OneLineStructPattern().Matches(KernelSource.Read(file)).FirstOrDefault(s => s.Groups[1].Value == name);
            Assert.That(m, Is.Not.Null, $"{file}: no one-line struct {name}");
            var body = m!.Groups[2].Value.Trim().TrimEnd(';');
            if (type == typeof(Dims8))
            {
                Assert.That(body, Is.EqualTo($"long long d[{Dims8.MaxRank}]"), $"{file}: struct {name}");
                continue;
            }
            // "int N, C, H, ..." against the record's positional parameters, in order.
            Assert.That(body, Does.StartWith("int "), $"{file}: struct {name} holds ints only, as {type.Name}");
            var fields = body[4..].Split(',', StringSplitOptions.TrimEntries);
            var parameters = type.GetConstructors().Single(c => c.GetParameters().Length > 0).GetParameters();
            Assert.That(parameters.Select(p => p.ParameterType), Is.All.EqualTo(typeof(int)), type.Name);
            Assert.That(fields, Is.EqualTo(parameters.Select(p => p.Name)), $"{file}: struct {name} against {type.Name}");
        }
    }

    [Test]
    public void EveryByValueStructParameterIsGuarded()
    {
        // A struct type in a kernel's declaration must be one whose C layout the test above compares.
        var guarded = KernelConstants.Structs.Select(s => s.Type).ToHashSet();
        var unguarded = KernelCatalog.All.SelectMany(k => k.Parameters.Where(p => p.StructType != null && !guarded.Contains(p.StructType))
            .Select(p => $"{k.File}: {k.Name} {p}"));
        Assert.That(unguarded, Is.Empty);
    }

    [Test]
    public void APlantedWrongCodeIsFound()
    {
        // The parser against a source like activations.cu's, with Mish one off.
        const string source = "enum ActivationOpCode\n{\n    U_Relu6 = 15, U_LeakyRelu = 16,\n    U_Mish = 24,\n};";
        var codes = CEnum(source, "ActivationOpCode")!;
        Assert.That(codes, Is.EqualTo(new Dictionary<string, int> { ["U_Relu6"] = 15, ["U_LeakyRelu"] = 16, ["U_Mish"] = 24 }));
        var expected = KernelConstants.Enums.Single(e => e.CName == "ActivationOpCode").Codes;
        Assert.That(codes["U_Mish"], Is.Not.EqualTo(expected["Mish"]));
    }
}
