using Pade.Engine;
using Pade.Engine.Functional;

namespace Pade.Kernels.OpCases;

/// <summary>Transposed convolution through F.ConvTranspose2d: no kernel of its own, it launches the convolution's
/// (cuda/conv.cu), each pass as another's: its forward is conv2d's input gradient (gather dy, GEMM TN, col2im), its
/// input gradient conv2d's forward (im2col, GEMM NN, output), its weight gradient conv2d's (gather dy, im2col, GEMM
/// NT); depthwise geometries take the direct depthwise kernels the same way round.</summary>
public static partial class OpSuite
{
    private sealed record ConvTPlan(string Label, int[] X, int CoutPerGroup, int KH, int KW, Size2 Stride, Size2 Padding, Size2 OutputPadding,
        Size2 Dilation, int Groups, bool Bias);

    private static void AddConvTransposeCases(List<OpCase> cases)
    {
        ConvTPlan[] plans =
        [
            new("[2, 3, 4, 5] k3 s2 p1 op1 -> 4", [2, 3, 4, 5], 4, 3, 3, 2, 1, 1, 1, 1, true),
            new("[2, 4, 3, 4] k3x2 s(1, 3) p(0, 1) op(0, 2) groups 2 -> 6", [2, 4, 3, 4], 3, 3, 2, (1, 3), (0, 1), (0, 2), 1, 2, false),
            // output_padding beyond the stride (below the dilation): x is padded for the adjoint convolution.
            new("[1, 2, 3, 3] k2 s1 op1 d2 -> 3", [1, 2, 3, 3], 3, 2, 2, 1, 0, 1, 2, 1, true),
            // Padding beyond the kernel's reach, and a 1x1 image.
            new("[2, 2, 3, 2] k2 s3 p3 op2 -> 2", [2, 2, 3, 2], 2, 2, 2, 3, 3, 2, 1, 1, true),
            new("[1, 3, 1, 1] k1 s1 -> 2", [1, 3, 1, 1], 2, 1, 1, 1, 0, 0, 1, 1, true),
            new("depthwise [2, 4, 4, 3] k3 s2 p1 op1", [2, 4, 4, 3], 1, 3, 3, 2, 1, 1, 1, 4, true),
        ];
        foreach (var p in plans)
        {
            int n = p.X[0], cin = p.X[1], h = p.X[2], w = p.X[3], cout = p.CoutPerGroup * p.Groups;
            int oh = (h - 1) * p.Stride.H - 2 * p.Padding.H + p.Dilation.H * (p.KH - 1) + p.OutputPadding.H + 1;
            int ow = (w - 1) * p.Stride.W - 2 * p.Padding.W + p.Dilation.W * (p.KW - 1) + p.OutputPadding.W + 1;
            bool depthwise = p.Groups == cin && cout == cin;   // the adjoint convolution's Conv2dGeometry.IsDepthwise
            OpInput[] inputs = [In("x", p.X), In("w", [cin, p.CoutPerGroup, p.KH, p.KW]), .. p.Bias ? [In("b", [cout])] : Array.Empty<OpInput>()];
            cases.Add(new("conv_transpose2d", p.Label, inputs,
                (_, x) => One(F.ConvTranspose2d(x[0], x[1], p.Bias ? x[2] : null, p.Stride, p.Padding, p.OutputPadding, p.Groups, p.Dilation)))
            {
                // y sums at most Cin/groups·KH·KW products (+ bias); dx sums Cout/groups·KH·KW; dw N·H·W; db N·OH·OW.
                Tol = Tolerance.Sum(cin / p.Groups * p.KH * p.KW + 1),
                GradTols = [Tolerance.Sum(p.CoutPerGroup * p.KH * p.KW), Tolerance.Sum((double)n * h * w), Tolerance.Sum((double)n * oh * ow)],
                Kernels = depthwise
                    ? [Conv + "depthwise_forward_{t}", Conv + "depthwise_backward_input_{t}", Conv + "depthwise_backward_weight_{t}"]
                    : [Conv + "im2col_{t}", Conv + "conv_output_{t}", Conv + "conv_gather_dy_{t}", Conv + "col2im_{t}", GemmNN, GemmNT, GemmTN],
            });
        }
    }
}
