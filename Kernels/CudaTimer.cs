using Pade.Kernels.Interop;

namespace Pade.Kernels;

/// <summary>
/// Times GPU work with CUDA events on the default stream: the time between two events recorded around the work,
/// as the GPU measured it (launch overhead on the host is hidden as long as the GPU stays busy).
/// </summary>
public static class CudaTimer
{
    /// <summary>
    /// Mean milliseconds of one run of <paramref name="body"/> (which launches asynchronous GPU work): it runs
    /// <paramref name="warmup"/> times first (compiling and loading kernels, warming caches and clocks), then
    /// <paramref name="repetitions"/> times between two events.
    /// </summary>
    public static double Milliseconds(CudaDevice device, Action body, int repetitions = 20, int warmup = 3)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(repetitions);
        for (int i = 0; i < warmup; i++) body();
        device.Synchronize();
        device.MakeCurrent();
        CudaCheck.Driver(CudaDriver.cuEventCreate(out var start, 0), "cuEventCreate");
        CudaCheck.Driver(CudaDriver.cuEventCreate(out var stop, 0), "cuEventCreate");
        try
        {
            CudaCheck.Driver(CudaDriver.cuEventRecord(start, CuStream.Default), "cuEventRecord");
            for (int i = 0; i < repetitions; i++) body();
            CudaCheck.Driver(CudaDriver.cuEventRecord(stop, CuStream.Default), "cuEventRecord");
            CudaCheck.Driver(CudaDriver.cuEventSynchronize(stop), "cuEventSynchronize");
            CudaCheck.Driver(CudaDriver.cuEventElapsedTime(out float ms, start, stop), "cuEventElapsedTime");
            return ms / repetitions;
        }
        finally
        {
            CudaDriver.cuEventDestroy_v2(start);
            CudaDriver.cuEventDestroy_v2(stop);
        }
    }
}
