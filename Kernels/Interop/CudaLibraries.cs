using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace Pade.Kernels.Interop;

/// <summary>
/// Finds the CUDA driver and NVRTC shared libraries behind the logical names "cuda" and "nvrtc" used by
/// <see cref="CudaDriver"/> and <see cref="Nvrtc"/>.
/// </summary>
/// <remarks>
/// The driver comes with the NVIDIA kernel driver as <c>libcuda.so.1</c>. NVRTC comes with a CUDA toolkit or a
/// distribution package and is versioned by its soname (<c>libnvrtc.so.12</c>, Debian's <c>libnvrtc.so.11.2</c>
/// for CUDA 11.x), so several names are tried, newest first, then the same names inside <c>$CUDA_HOME/lib64</c>,
/// <c>$CUDA_PATH/lib64</c> and every <c>/usr/local/cuda*/lib64</c>, then the NVRTC of CUDA's pip wheels
/// (<c>site-packages/nvidia/*/lib</c>, as PyTorch installs them). <c>PADE_NVRTC</c> / <c>PADE_CUDA_DRIVER</c>
/// name an exact file to try first. The first library that loads wins and is kept for the process; when none
/// loads, the error lists every name and path tried with the loader's message for each.
/// An NVRTC newer than the driver is passed over while an older one loads: its PTX would use an ISA version the
/// driver cannot JIT (every module load would fail with CUDA_ERROR_UNSUPPORTED_PTX_VERSION). Only when no other
/// loads is it taken (SASS, which needs no JIT, may still load), and <see cref="NvrtcNote"/> says so.
/// </remarks>
public static unsafe class CudaLibraries
{
    public const string DriverName = "cuda";
    public const string NvrtcName = "nvrtc";

    private static readonly Lazy<LoadResult> Driver = new(() => Load("CUDA driver", DriverCandidates(), null));
    private static readonly Lazy<LoadResult> NvrtcLib = new(LoadNvrtc);
    private static int _registered;

    /// <summary>Loads libcuda if not done yet. False (with the loader's messages in <paramref name="why"/>) if absent.</summary>
    public static bool TryLoadDriver(out string why) => TryGet(Driver, out why);

    /// <summary>Loads NVRTC if not done yet. False (with the loader's messages in <paramref name="why"/>) if absent.</summary>
    public static bool TryLoadNvrtc(out string why) => TryGet(NvrtcLib, out why);

    /// <summary>The file the driver was loaded from, or null if it is not loaded (or could not be).</summary>
    public static string? DriverPath => Driver.IsValueCreated ? Driver.Value.Path : null;

    /// <summary>The file NVRTC was loaded from, or null if it is not loaded (or could not be).</summary>
    public static string? NvrtcPath => NvrtcLib.IsValueCreated ? NvrtcLib.Value.Path : null;

    /// <summary>
    /// The address of <paramref name="name"/> in the loaded driver; false when the driver is not loaded or lacks it.
    /// (The emulated driver of Kernels/CudaEmulator adds <c>pade_emu_last_error</c> and test hooks to the API.)
    /// </summary>
    public static bool TryGetDriverExport(string name, out nint address)
    {
        address = 0;
        return Driver.IsValueCreated && Driver.Value.Handle != 0
            && NativeLibrary.TryGetExport(Driver.Value.Handle, name, out address);
    }

    /// <summary>True when the loaded driver is Pade's emulated one (Kernels/CudaEmulator), not NVIDIA's.</summary>
    public static bool DriverIsEmulated => TryGetDriverExport("pade_emu_last_error", out _);

    /// <summary>Names and paths tried for the driver, in order.</summary>
    public static IReadOnlyList<string> DriverCandidates()
    {
        var list = new List<string>();
        AddFromEnvironment(list, "PADE_CUDA_DRIVER");
        if (OperatingSystem.IsWindows()) list.Add("nvcuda.dll");
        list.Add("libcuda.so.1");
        list.Add("libcuda.so");
        AddIfExists(list, "/usr/lib/wsl/lib/libcuda.so.1"); // WSL2 puts the driver outside the loader's path
        return list;
    }

    /// <summary>Why the NVRTC in use was chosen over others, when it matters (one newer than the driver was passed over,
    /// or only such a one was found); "" otherwise.</summary>
    public static string NvrtcNote => NvrtcLib.IsValueCreated ? NvrtcLib.Value.Note : "";

