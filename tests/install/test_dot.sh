#!/usr/bin/env bash
# test_dot.sh — `vggc inspect --dot/--svg`, the network as a Graphviz picture.
#
#   test_dot.sh VGGC MODELS_DIR WORKDIR PYTHON
#
# The picture is read back through Graphviz itself (`dot -Tsvg`, then the
# SVG's text per node and edge), never through vggc's own formatting, and
# compared with the ONNX model as the onnx package reads it: one box per
# node with its name, op and the output shape from ONNX's shape inference,
# one arrow per tensor a node reads.  Names with quotes, backslashes, a line
# break, '&' and non-ASCII must come out as written.  Also: same model ->
# same bytes; '-' writes to standard output; files never clobbered; --svg
# without Graphviz exits 1 and says how to get it.
set -uo pipefail
vggc=$1 models=$2 work=$3 py=$4
rm -rf "$work"
mkdir -p "$work"
. "$(dirname "$0")/../check.sh"

if ! command -v dot >/dev/null 2>&1; then
  echo "SKIP: Graphviz's dot is not on PATH (scripts/install-deps.sh installs graphviz)"
  exit 77
fi

# graphviz_reads NAME FILE.dot: dot renders it with nothing on stderr.
graphviz_reads() {
  if dot -Tsvg "$2" -o "$2.svg" 2>"$2.err" && [ ! -s "$2.err" ]; then
    ok "$1"
  else
    bad "$1: dot says:"; sed 's/^/  | /' "$2.err" | head -5
  fi
}

# A model whose names need escaping: tiny_vgg with its first Conv and the
# tensor it writes renamed.
"$py" - "$models/tiny_vgg.onnx" "$work/weird.onnx" <<'EOF'
import sys, onnx
m = onnx.load(sys.argv[1])
g = m.graph
node = next(n for n in g.node if n.op_type == "Conv")
old = node.output[0]
node.name = 'conv "one" \\ back\nslash & <b> \u00fc'
new = 'x"\\y\n&amp;'
node.output[0] = new
for n in g.node:
    for i, name in enumerate(n.input):
        if name == old:
            n.input[i] = new
onnx.save(m, sys.argv[2])
EOF

# ---- Graphviz accepts what we write -----------------------------------------
for m in tiny_vgg tiny_vgg_nhwc fam_resnet fam_inception; do
  for after in "" --after-passes; do
    f="$work/$m${after:+-after}.dot"
    check "dot-$m${after}" 0 '' -- "$vggc" inspect "$models/$m.onnx" $after --dot "$f"
    graphviz_reads "graphviz-reads-$m${after}" "$f"
  done
done
for after in "" --after-passes; do
  f="$work/weird${after:+-after}.dot"
  check "dot-weird$after" 0 '' -- "$vggc" inspect "$work/weird.onnx" $after --dot "$f"
  graphviz_reads "graphviz-reads-weird$after" "$f"
done

# ---- the same model gives the same bytes --------------------------------------
for after in "" --after-passes; do
  "$vggc" inspect "$models/tiny_vgg_bn.onnx" $after --dot "$work/d1.dot" >/dev/null 2>&1
  "$vggc" inspect "$models/tiny_vgg_bn.onnx" $after --dot "$work/d2.dot" >/dev/null 2>&1
  if [ -s "$work/d1.dot" ] && cmp -s "$work/d1.dot" "$work/d2.dot"; then
    ok "deterministic$after"
  else
    bad "deterministic$after"
  fi
  rm -f "$work/d1.dot" "$work/d2.dot"
done

# ---- the picture against the ONNX model -----------------------------------------
# svg_graph.py SVG: prints what Graphviz drew as JSON: {nodes: {id: [lines]},
# edges: [[tail, head, [lines]]]}.
cat >"$work/svg_graph.py" <<'EOF'
import json, sys
import xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
nodes, edges = {}, []
for g in root.iter("{http://www.w3.org/2000/svg}g"):
    cls = g.get("class")
    title = g.find("s:title", ns)
    texts = [t.text or "" for t in g.findall("s:text", ns)]
    if cls == "node":
        nodes[title.text] = texts
    elif cls == "edge":
        tail, head = title.text.split("->")
        edges.append([tail, head, texts])
json.dump({"nodes": nodes, "edges": edges}, sys.stdout)
EOF

