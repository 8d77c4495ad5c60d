using Pade.Engine;
using static Pade.Kernels.Catalog.KernelParam;

namespace Pade.Kernels.Catalog;

/// <summary>cuda/fill_copy.cu: fill, strided gather, strided copy with dtype conversion.</summary>
public static class FillCopyKernels
{
    public static readonly KernelFile File = new("fill_copy.cu");

    // fill_<t>(T* y, long long n, T value)
    public static readonly Kernel FillF32 = File.Declare("fill_f32", [Ptr("y"), I64("n"), F32("value")]);
    public static readonly Kernel FillF64 = File.Declare("fill_f64", [Ptr("y"), I64("n"), F64("value")]);
    public static readonly Kernel FillI32 = File.Declare("fill_i32", [Ptr("y"), I64("n"), I32("value")]);

    // copy_strided_<t>(const T* x, T* y, long long n, int ndim, Dims8 shape, Dims8 strides, long long offset)
    public static readonly FloatKernel CopyStrided = File.PerFloat("copy_strided", _ =>
        [Ptr("x"), Ptr("y"), I64("n"), I32("ndim"), Struct<Dims8>("shape"), Struct<Dims8>("strides"), I64("offset")]);

    private static readonly DType[] CopyTypes = [DType.Float32, DType.Float64, DType.Int32];

    // copy_<in>_<out>(const TIN* x, TOUT* y, long long n, int ndim, Dims8 shape, Dims8 sx, Dims8 sy), every pair
    private static readonly Dictionary<(DType From, DType To), Kernel> Copies = CopyTypes
        .SelectMany(from => CopyTypes.Select(to => (from, to)))
        .ToDictionary(p => p, p => File.Declare($"copy_{CudaBackend.Suffix(p.from)}_{CudaBackend.Suffix(p.to)}",
            [Ptr("x"), Ptr("y"), I64("n"), I32("ndim"), Struct<Dims8>("shape"), Struct<Dims8>("sx"), Struct<Dims8>("sy")]));

    public static Kernel Fill(DType dtype) => dtype switch
    {
        DType.Float32 => FillF32,
        DType.Float64 => FillF64,
        _ => FillI32,
    };

    /// <summary>copy_&lt;from&gt;_&lt;to&gt;: the strided copy converting <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static Kernel Copy(DType from, DType to) => Copies[(from, to)];
}
