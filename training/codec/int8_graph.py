"""Graph rewrites that let onnxruntime run an int8-weight graph with int8 kernels, instead of
dequantising weights to fp32 on every run.

onnxruntime fuses `DequantizeLinear(W_int8) -> MatMul` into one int8-weight matmul (MatMulNBits) when
the DequantizeLinear feeds that MatMul alone. Three patterns in our traced graphs defeat it:
  - Linear layers traced as Gemm (2-D inputs, e.g. the decoder's cross-attention over the concept):
    no fusion for Gemm;                                                   -> gemm_to_matmul
  - the tied embedding: one matrix feeds the output projection (MatMul) and, through a Transpose,
    the token lookup (Gather), so its DequantizeLinear has two consumers;  -> untie_gather
  - a Gather from a dequantised table dequantises the whole table (16k x 512) to fetch a few rows.
                                                                          -> gather_then_dequantize
Apply gemm_to_matmul and untie_gather before quantising (quantize_weights_int8 then gives each MatMul
weight per-column scales), gather_then_dequantize after. Each rewrite is exact in fp32 arithmetic
except for float rounding order; the export's tests compare the graphs' outputs.
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper


def _consumers(graph):
    out = {}
    for node in graph.node:
        for k, name in enumerate(node.input):
            out.setdefault(name, []).append((node, k))
    return out


def _attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def gemm_to_matmul(model: onnx.ModelProto) -> int:
    """Gemm(A, W, C, transB=1) with W an initializer -> Add(MatMul(A, W^T), C)."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    rewritten = 0
    for node in list(g.node):
        if node.op_type != "Gemm" or node.input[1] not in inits:
            continue
        if _attr(node, "alpha", 1.0) != 1.0 or _attr(node, "beta", 1.0) != 1.0 or _attr(node, "transA", 0):
            continue
        w = numpy_helper.to_array(inits[node.input[1]])
        if _attr(node, "transB", 0):
            w = w.T
        name = node.input[1] + "_matmul"
        g.initializer.append(numpy_helper.from_array(np.ascontiguousarray(w), name))
        at = list(g.node).index(node)
        product = node.output[0] + "_product"
        new = [helper.make_node("MatMul", [node.input[0], name], [product if len(node.input) > 2 else node.output[0]])]
        if len(node.input) > 2 and node.input[2]:
            new.append(helper.make_node("Add", [product, node.input[2]], [node.output[0]]))
        g.node.remove(node)
        for k, n in enumerate(new):
            g.node.insert(at + k, n)
        rewritten += 1
    _drop_unused_initializers(g)
    return rewritten


def untie_gather(model: onnx.ModelProto) -> int:
    """A Transpose of an initializer that feeds Gathers only -> the transposed initializer itself, so
    the original matrix feeds the MatMul alone (costs a second copy of the table in the file)."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    consumers = _consumers(g)
    untied = 0
    for node in list(g.node):
        if node.op_type != "Transpose" or node.input[0] not in inits:
            continue
        users = consumers.get(node.output[0], [])
        if not users or not all(n.op_type == "Gather" and k == 0 for n, k in users):
            continue
        w = numpy_helper.to_array(inits[node.input[0]])
        perm = _attr(node, "perm", list(reversed(range(w.ndim))))
        g.initializer.append(numpy_helper.from_array(np.ascontiguousarray(np.transpose(w, perm)), node.output[0]))
        g.node.remove(node)
        untied += 1
    _drop_unused_initializers(g)
    return untied


def gather_then_dequantize(model: onnx.ModelProto) -> int:
    """Gather(DequantizeLinear(Q, scale, zero=0, axis=0), ids) -> Gather(Q, ids) * Gather(scale, ids):
    fetch the int8 rows, then scale only those."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    consumers = _consumers(g)
    rewritten = 0
    for dq in list(g.node):
        if dq.op_type != "DequantizeLinear" or _attr(dq, "axis", 1) != 0:
            continue
        if len(dq.input) > 2 and dq.input[2] in inits and numpy_helper.to_array(inits[dq.input[2]]).any():
            continue  # a non-zero zero point would need subtracting; ours are symmetric
        users = consumers.get(dq.output[0], [])
        if not users or not all(n.op_type == "Gather" and k == 0 and _attr(n, "axis", 0) == 0 for n, k in users):
            continue
        q, scale = dq.input[0], dq.input[1]
        axes = dq.output[0] + "_rows_axes"
        g.initializer.append(numpy_helper.from_array(np.array([-1], dtype=np.int64), axes))
        for gather, _ in users:
            ids, out = gather.input[1], gather.output[0]
            at = list(g.node).index(gather)
            new = [
                helper.make_node("Gather", [q, ids], [out + "_q"], axis=0),
                helper.make_node("Cast", [out + "_q"], [out + "_qf"], to=onnx.TensorProto.FLOAT),
                helper.make_node("Gather", [scale, ids], [out + "_s"], axis=0),
                helper.make_node("Unsqueeze", [out + "_s", axes], [out + "_s1"]),
                helper.make_node("Mul", [out + "_qf", out + "_s1"], [out]),
            ]
            g.node.remove(gather)
            for k, n in enumerate(new):
                g.node.insert(at + k, n)
        g.node.remove(dq)
        rewritten += 1
    return rewritten