"$py" - "$models/tiny_vgg.onnx" "$work/tiny_vgg.dot.svg" "$work/svg_graph.py" <<'EOF' && ok "matches-onnx-tiny_vgg" || bad "matches-onnx-tiny_vgg"
# Boxes and arrows of the picture before the passes = nodes and tensors of
# the ONNX graph; shapes = ONNX shape inference's.  inspect shows the graph
# after constant folding (-O0): a node that reads only constants (PyTorch's
# Identity over a shared weight) is a constant, drawn as nothing.
import json, subprocess, sys
import onnx
from onnx import shape_inference
m = shape_inference.infer_shapes(onnx.load(sys.argv[1]))
g = m.graph
drawn = json.loads(subprocess.check_output([sys.executable, sys.argv[3], sys.argv[2]]))
inits = {t.name for t in g.initializer}
nodes = []
for n in g.node:
    if all(i in inits for i in n.input if i):
        inits |= set(n.output)
    else:
        nodes.append(n)
def shape(vi):
    dims = ["None" if d.HasField("dim_param") or not d.HasField("dim_value") else str(d.dim_value)
            for d in vi.type.tensor_type.shape.dim]
    return "(" + ", ".join(dims) + ")"
shapes = {vi.name: shape(vi) for vi in list(g.value_info) + list(g.output) + list(g.input)}
producer = {}
for vi in g.input:
    if vi.name not in inits:
        producer[vi.name] = vi.name
for n in g.node:
    for o in n.output:
        producer[o] = n.name
# Graphviz ids to the first line of their label (the node's or tensor's name).
name_of = {k: v[0] for k, v in drawn["nodes"].items()}
boxes = {v[0]: v for k, v in drawn["nodes"].items() if k.startswith("n")}
errors = []
if sorted(boxes) != sorted(n.name for n in nodes):
    errors.append("boxes %s != nodes %s" % (sorted(boxes), sorted(n.name for n in nodes)))
for n in nodes:
    lines = boxes.get(n.name, [])
    if lines[1:3] != [n.op_type, shapes[n.output[0]]]:
        errors.append("%s: drawn %s, expected op %s shape %s" % (n.name, lines, n.op_type, shapes[n.output[0]]))
want = sorted((producer[i], n.name, i) for n in nodes for i in n.input if i and i not in inits)
got = sorted((name_of[t], name_of[h], (l or [""])[0]) for t, h, l in drawn["edges"]
             if not h.startswith("out"))
if want != got:
    errors.append("arrows differ:\n  want %s\n  got  %s" % (want, got))
for e in errors:
    print("  |", e)
sys.exit(1 if errors else 0)
EOF

"$py" - "$models/tiny_vgg.onnx" "$work/tiny_vgg-after.dot.svg" "$work/svg_graph.py" <<'EOF' && ok "after-passes-layers" || bad "after-passes-layers"
# After the passes the convolutions and dense layers are still all there
# (fusion only folds other ops into them), every layer box says its kernel,
# and the chain from the input reaches the output.
import json, subprocess, sys
import onnx
g = onnx.load(sys.argv[1]).graph
drawn = json.loads(subprocess.check_output([sys.executable, sys.argv[3], sys.argv[2]]))
boxes = {k: v for k, v in drawn["nodes"].items() if k.startswith("n")}
convs = [v for v in boxes.values() if v[1].startswith("conv")]
dense = [v for v in boxes.values() if "dense" in v[1]]
errors = []
if len(convs) != sum(n.op_type == "Conv" for n in g.node):
    errors.append("%d conv boxes for %d Conv nodes" % (len(convs), sum(n.op_type == "Conv" for n in g.node)))
if len(dense) != sum(n.op_type == "Gemm" for n in g.node):
    errors.append("%d dense boxes" % len(dense))
for k, v in boxes.items():
    if not any(line.startswith("kernel: ") for line in v):
        errors.append("%s has no kernel: %s" % (k, v))
succ = {}
for t, h, _ in drawn["edges"]:
    succ.setdefault(t, []).append(h)
seen, todo = set(), ["in0"]
while todo:
    x = todo.pop()
    if x not in seen:
        seen.add(x)
        todo += succ.get(x, [])
if "out0" not in seen or not set(boxes) <= seen:
    errors.append("not one chain from in0 to out0: reached %s" % sorted(seen))
for e in errors:
    print("  |", e)
sys.exit(1 if errors else 0)
EOF

