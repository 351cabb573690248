using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NatVerify.Smt.Runtime;

/// <summary>
/// Makes the Microsoft.Z3 binding load NatVerify's shim (<c>native/nv_z3shim.c</c>) in place of <c>libz3</c> on
/// Linux: the real <c>libz3.so.4</c> is loaded first, so the library's calls to its own exports keep binding to
/// itself, then the shim, whose handle the runtime uses for every <c>libz3</c> P/Invoke (names the shim does not
/// define fall through to its dependency, libz3.so.4). On other systems the package's own native library is used.
/// </summary>
internal static class Z3Loader
{
    /// <summary>File name of the shim, next to this assembly.</summary>
    public const string ShimFileName = "libnv_z3shim.so";

    private const string Libz3 = "libz3.so.4";
    private static readonly Lock Gate = new();
    private static IntPtr _handle;
    private static string? _failure;

    private delegate IntPtr StatusFn();

    private delegate void StatsFn([Out] ulong[] values);

    private delegate void PassthroughFn(int on);

    /// <summary>Installs the import resolver for the Microsoft.Z3 assembly; runs once, when this module loads.</summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "The resolver must be in place before any Z3 P/Invoke, and only one may be set per assembly.")]
    internal static void Install()
    {
        if (OperatingSystem.IsLinux())
        {
            NativeLibrary.SetDllImportResolver(typeof(Microsoft.Z3.Context).Assembly, Resolve);
        }
    }

    /// <summary>Null when Z3 can be used, else a message saying what is missing and how to install it.</summary>
    public static string? Failure
    {
        get
        {
            if (!OperatingSystem.IsLinux())
            {
                return null;
            }

            Load();
            return _failure;
        }
    }

    /// <summary>The shim's counters, or null when the shim is not in use (not Linux, or not loadable).</summary>
    public static ulong[]? Stats()
    {
        if (!OperatingSystem.IsLinux() || Load() == IntPtr.Zero)
        {
            return null;
        }

        var values = new ulong[7];
        Marshal.GetDelegateForFunctionPointer<StatsFn>(NativeLibrary.GetExport(_handle, "nv_z3shim_stats"))(values);
        return values;
    }

    /// <summary>Test hook for the stress test's negative control: releases run at once on the finalizer thread (unsound).</summary>
    public static void SetPassthrough(bool on)
    {
        if (Load() != IntPtr.Zero)
        {
            Marshal.GetDelegateForFunctionPointer<PassthroughFn>(NativeLibrary.GetExport(_handle, "nv_z3shim_set_passthrough"))(on ? 1 : 0);
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != "libz3")
        {
            return IntPtr.Zero;
        }

        var handle = Load();
        return handle != IntPtr.Zero ? handle : throw new DllNotFoundException(_failure);
    }

    private static IntPtr Load()
    {
        lock (Gate)
        {
            if (_handle != IntPtr.Zero || _failure is not null)
            {
                return _handle;
            }

            if (!NativeLibrary.TryLoad(Libz3, out _))
            {
                _failure = $"{Libz3} was not found: Z3 is needed for 'natverify prove'. Run scripts/setup.sh, or apt-get install libz3-4.";
                return IntPtr.Zero;
            }

            var directory = Path.GetDirectoryName(typeof(Z3Loader).Assembly.Location);
            var shim = Path.Combine(string.IsNullOrEmpty(directory) ? AppContext.BaseDirectory : directory, ShimFileName);
            if (!File.Exists(shim))
            {
                _failure = $"{shim} was not found: it is built with the project (gcc, libz3-dev); rebuild after running scripts/setup.sh.";
                return IntPtr.Zero;
            }

            if (!NativeLibrary.TryLoad(shim, out var handle))
            {
                _failure = $"{shim} could not be loaded (is libz3.so.4 installed? run scripts/setup.sh).";
                return IntPtr.Zero;
            }

            var status = Marshal.GetDelegateForFunctionPointer<StatusFn>(NativeLibrary.GetExport(handle, "nv_z3shim_status"))();
            if (status != IntPtr.Zero)
            {
                _failure = $"the Z3 shim cannot work with this libz3: {Marshal.PtrToStringAnsi(status)}";
                return IntPtr.Zero;
            }

            _handle = handle;
            return _handle;
        }
    }
}
