// faults.cu: kernels with planted defects, for the fault tests of the emulated CUDA driver (Tests/Cuda/CudaFaultTests.cs).
// Each is correct but for the one line its comment names; the tests check that the defect is caught and named.
// The emulator's build compiles this file with the kernels of cuda/ (Tests/Tests.csproj passes the folder).

// y[i] = x[i + 1]: the last thread reads one element past the end of x (n elements).
extern "C" __global__ void fault_read_past_end(const float* x, float* y, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = x[i + 1];  // planted: should be x[i]
}

// y[b] = sum of the 256 values of block b, through shared memory. sync = 0 leaves out the barrier between the
// writes of shared memory and thread 0's reads of them.
extern "C" __global__ void __launch_bounds__(256) fault_block_sum(const float* x, float* y, int sync)
{
    __shared__ float partial[256];
    partial[threadIdx.x] = x[blockIdx.x * 256 + threadIdx.x];
    if (sync) __syncthreads();  // planted (sync = 0): the barrier is missing
    if (threadIdx.x == 0)
    {
        float total = 0;
        for (int i = 0; i < 256; ++i) total += partial[i];
        y[blockIdx.x] = total;
    }
}

// A correct kernel with a limit on its block size, for the launch-limit tests: y[i] = 2 x[i].
extern "C" __global__ void __launch_bounds__(128) fault_bounded(const float* x, float* y, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = 2 * x[i];
}

// A warp shuffle that half the warp never reaches: lanes 0..15 wait for lanes 16..31 at the shuffle while those
// wait for them at __syncthreads, so no thread can go on (on hardware: a hang, or undefined results).
extern "C" __global__ void fault_divergent_shuffle(float* y)
{
    float v = (float)threadIdx.x;
    if (threadIdx.x < 16) v = __shfl_xor_sync(0xffffffffu, v, 16);  // planted: lanes 16..31 skip the shuffle
    __syncthreads();
    y[threadIdx.x] = v;
}