    /// <summary>True when NVRTC <paramref name="nvrtc"/> is newer than what the driver supports
    /// (<paramref name="driverVersion"/> as cuDriverGetVersion gives it: 12040 = 12.4).</summary>
    public static bool NvrtcNewerThanDriver((int Major, int Minor) nvrtc, int driverVersion) =>
        nvrtc.Major * 1000 + nvrtc.Minor * 10 > driverVersion;

    /// <summary>Names and paths tried for NVRTC, in order.</summary>
    public static IReadOnlyList<string> NvrtcCandidates()
    {
        string[] names = OperatingSystem.IsWindows()
            ? ["nvrtc64_130_0.dll", "nvrtc64_120_0.dll", "nvrtc64_112_0.dll"]
            : ["libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2"];
        var list = new List<string>();
        AddFromEnvironment(list, "PADE_NVRTC");
        list.AddRange(names);
        foreach (var dir in ToolkitLibraryDirectories())
            foreach (var name in names)
                AddIfExists(list, Path.Combine(dir, name));
        foreach (var dir in PipWheelLibraryDirectories(SitePackagesDirectories()))
            foreach (var file in Directory.GetFiles(dir, OperatingSystem.IsWindows() ? "nvrtc64_*.dll" : "libnvrtc.so*").Order().Reverse())
                if (!Path.GetFileName(file).Contains("builtins", StringComparison.Ordinal)) AddIfExists(list, file);
        return list;
    }

