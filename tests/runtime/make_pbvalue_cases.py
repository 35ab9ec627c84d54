#!/usr/bin/python3
"""make_pbvalue_cases.py — the reference for test_pbvalue.c (runtime/pbvalue.c).

  make_pbvalue_cases.py gen DIR      writes the cases into DIR and DIR/manifest.txt
  make_pbvalue_cases.py verify DIR   checks the files the C test wrote back (roundtrip lines)

Every valid file comes from ONNX's own serializer (onnx.numpy_helper.from_list,
from_optional, from_array, onnx.helper.make_tensor); the invalid ones are those
files with one thing changed (a byte cut off, a field added, a dim altered)
or, for what the serializer cannot express (a field given twice, a group, a
packed dims field), a few wire-format bytes spliced in front of or behind
serialized messages.  Each manifest line says the type to check a file
against, the status the runtime must return, and a piece of its message:

  case NAME FILE WRAPS DTYPE DIMS STATUS NTENSORS [TEXT...]
  fmt WRAPS DTYPE DIMS SPELLING
  roundtrip NAME FILE WRAPS DTYPE DIMS NEWNAME

WRAPS: containers outermost first, "seq" / "opt" joined by ','; DTYPE: the
ONNX code; DIMS: '*' when the rank is not declared, '.' for rank 0, else
sizes joined by ',' with '?' for an undeclared one.  The `fmt` lines are
ONNX's spellings of sequence and optional types, taken from its operator
schemas (onnx.defs), for vggrt_value_type_format.  For each `roundtrip`
line the C test writes FILE renamed to NEWNAME into DIR/rt_NAME.pb; `verify`
parses those with onnx and compares them with the originals.
"""
import os
import sys

import numpy as np
import onnx
from onnx import external_data_helper, helper, numpy_helper as nh
from onnx import TensorProto, SequenceProto, OptionalProto

TESTDATA = "/usr/share/libonnx-testdata/data/node"
F, I64, STR = TensorProto.FLOAT, TensorProto.INT64, TensorProto.STRING


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def field(num, wt, payload):
    """One field's bytes: wt 0 takes an int, wt 2 bytes."""
    tag = varint(num << 3 | wt)
    return tag + (varint(payload) if wt == 0 else varint(len(payload)) + payload)


def count_tensors(m):
    if isinstance(m, TensorProto):
        return 1
    if isinstance(m, SequenceProto):
        return sum(count_tensors(x) for x in list(m.tensor_values) + list(m.sequence_values)
                   + list(m.optional_values))
    if isinstance(m, OptionalProto):
        for f in ("tensor_value", "sequence_value", "optional_value"):
            if m.HasField(f):
                return count_tensors(getattr(m, f))
    return 0


def seq_of_tensors(arrays, name="x"):
    return nh.from_list(arrays, name=name)


