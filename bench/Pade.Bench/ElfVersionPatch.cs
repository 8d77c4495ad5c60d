using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Pade.Bench;

/// <summary>What <see cref="ElfVersionPatch.MakeVersionWeak"/> found and did.</summary>
public enum ElfPatchOutcome
{
    /// <summary>The library does not require the version at all: nothing to do.</summary>
    NotRequired,
    /// <summary>The requirement was already marked weak (an earlier run patched it): nothing to do.</summary>
    AlreadyWeak,
    /// <summary>The requirement was strong and is now weak.</summary>
    Patched,
}

/// <summary>
/// Marks one symbol-version requirement of an ELF64 shared library as weak, so the dynamic loader accepts a
/// system library that lacks that version.
/// </summary>
/// <remarks>
/// <para>Why: TorchSharp-cpu 0.107.0's <c>libLibTorchSharp.so</c> was linked against GCC 13's libstdc++ and records
/// that it needs <c>GLIBCXX_3.4.32</c>; Debian 12 ships libstdc++ with <c>GLIBCXX_3.4.30</c>, so <c>dlopen</c> fails
/// with "version `GLIBCXX_3.4.32' not found". The only symbol of that version the library imports is
/// <c>std::ios_base_library_init()</c>, an empty link anchor that GCC 13's <c>&lt;iostream&gt;</c> references so the
/// linker pulls in the iostream initialiser. No relocation ever uses it, so the library works without it.</para>
/// <para>How: the dynamic loader checks each entry of the <c>.gnu.version_r</c> section ("version needs"). An entry
/// whose <c>vna_flags</c> has <c>VER_FLG_WEAK</c> (0x2) set is only reported as a warning when the needed version is
/// missing (glibc's <c>elf/dl-version.c</c>, <c>match_symbol</c>: <c>weak</c> turns the error into a diagnostic
/// that is printed only under <c>LD_DEBUG</c>). Setting that bit is a two-byte write; nothing moves.</para>
/// <para>Layout walked here (System V gABI and the LSB "Symbol Versioning" chapter), all little-endian:</para>
/// <code>
/// ELF header        e_shoff @0x28 (u64), e_shentsize @0x3A (u16), e_shnum @0x3C (u16)
/// section header    sh_type @4 (u32), sh_offset @24 (u64), sh_size @32 (u64), sh_link @40 (u32), sh_info @44 (u32)
///   .gnu.version_r has sh_type SHT_GNU_verneed = 0x6ffffffe, sh_link = index of its string table,
///   sh_info = number of Verneed entries
/// Verneed (16 B)    vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
///                   (one per needed library; vn_aux: offset of its first Vernaux; vn_next: offset of the next Verneed)
/// Vernaux (16 B)    vna_hash u32, vna_flags u16 @4, vna_other u16, vna_name u32 @8, vna_next u32 @12
///                   (one per needed version; vna_name: offset into the string table)
/// </code>
/// </remarks>
public static class ElfVersionPatch
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;
    const int ElfHeaderSize = 64, SectionHeaderSize = 64, VerneedSize = 16, VernauxSize = 16;

    /// <summary>The version TorchSharp-cpu 0.107.0's glue library needs and Debian 12's libstdc++ lacks.</summary>
    public const string TorchSharpMissingVersion = "GLIBCXX_3.4.32";

    /// <summary>
    /// Patches <c>libLibTorchSharp.so</c> next to this program (in <see cref="AppContext.BaseDirectory"/> or in its
    /// <c>runtimes/linux-x64/native/</c> folder). Must run before anything touches <c>TorchSharp.torch</c>: once the
    /// library failed to load, the process cannot retry. Does nothing off Linux.
    /// </summary>
    /// <returns>One line per library found, for the log.</returns>
    public static IReadOnlyList<string> PatchTorchSharpNative()
    {
        var log = new List<string>();
        if (!OperatingSystem.IsLinux()) return log;
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so"),
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
        ];
        foreach (string path in candidates.Where(File.Exists))
            log.Add($"{path}: {TorchSharpMissingVersion} {MakeVersionWeak(path, TorchSharpMissingVersion)}");
        if (log.Count == 0)
            log.Add($"libLibTorchSharp.so not found in {AppContext.BaseDirectory} nor its runtimes/linux-x64/native/");
        return log;
    }

    /// <summary>
    /// Sets <c>VER_FLG_WEAK</c> on every <c>Vernaux</c> entry of <paramref name="path"/> named
    /// <paramref name="versionName"/>. Idempotent: a second call reports <see cref="ElfPatchOutcome.AlreadyWeak"/>
    /// and writes nothing.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a little-endian ELF64 file, or one of its tables
    /// points outside the file.</exception>
    public static ElfPatchOutcome MakeVersionWeak(string path, string versionName)
    {
        List<long> strongFlagOffsets;
        bool found;
        using (SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read))
            (found, strongFlagOffsets) = FindStrongRequirements(file, path, versionName);
        if (!found) return ElfPatchOutcome.NotRequired;
        if (strongFlagOffsets.Count == 0) return ElfPatchOutcome.AlreadyWeak;

        // Open for writing only when there is something to write, so a read-only install that is already
        // patched still works.
        using SafeFileHandle writable = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        Span<byte> flags = stackalloc byte[2];
        foreach (long offset in strongFlagOffsets)
        {
            RandomAccess.Read(writable, flags, offset);
            ushort value = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(flags) | VerFlgWeak);
            BinaryPrimitives.WriteUInt16LittleEndian(flags, value);
            RandomAccess.Write(writable, flags, offset);
        }
        return ElfPatchOutcome.Patched;
    }

    /// <summary>
    /// Walks every Verneed/Vernaux entry; returns whether <paramref name="versionName"/> is required at all and the
    /// file offsets of the <c>vna_flags</c> fields that still lack the weak bit.
    /// </summary>
    static (bool Found, List<long> StrongFlagOffsets) FindStrongRequirements(
        SafeFileHandle file, string path, string versionName)
    {
        byte[] header = ReadAt(file, path, 0, ElfHeaderSize, "ELF header");
        if (header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
            throw new InvalidDataException($"{path}: not an ELF file (magic bytes at offset 0 are not 7f 45 4c 46)");
        if (header[4] != 2)
            throw new InvalidDataException($"{path}: EI_CLASS at offset 4 is {header[4]}, expected 2 (ELF64)");
        if (header[5] != 1)
            throw new InvalidDataException($"{path}: EI_DATA at offset 5 is {header[5]}, expected 1 (little-endian)");

        long sectionTable = (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(0x28));
        int entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3A));
        int sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3C));
        if (entrySize != SectionHeaderSize)
            throw new InvalidDataException(
                $"{path}: e_shentsize at offset 0x3A is {entrySize}, expected {SectionHeaderSize}");
        byte[] sections = ReadAt(file, path, sectionTable, entrySize * sectionCount, "section header table");

        var strongFlagOffsets = new List<long>();
        bool found = false;
        for (int i = 0; i < sectionCount; i++)
        {
            ReadOnlySpan<byte> sh = sections.AsSpan(i * entrySize, entrySize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed) continue;

            long verneedOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(sh[24..]);
            long verneedSize = (long)BinaryPrimitives.ReadUInt64LittleEndian(sh[32..]);
            int stringSection = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[40..]);
            int verneedCount = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[44..]);
            if (stringSection >= sectionCount)
                throw new InvalidDataException(
                    $"{path}: section {i} (SHT_GNU_verneed) links string table {stringSection}, " +
                    $"but the file has {sectionCount} sections");
            ReadOnlySpan<byte> strSh = sections.AsSpan(stringSection * entrySize, entrySize);
            long stringsOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(strSh[24..]);
            long stringsSize = (long)BinaryPrimitives.ReadUInt64LittleEndian(strSh[32..]);

            byte[] verneed = ReadAt(file, path, verneedOffset, checked((int)verneedSize), ".gnu.version_r");
            byte[] strings = ReadAt(file, path, stringsOffset, checked((int)stringsSize), "dynamic string table");

            int need = 0; // offset of the current Verneed inside the section
            for (int n = 0; n < verneedCount; n++)
            {
                CheckEntry(path, verneed, need, VerneedSize, "Verneed", verneedOffset);
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(verneed.AsSpan(need + 2));
                int aux = need + (int)BinaryPrimitives.ReadUInt32LittleEndian(verneed.AsSpan(need + 8));
                for (int k = 0; k < auxCount; k++)
                {
                    CheckEntry(path, verneed, aux, VernauxSize, "Vernaux", verneedOffset);
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(verneed.AsSpan(aux + 4));
                    uint name = BinaryPrimitives.ReadUInt32LittleEndian(verneed.AsSpan(aux + 8));
                    if (CString(strings, name, path) == versionName)
                    {
                        found = true;
                        if ((flags & VerFlgWeak) == 0) strongFlagOffsets.Add(verneedOffset + aux + 4);
                    }
                    aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(verneed.AsSpan(aux + 12));
                }
                need += (int)BinaryPrimitives.ReadUInt32LittleEndian(verneed.AsSpan(need + 12));
            }
        }
        return (found, strongFlagOffsets);
    }

    static byte[] ReadAt(SafeFileHandle file, string path, long offset, int count, string what)
    {
        long length = RandomAccess.GetLength(file);
        if (offset < 0 || count < 0 || offset + count > length)
            throw new InvalidDataException(
                $"{path}: {what} spans bytes {offset}..{offset + count} but the file has {length} bytes");
        var buffer = new byte[count];
        int read = RandomAccess.Read(file, buffer, offset);
        if (read != count)
            throw new InvalidDataException($"{path}: read {read} of {count} bytes of the {what} at offset {offset}");
        return buffer;
    }

    static void CheckEntry(string path, byte[] section, int at, int size, string what, long sectionOffset)
    {
        if (at < 0 || at + size > section.Length)
            throw new InvalidDataException(
                $"{path}: a {what} entry at file offset {sectionOffset + at} lies outside .gnu.version_r " +
                $"({section.Length} bytes at offset {sectionOffset})");
    }

    static string CString(byte[] strings, uint offset, string path)
    {
        if (offset >= strings.Length)
            throw new InvalidDataException(
                $"{path}: string offset {offset} is outside the dynamic string table ({strings.Length} bytes)");
        int end = Array.IndexOf(strings, (byte)0, (int)offset);
        if (end < 0) end = strings.Length;
        return Encoding.ASCII.GetString(strings, (int)offset, end - (int)offset);
    }
}