"$py" - "$work/weird.dot.svg" "$work/svg_graph.py" <<'EOF' && ok "names-escaped" || bad "names-escaped"
# Quotes, backslashes, '&', '<' and UTF-8 come out as written; the line
# break shows as \x0a (a label must not change shape with a name).
import json, subprocess, sys
drawn = json.loads(subprocess.check_output([sys.executable, sys.argv[2], sys.argv[1]]))
node = 'conv "one" \\ back\\x0aslash & <b> \u00fc'
tensor = 'x"\\y\\x0a&amp;'
lines = [l for v in drawn["nodes"].values() for l in v]
edge_lines = [l for _, _, v in drawn["edges"] for l in v]
ok = node in lines and tensor in edge_lines
if not ok:
    print("  | node lines:", lines[:8])
    print("  | edge lines:", edge_lines[:4])
sys.exit(0 if ok else 1)
EOF

# ---- --svg: Graphviz's drawing of the same graph, marked as ours --------------
check svg 0 '' -- "$vggc" inspect "$models/tiny_vgg.onnx" --after-passes --dot "$work/g.dot" --svg "$work/g.svg"
if grep -q 'generated by vggc' <<<"$(head -c 256 "$work/g.svg")" &&
   "$py" -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$work/g.svg" &&
   dot -Tsvg "$work/g.dot" | grep -v '^<!-- generated by vggc' | cmp -s - <(grep -v '^<!-- generated by vggc' "$work/g.svg"); then
  ok "svg-is-dots-drawing"
else
  bad "svg-is-dots-drawing"
fi
check svg-only 0 '' -- "$vggc" inspect "$models/tiny_vgg.onnx" --svg "$work/sub/only.svg"
[ -s "$work/sub/only.svg" ] && ok "svg-only-written" || bad "svg-only-written"

# ---- '-': standard output, carrying the graph alone -------------------------------
(cd "$work" && "$vggc" inspect "$models/tiny_vgg.onnx" --after-passes --dot - >stdout.dot) &&
  cmp -s "$work/stdout.dot" "$work/g.dot" && [ ! -e "$work/-" ] && ok "dot-to-stdout" || bad "dot-to-stdout"
(cd "$work" && "$vggc" inspect "$models/tiny_vgg.onnx" --after-passes --svg - --dot "$work/g4.dot" >stdout.svg) &&
  cmp -s "$work/stdout.svg" "$work/g.svg" && cmp -s "$work/g4.dot" "$work/g.dot" && [ ! -e "$work/-" ] &&
  ok "svg-to-stdout-dot-to-file" || bad "svg-to-stdout-dot-to-file"

# ---- never over a file vggc did not write; --force; our own files freely --------
for ext in dot svg; do
  echo "my own picture" >"$work/mine.$ext"
  check "no-clobber-$ext" 1 'was not written by vggc' -- "$vggc" inspect "$models/tiny_vgg.onnx" --$ext "$work/mine.$ext"
  [ "$(cat "$work/mine.$ext")" = "my own picture" ] && ok "untouched-$ext" || bad "untouched-$ext"
  check "force-$ext" 0 '' -- "$vggc" inspect "$models/tiny_vgg.onnx" --$ext "$work/mine.$ext" --force
  check "rewrite-own-$ext" 0 '' -- "$vggc" inspect "$models/tiny_vgg.onnx" --$ext "$work/mine.$ext"
done
if grep -q 'vggc-tmp' <<<"$(ls -a "$work" "$work/sub")"; then bad "no-temporaries-left"; else ok "no-temporaries-left"; fi

# ---- without Graphviz ---------------------------------------------------------------
check no-dot-svg 1 'apt-get install graphviz' -- env PATH=/nonexistent "$vggc" inspect "$models/tiny_vgg.onnx" --svg "$work/nodot.svg"
[ ! -e "$work/nodot.svg" ] && ok "no-dot-nothing-written" || bad "no-dot-nothing-written"
check no-dot-dot-file 0 '' -- env PATH=/nonexistent "$vggc" inspect "$models/tiny_vgg.onnx" --dot "$work/nodot.dot"

# ---- usage ------------------------------------------------------------------------------
check dot-no-arg 2 "unknown option '--dot'" -- "$vggc" inspect "$models/tiny_vgg.onnx" --dot
check dot-folder 2 'needs a file name' -- "$vggc" inspect "$models/tiny_vgg.onnx" --dot "$work/"
check dot-svg-same 2 'both name' -- "$vggc" inspect "$models/tiny_vgg.onnx" --dot "$work/x" --svg "$work/x"
check dot-bad-model 1 'vggc: error: .*nonexistent.onnx' -- "$vggc" inspect "$work/nonexistent.onnx" --dot "$work/bad.dot"
[ ! -e "$work/bad.dot" ] && ok "bad-model-nothing-written" || bad "bad-model-nothing-written"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
