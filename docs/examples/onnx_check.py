"""Second opinion on Pade's ONNX exports: onnx.checker (full check, with shape inference) on every .onnx file of a
folder. Needs Debian's python3-onnx; run with /usr/bin/python3. Files come from the explicit test
Pade.Tests.Onnx.OnnxCheckerDump (PADE_ONNX_DUMP=DIR dotnet test Tests -c Release --filter Name=DumpModels)."""
import pathlib
import sys

import onnx

folder = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/pade-onnx-dump")
files = sorted(folder.glob("*.onnx"))
bad = 0
for f in files:
    try:
        model = onnx.load(str(f))
        onnx.checker.check_model(model, full_check=True)
        inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
        out = inferred.graph.output[0].type.tensor_type.shape
        dims = [d.dim_param or d.dim_value for d in out.dim]
        print(f"ok   {f.name}: opset {model.opset_import[0].version}, {len(model.graph.node)} nodes, output {dims}")
    except Exception as e:  # noqa: BLE001 -- report every failing file, not just the first
        bad += 1
        print(f"FAIL {f.name}: {e}")
print(f"{len(files) - bad} passed, {bad} failed (onnx {onnx.__version__})")
sys.exit(1 if bad or not files else 0)