def gen(d):
    os.makedirs(d, exist_ok=True)
    lines = []

    def save(name, data):
        path = os.path.join(d, name + ".pb")
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.SerializeToString())
        return path

    def case(name, data, wraps, dtype, dims, status, text="", path=None):
        if path is None:
            path = save(name, data)
        if isinstance(data, bytes) and status == "OK":     # what onnx reads in them
            msg = (SequenceProto if wraps.startswith("seq") else OptionalProto)()
            msg.ParseFromString(data)
            data = msg
        n = count_tensors(data) if status == "OK" else -1
        lines.append(f"case {name} {path} {wraps} {dtype} {dims} {status} {n} {text}".rstrip())
        return path

    def roundtrip(name, path, wraps, dtype, dims, newname):
        lines.append(f"roundtrip {name} {path} {wraps} {dtype} {dims} {newname}")

    # ---- ONNX's own test files
    for t, wraps, dims in (("test_identity_sequence", "seq", "*"),
                           ("test_identity_opt", "opt,seq", "5")):
        for io in ("input_0", "output_0"):
            path = f"{TESTDATA}/{t}/test_data_set_0/{io}.pb"
            msg = (SequenceProto if wraps == "seq" else OptionalProto)()
            msg.ParseFromString(open(path, "rb").read())
            case(f"{t}_{io}", msg, wraps, F, dims, "OK", path=path)
            roundtrip(f"{t}_{io}", path, wraps, F, dims, "renamed_" + io)
    seqpath = f"{TESTDATA}/test_identity_sequence/test_data_set_0/input_0.pb"
    optpath = f"{TESTDATA}/test_identity_opt/test_data_set_0/input_0.pb"
    seq = SequenceProto()
    seq.ParseFromString(open(seqpath, "rb").read())
    opt = OptionalProto()
    opt.ParseFromString(open(optpath, "rb").read())
    case("idseq_dims", seq, "seq", F, "1,1,2,2", "OK", path=seqpath)
    case("idseq_dims_partial", seq, "seq", F, "?,1,?,2", "OK", path=seqpath)
    case("idseq_wrong_dims", seq, "seq", F, "1,1,2,3", "MISMATCH",
         "element 0 of the sequence: dims [1,1,2,2] where the model declares [1,1,2,3]",
         path=seqpath)
    case("idseq_wrong_rank", seq, "seq", F, "4", "MISMATCH",
         "dims [1,1,2,2] where the model declares [4]", path=seqpath)
    case("idseq_wrong_dtype", seq, "seq", I64, "*", "MISMATCH",
         "element 0 of the sequence: data type float where the model declares int64", path=seqpath)
    case("idseq_as_optional", seq, "opt", F, "*", "FORMAT", "a second value", path=seqpath)
    case("idseq_as_seq_seq", seq, "seq,seq", F, "*", "MISMATCH",
         "the sequence: elem_type is tensor where the model declares sequence", path=seqpath)
    case("idopt_wrong_dims", opt, "opt,seq", F, "4", "MISMATCH",
         "element 0 of the optional's value: dims [5] where the model declares [4]",
         path=optpath)
    case("idopt_as_opt_tensor", opt, "opt", F, "*", "MISMATCH",
         "the optional: elem_type is sequence where the model declares tensor", path=optpath)
    # Without elem_type, the element itself gives the mismatch.
    o2 = OptionalProto()
    o2.CopyFrom(opt)
    o2.ClearField("elem_type")
    case("opt_value_kind", o2, "opt", F, "*", "MISMATCH",
         "the optional's value: a sequence where the model declares a tensor")
    case("missing_file", None, "seq", F, "*", "IO", "cannot open",
         path=os.path.join(d, "no_such_file.pb"))

    # ---- empty and None
    case("empty_seq", nh.from_list([], name="e"), "seq", F, "*", "OK")
    e0 = SequenceProto(name="e0")     # no elem_type at all
    case("empty_seq_untyped", e0, "seq,opt", STR, "3", "OK")
    none = nh.from_optional(None, name="n", dtype=OptionalProto.TENSOR)
    p = case("none_opt", none, "opt", F, "2,2", "OK")
    roundtrip("none_opt", p, "opt", F, "2,2", "out")
    case("none_opt_untyped", nh.from_optional(None, name="n"), "opt,seq", I64, "*", "OK")
    case("none_opt_wrong_elem_type",
         nh.from_optional(None, name="n", dtype=OptionalProto.SEQUENCE), "opt", F, "*",
         "MISMATCH", "the optional: elem_type is sequence where the model declares tensor")

    # ---- nesting
    arrays = [np.arange(k, dtype=np.int64) for k in (1, 3, 0)]
    nested = nh.from_optional(arrays, name="o")
    p = case("opt_seq_tensor", nested, "opt,seq", I64, "?", "OK")
    roundtrip("opt_seq_tensor", p, "opt,seq", I64, "?", "a_longer_output_name")
    case("opt_seq_tensor_dims", nested, "opt,seq", I64, "3", "MISMATCH",
         "element 0 of the optional's value: dims [1] where the model declares [3]")
    seqseq = nh.from_list([[np.ones((2, 2), np.float32)], [],
                           [np.zeros((2, 2), np.float32)] * 2], name="ss")
    case("seq_seq", seqseq, "seq,seq", F, "2,2", "OK")
    seqseq_bad = nh.from_list([[np.ones((2, 2), np.float32)], [],
                               [np.zeros((2, 2), np.float32), np.zeros((3, 2), np.float32)]])
    case("seq_seq_elem", seqseq_bad, "seq,seq", F, "2,2", "MISMATCH",
         "element 1 of element 2 of the sequence: dims [3,2] where the model declares [2,2]")
    case("seq_seq_as_seq", seqseq, "seq", F, "*", "MISMATCH",
         "the sequence: elem_type is sequence where the model declares tensor")
    so = SequenceProto(name="so", elem_type=SequenceProto.OPTIONAL, optional_values=[
        nh.from_optional(np.array([1.5, 2.5], np.float32)),
        nh.from_optional(None, dtype=OptionalProto.TENSOR),
        nh.from_optional(np.array([3.5], np.float32))])
    p = case("seq_opt", so, "seq,opt", F, "?", "OK")
    roundtrip("seq_opt", p, "seq,opt", F, "?", "so2")
    case("seq_opt_bad", so, "seq,opt", F, "2", "MISMATCH",
         "the value of element 2 of the sequence: dims [1] where the model declares [2]")
    deep = OptionalProto(name="deep", elem_type=OptionalProto.SEQUENCE,
                         sequence_value=SequenceProto(elem_type=SequenceProto.SEQUENCE,
                                                      sequence_values=[SequenceProto(
                                                          elem_type=SequenceProto.OPTIONAL,
                                                          optional_values=[nh.from_optional(
                                                              np.array(7, np.float32))])]))
    case("four_levels", deep, "opt,seq,seq,opt", F, ".", "OK")
    case("four_levels_rank", deep, "opt,seq,seq,opt", F, "1", "MISMATCH",
         "the value of element 0 of element 0 of the optional's value: dims [] where the "
         "model declares [1]")

    # ---- element kinds the runtime refuses
    sp = helper.make_sparse_tensor(nh.from_array(np.array([1.0], np.float32)),
                                   nh.from_array(np.array([0], np.int64)), [3])
    case("sparse_element", SequenceProto(name="s", sparse_tensor_values=[sp]), "seq", F, "*",
         "MISMATCH", "element 0 of the sequence: a sparse tensor where the model declares a tensor")
    mp = onnx.MapProto(name="m", key_type=I64, keys=[1], values=nh.from_list([np.ones(1, np.float32)]))
    case("map_element", SequenceProto(name="s", map_values=[mp]), "seq", F, "*", "MISMATCH",
         "a map where the model declares a tensor")

    # ---- tensor data forms
    def one(t, name="x"):
        return SequenceProto(name=name, elem_type=SequenceProto.TENSOR, tensor_values=[t])

    vals = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]
    tf = helper.make_tensor("t", F, [2, 3], vals)            # float_data
    assert not tf.raw_data and len(tf.float_data) == 6
    p = case("float_data", one(tf), "seq", F, "2,3", "OK")
    roundtrip("float_data", p, "seq", F, "2,3", "y")
    bad = TensorProto()
    bad.CopyFrom(tf)
    del bad.float_data[-1]
    case("float_data_short", one(bad), "seq", F, "*", "FORMAT",
         "element 0 of the sequence: float_data holds 5 values where dims [2,3] need 6")
    case("int64_data", one(helper.make_tensor("t", I64, [3], [1, -2, 1 << 40])), "seq", I64,
         "3", "OK")
    bad = helper.make_tensor("t", I64, [3], [1, -2, 1 << 40])
    bad.dims[0] = 4
    case("int64_data_short", one(bad), "seq", I64, "*", "FORMAT", "int64_data holds 3 values")
    case("int32_bool", one(helper.make_tensor("t", TensorProto.BOOL, [2], [1, 0])), "seq",
         TensorProto.BOOL, "2", "OK")
    case("int32_f16", one(helper.make_tensor("t", TensorProto.FLOAT16, [3],
                                              np.array([1, 2, 3], np.float16))), "seq",
         TensorProto.FLOAT16, "3", "OK")
    case("double_data", one(helper.make_tensor("t", TensorProto.DOUBLE, [2], [1.0, 2.0])), "seq",
         TensorProto.DOUBLE, "2", "OK")
    case("string_data", one(helper.make_tensor("t", STR, [3], [b"a", b"", b"ccc"])), "seq",
         STR, "3", "OK")
    bad = helper.make_tensor("t", STR, [2], [b"a", b"b"])
    bad.dims[0] = 3
    case("string_data_short", one(bad), "seq", STR, "*", "FORMAT",
         "string_data holds 2 values where dims [3] need 3")
    bad = helper.make_tensor("t", F, [2], [1.0, 2.0])
    bad.int64_data.extend([1, 2])
    case("wrong_typed_field", one(bad), "seq", F, "*", "FORMAT", "int64_data in a tensor of float")
    raw = nh.from_array(np.arange(6, dtype=np.float32).reshape(2, 3))
    bad = TensorProto()
    bad.CopyFrom(raw)
    bad.float_data.extend([1.0])
    case("raw_and_float_data", one(bad), "seq", F, "*", "FORMAT",
         "float_data in a tensor of float that has raw_data")
    bad = TensorProto()
    bad.CopyFrom(raw)
    bad.raw_data = bad.raw_data[:-4]
    case("raw_data_short", one(bad), "seq", F, "2,3", "FORMAT",
         "element 0 of the sequence: raw_data holds 20 bytes where dims [2,3] of float need 24")
    bad = helper.make_tensor("t", STR, [1], [b"abc"])
    bad.ClearField("string_data")
    bad.raw_data = b"abc"
    case("string_raw", one(bad), "seq", STR, "*", "FORMAT", "raw_data in a string tensor")
    case("scalar", one(nh.from_array(np.array(2.5, np.float32))), "seq", F, ".", "OK")
    case("scalar_as_1d", one(nh.from_array(np.array(2.5, np.float32))), "seq", F, "1",
         "MISMATCH", "dims [] where the model declares [1]")
    case("empty_tensor", one(helper.make_tensor("t", F, [0, 3], [])), "seq", F, "?,3", "OK")
    bad = helper.make_tensor("t", F, [1], [1.0])
    bad.dims[0] = -1
    case("negative_dim", one(bad), "seq", F, "*", "FORMAT", "negative dimension -1")
    bad = TensorProto(name="t", data_type=F, dims=[1 << 40, 1 << 30])
    case("dims_overflow", one(bad), "seq", F, "*", "FORMAT", "overflows")
    case("undefined_dtype", one(TensorProto(dims=[1], raw_data=b"1234")), "seq", F, "*",
         "MISMATCH", "data type undefined where the model declares float")
    ext = nh.from_array(np.ones(4, np.float32))
    external_data_helper.set_external_data(ext, location="w.bin", offset=0, length=16)
    ext.ClearField("raw_data")
    ext.data_location = TensorProto.EXTERNAL
    case("external_data", one(ext), "seq", F, "*", "FORMAT", "external data is not supported")
    seg = nh.from_array(np.ones(2, np.float32))
    seg.segment.begin = 0
    seg.segment.end = 2
    case("segment", one(seg), "seq", F, "*", "FORMAT", "segmented tensors are not supported")

    # ---- wire-level changes to serialized messages
    tbytes = raw.SerializeToString()      # dims 2, 3, data_type 1, raw_data 24 bytes
    def seq_raw(tb, extra=b""):
        return field(1, 2, b"w") + field(2, 0, 1) + field(3, 2, tb) + extra

    case("unknown_fields", seq_raw(tbytes + field(99, 0, 5) + field(98, 2, b"xyz")
                                   + varint(97 << 3 | 5) + b"\0\0\0\0",
                                   varint(50 << 3 | 1) + bytes(8)),
         "seq", F, "2,3", "OK")
    packed_dims = field(1, 2, varint(2) + varint(3)) + field(2, 0, F) + field(9, 2, bytes(24))
    p = case("packed_dims", seq_raw(packed_dims), "seq", F, "2,3", "OK")
    roundtrip("packed_dims", p, "seq", F, "2,3", "pd")
    case("packed_dims_wrong", seq_raw(packed_dims), "seq", F, "3,2", "MISMATCH",
         "dims [2,3] where the model declares [3,2]")
    unpacked = (field(1, 0, 2) + field(2, 0, F)
                + b"".join(varint(4 << 3 | 5) + np.float32(v).tobytes() for v in (1, 2)))
    case("unpacked_float_data", seq_raw(unpacked), "seq", F, "2", "OK")
    case("packed_float_odd", seq_raw(field(1, 0, 1) + field(2, 0, F) + field(4, 2, bytes(6))),
         "seq", F, "*", "FORMAT", "6 bytes is not a multiple of 4")
    case("dtype_twice", seq_raw(tbytes + field(2, 0, F)), "seq", F, "*", "FORMAT",
         "data_type given twice")
    case("raw_twice", seq_raw(tbytes + field(9, 2, bytes(24))), "seq", F, "*", "FORMAT",
         "raw_data given twice")
    case("elem_type_twice", seq_raw(tbytes, field(2, 0, 1)), "seq", F, "*", "FORMAT",
         "elem_type given twice")
    case("dims_wrong_wire", seq_raw(varint(1 << 3 | 5) + bytes(4) + tbytes), "seq", F, "*",
         "FORMAT", "field 1 at byte")
    case("group", seq_raw(tbytes, varint(20 << 3 | 3)), "seq", F, "*", "FORMAT",
         "groups are not supported")
    case("wire_type_7", varint(5 << 3 | 7) + b"\0", "seq", F, "*", "FORMAT", "wire type 7")
    case("field_zero", b"\x00\x00", "seq", F, "*", "FORMAT", "invalid field number at byte 0")
    case("overlong_varint", field(1, 2, b"w") + b"\x10" + b"\xff" * 10 + b"\x01", "seq", F, "*",
         "FORMAT", "field 2 at byte 3: varint over 10 bytes or 64 bits")
    case("varint_65_bits", field(1, 2, b"w") + b"\x10" + b"\xff" * 9 + b"\x02", "seq", F, "*",
         "FORMAT", "field 2 at byte 3: varint over 10 bytes or 64 bits")
    case("element_as_varint", field(3, 0, 7), "seq", F, "*", "FORMAT",
         "the sequence: field 3 at byte 0 has the wrong wire type 0")
    whole = open(optpath, "rb").read()
    case("truncated_end", whole[:-3], "opt,seq", F, "5", "FORMAT",
         "the optional: truncated field 5 at byte 10")
    case("truncated_tag", whole[:10] + b"\x80", "opt,seq", F, "5", "FORMAT",
         "the optional: truncated tag at byte 10")
    case("truncated_inner", whole[:10] + field(5, 2, whole[12:-3]), "opt,seq", F, "5",
         "FORMAT", "the optional's value: truncated field 3 at byte 14")
    rng = np.random.default_rng(5)
    case("garbage", b"\xff" * 16 + rng.integers(0, 256, 64, dtype=np.uint8).tobytes(), "seq",
         F, "*", "FORMAT", "overlong tag at byte 0")
    case("empty_file", b"", "opt", F, "*", "OK")

    # ---- ONNX's spellings, from the operator schemas
    spell = {"float": F, "int64": I64, "string": STR, "double": TensorProto.DOUBLE,
             "bool": TensorProto.BOOL, "int8": TensorProto.INT8, "uint8": TensorProto.UINT8,
             "int32": TensorProto.INT32, "float16": TensorProto.FLOAT16,
             "bfloat16": TensorProto.BFLOAT16, "uint16": TensorProto.UINT16,
             "int16": TensorProto.INT16, "uint32": TensorProto.UINT32,
             "uint64": TensorProto.UINT64, "complex64": TensorProto.COMPLEX64,
             "complex128": TensorProto.COMPLEX128}
    seen = set()
    for op in ("Optional", "OptionalHasElement", "SequenceEmpty", "SequenceInsert"):
        for schema in (onnx.defs.get_schema(op),):
            for tc in schema.type_constraints:
                for s in tc.allowed_type_strs:
                    if s in seen or not (s.startswith("seq(") or s.startswith("optional(")):
                        continue
                    wraps, rest = [], s
                    while rest.startswith(("seq(", "optional(")):
                        wraps.append("seq" if rest.startswith("seq(") else "opt")
                        rest = rest[rest.index("(") + 1:-1]
                    if not rest.startswith("tensor(") or rest[7:-1] not in spell:
                        continue
                    seen.add(s)
                    lines.append(f"fmt {','.join(wraps)} {spell[rest[7:-1]]} * {s}")
    assert len(seen) >= 10, seen
    with open(os.path.join(d, "manifest.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def verify(d):
    bad = 0
    n = 0
    for line in open(os.path.join(d, "manifest.txt")):
        w = line.split()
        if not w or w[0] != "roundtrip":
            continue
        name, path, wraps, newname = w[1], w[2], w[3], w[6]
        cls = SequenceProto if wraps.startswith("seq") else OptionalProto
        a, b = cls(), cls()
        a.ParseFromString(open(path, "rb").read())
        b.ParseFromString(open(os.path.join(d, f"rt_{name}.pb"), "rb").read())
        n += 1
        if b.name != newname:
            print(f"FAIL roundtrip {name}: name {b.name!r}, want {newname!r}")
            bad += 1
            continue
        b.name = a.name
        if a != b:
            print(f"FAIL roundtrip {name}: the value differs from {path}")
            bad += 1
            continue
        # And through numpy_helper, as a user would read it, where it can:
        # onnx 1.12's cannot read an empty optional or a sequence of optionals.
        try:
            va = nh.to_list(a) if cls is SequenceProto else nh.to_optional(a)
        except (TypeError, AttributeError):
            continue
        vb = nh.to_list(b) if cls is SequenceProto else nh.to_optional(b)
        if repr(va) != repr(vb):
            print(f"FAIL roundtrip {name}: numpy values differ")
            bad += 1
    print(f"verify: {n} round trips, {bad} failed")
    if n == 0 or bad:
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("gen", "verify"):
        sys.exit(__doc__)
    (gen if sys.argv[1] == "gen" else verify)(sys.argv[2])