    /// <summary>
    /// The library folders of CUDA's pip wheels (nvidia-cuda-nvrtc-cu12 and the like put NVRTC in
    /// <c>site-packages/nvidia/cuda_nvrtc/lib</c>; CUDA 13's in <c>site-packages/nvidia/cu13/lib</c>) under the given
    /// site-packages folders.
    /// </summary>
    public static IEnumerable<string> PipWheelLibraryDirectories(IEnumerable<string> sitePackages)
    {
        foreach (var site in sitePackages)
        {
            var nvidia = Path.Combine(site, "nvidia");
            if (!Directory.Exists(nvidia)) continue;
            string[] packages;
            try { packages = Directory.GetDirectories(nvidia); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            Array.Sort(packages, StringComparer.Ordinal);
            foreach (var package in packages)
                foreach (var lib in (string[])["lib", "bin"])
                    if (Directory.Exists(Path.Combine(package, lib))) yield return Path.Combine(package, lib);
        }
    }

    /// <summary>Python site-packages folders that exist here: virtual and conda environments, the user's, pyenv's and
    /// the system's (no Python is run to ask).</summary>
    private static IEnumerable<string> SitePackagesDirectories()
    {
        var roots = new List<string>();
        foreach (var variable in (string[])["VIRTUAL_ENV", "CONDA_PREFIX"])
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } env) roots.Add(Path.Combine(env, "lib"));
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length > 0)
        {
            roots.Add(Path.Combine(home, ".local", "lib"));
            roots.AddRange(SafeDirectories(Path.Combine(home, ".pyenv", "versions")).Select(v => Path.Combine(v, "lib")));
        }
        roots.AddRange(["/usr/local/lib", "/usr/lib", "/opt/conda/lib"]);
        var found = new List<string>();
        foreach (var root in roots)
            foreach (var python in SafeDirectories(root, "python3*"))
                foreach (var kind in (string[])["site-packages", "dist-packages"])
                    if (Directory.Exists(Path.Combine(python, kind))) found.Add(Path.Combine(python, kind));
        return found.Distinct();
    }

    private static string[] SafeDirectories(string path, string pattern = "*")
    {
        try { return Directory.Exists(path) ? Directory.GetDirectories(path, pattern) : []; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    /// <summary>Toolkit library folders that exist on this machine, newest-looking first.</summary>
    private static IEnumerable<string> ToolkitLibraryDirectories()
    {
        var dirs = new List<string>();
        foreach (var variable in (string[])["CUDA_HOME", "CUDA_PATH"])
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } root)
                dirs.Add(Path.Combine(root, "lib64"));
        try
        {
            // /usr/local/cuda (usually a symlink to the default toolkit), then cuda-13.0, cuda-12.4, ...
            var versioned = Directory.GetDirectories("/usr/local", "cuda*");
            Array.Sort(versioned, StringComparer.Ordinal);
            Array.Reverse(versioned);
            dirs.Add("/usr/local/cuda/lib64");
            dirs.AddRange(versioned.Select(d => Path.Combine(d, "lib64")));
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return dirs.Distinct().Where(Directory.Exists);
    }

    /// <summary>Installs the resolver for this assembly's P/Invokes (once; later calls do nothing).</summary>
    internal static void RegisterResolver()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
            NativeLibrary.SetDllImportResolver(typeof(CudaLibraries).Assembly, Resolve);
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) => name switch
    {
        // Throwing here propagates to the P/Invoke's caller, with our message instead of the runtime's generic one.
        DriverName => Require(Driver),
        NvrtcName => Require(NvrtcLib),
        _ => 0, // not ours: let the runtime's default probing handle it
    };

    private static nint Require(Lazy<LoadResult> lib) =>
        lib.Value.Handle != 0 ? lib.Value.Handle : throw new DllNotFoundException(lib.Value.Error);

    private static bool TryGet(Lazy<LoadResult> lib, out string why)
    {
        why = lib.Value.Error;
        return lib.Value.Handle != 0;
    }

    private static LoadResult Load(string what, IReadOnlyList<string> candidates, IReadOnlyList<string>? folders,
        Func<nint, string?>? reject = null)
    {
        var errors = new StringBuilder();
        (nint Handle, string Path, string Why)? passedOver = null;
        foreach (var candidate in candidates)
        {
            nint handle;
            // NativeLibrary.Load (unlike TryLoad) reports the loader's reason, e.g. dlerror()'s text.
            try { handle = NativeLibrary.Load(candidate); }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                errors.Append("\n  ").Append(LoaderReason(candidate, e.Message));
                continue;
            }
            if (reject?.Invoke(handle) is not { } why)
                return new LoadResult(handle, candidate, "", passedOver == null ? "" : $"passed over {passedOver.Value.Path}: {passedOver.Value.Why}");
            errors.Append("\n  ").Append(candidate).Append(": ").Append(why);
            passedOver ??= (handle, candidate, why);
        }
        if (passedOver is { } only)
            return new LoadResult(only.Handle, only.Path, "", $"{only.Path} is the only NVRTC found although {only.Why}");
        var searched = folders == null ? ""
            : $"\n  (toolkit folders searched: {(folders.Count == 0 ? "none found" : string.Join(", ", folders))})";
        return new LoadResult(0, null, $"{what} could not be loaded; tried {candidates.Count} names/paths:{errors}{searched}");
    }

    private static LoadResult LoadNvrtc() =>
        Load("NVRTC", NvrtcCandidates(), ToolkitLibraryDirectories().ToList(), reject: handle =>
        {
            if (!NativeLibrary.TryGetExport(handle, "nvrtcVersion", out var version)) return "it has no nvrtcVersion";
            int major, minor;
            if (((delegate* unmanaged<int*, int*, int>)version)(&major, &minor) != 0) return "nvrtcVersion failed";
            int driver = DriverVersionOrZero();
            return driver > 0 && NvrtcNewerThanDriver((major, minor), driver)
                ? $"NVRTC {major}.{minor} is newer than the driver (CUDA {driver / 1000}.{driver % 1000 / 10}), which could not JIT its PTX"
                : null;
        });

    /// <summary>cuDriverGetVersion of the driver, if one loads (it needs no cuInit); 0 otherwise.</summary>
    private static int DriverVersionOrZero()
    {
        if (!TryLoadDriver(out _) || !NativeLibrary.TryGetExport(Driver.Value.Handle, "cuDriverGetVersion", out var get)) return 0;
        int version;
        return ((delegate* unmanaged<int*, int>)get)(&version) == 0 ? version : 0;
    }

    /// <summary>
    /// The runtime wraps dlerror()'s text ("libcuda.so.1: cannot open shared object file: ...") in a paragraph
    /// of generic advice; keep the last line, which is the loader's own and names the file.
    /// </summary>
    private static string LoaderReason(string candidate, string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var reason = lines.Length > 0 ? lines[^1] : message;
        return reason.Contains(candidate, StringComparison.Ordinal) ? reason : $"{candidate}: {reason}";
    }

    private static void AddFromEnvironment(List<string> list, string variable)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } path) list.Add(path);
    }

    private static void AddIfExists(List<string> list, string path)
    {
        if (File.Exists(path) && !list.Contains(path)) list.Add(path);
    }

    private sealed record LoadResult(nint Handle, string? Path, string Error, string Note = "");
}