def _drop_unused_initializers(graph):
    used = {name for node in graph.node for name in node.input}
    outputs = {o.name for o in graph.output}
    for init in list(graph.initializer):
        if init.name not in used and init.name not in outputs:
            graph.initializer.remove(init)


def dynamic_int8_matmul(model: onnx.ModelProto) -> int:
    """DequantizeLinear(W_int8, per-column scale) -> MatMul(X, W)  =>  DynamicQuantizeMatMul(X, W_int8,
    scale, zero) (onnxruntime's com.microsoft op): X is quantized to uint8 per call and the product runs
    on int8 kernels (VNNI/AMX where the CPU has them) instead of fp32. Not exact: it adds the rounding
    of the activations (8 bits per tensor); the export measures the effect on the outputs.

    The weights are re-quantized to 7 bits (|q| <= 63, "reduce range"): CPUs without VNNI multiply
    uint8 x int8 with an instruction that adds pairs of products in int16 and saturates when both
    factors are large (255 * 127 * 2 > 32767); 255 * 63 * 2 cannot. Costs ~1e-5 in concept cosine."""
    g = model.graph
    _reduce_weight_range(g, {dq.input[0] for dq in g.node if dq.op_type == "DequantizeLinear"
                             and _attr(dq, "axis", 1) == 1 and dq.input[0].endswith("_int8")})
    consumers = _consumers(g)
    dq_of = {n.output[0]: n for n in g.node if n.op_type == "DequantizeLinear" and _attr(n, "axis", 1) == 1}
    rewritten, drop, new_nodes = 0, set(), []
    for node in g.node:
        dq = dq_of.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if dq is None or len(consumers.get(dq.output[0], [])) != 1:
            new_nodes.append(node)
            continue
        w, scale, zero = dq.input[0], dq.input[1], dq.input[2] if len(dq.input) > 2 else ""
        new_nodes.append(helper.make_node("DynamicQuantizeMatMul", [node.input[0], w, scale, zero], list(node.output),
                                          name=f"{node.name or 'matmul'}_dyn_int8_{rewritten}", domain="com.microsoft"))
        drop.add(id(dq))
        rewritten += 1
    del g.node[:]
    g.node.extend(n for n in new_nodes if id(n) not in drop)
    if rewritten and not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return rewritten


def _reduce_weight_range(graph, names, limit=63):
    """Per-column int8 weights (with their _scale, all-zero _zero) -> |q| <= limit, same real values
    up to rounding."""
    inits = {i.name: i for i in graph.initializer}
    for name in names:
        stem = name[: -len("_int8")]
        if stem + "_scale" not in inits:
            continue
        q = numpy_helper.to_array(inits[name]).astype(np.float32)
        scale = numpy_helper.to_array(inits[stem + "_scale"]).astype(np.float32)
        w = q * scale[None, :]
        new_scale = np.abs(w).max(axis=0) / limit
        new_scale[new_scale == 0] = 1.0
        new_q = np.clip(np.round(w / new_scale[None, :]), -limit, limit).astype(np.int8)
        inits[name].CopyFrom(numpy_helper.from_array(new_q, name))
        inits[stem + "_scale"].CopyFrom(numpy_helper.from_array(new_scale.astype(np.float32), stem + "_scale"))


if __name__ == "__main__":
    # python3 -m codec.int8_graph dynamic IN.onnx OUT.onnx: dynamic_int8_matmul on an exported graph (how
    # the shipped encoder was converted after its export; codec.export_onnx --dynamic-int8-encoder does it
    # at export time)
    import sys

    if len(sys.argv) != 4 or sys.argv[1] != "dynamic":
        sys.exit("usage: python3 -m codec.int8_graph dynamic IN.onnx OUT.onnx")
    graph = onnx.load(sys.argv[2])
    count = dynamic_int8_matmul(graph)
    onnx.checker.check_model(graph)
    onnx.save(graph, sys.argv[3])
    print(f"{count} matmuls now run on int8 kernels with dynamically quantized activations")
