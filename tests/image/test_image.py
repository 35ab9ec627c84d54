#!/usr/bin/python3
"""test_image.py — image input (runtime/image.c, `vggc run --input x.jpg`, the generated
program's --image) against references computed here, independently of vggc.

Usage:
  test_image.py decode TOOL WORK            libvggrt's decoder and tensor maker (TOOL =
                                            image_to_npy) on PNGs written here and JPEGs
                                            written with PIL; corrupt files
  test_image.py cli VGGC MODELS WORK        `vggc run` on images: text, --json, batches,
                                            NCHW/NHWC, errors; the generated program
  test_image.py e2e VGGC MODELS WORK        the same predictions as ONNX Runtime on the
                                            reference tensor, the sample picture on VGG-16

References:
- PNG: written by a small PNG writer here (zlib + struct, filter 0, Adam7 too), so the
  pixels are known exactly; the expected RGB follows the documented conversions (gray
  -> 3 channels, palette -> RGB, alpha ignored, 16-bit -> high byte, 1/2/4-bit gray
  scaled to 0..255 as PNG's spec says).
- JPEG: PIL's decode of the same file (Debian's PIL uses libjpeg-turbo too, so they
  agree exactly in practice); tolerance 1 in 0..255 (a different IDCT may differ by 1).
- Resizing: bilinear with half-pixel centers, written here in float64 from
  tf.image.resize's definition (src = (dst + 0.5) * in/out - 0.5, neighbours clamped
  to the image), checked on its own against a property (exact 2x downscale = mean of
  2x2 blocks). Tolerance: 1e-3 in 0..255 units (the C code interpolates in float32).
- Scaling: Keras' imagenet_utils.preprocess_input formulas, written out here.
"""

import json
import os
import shutil
import struct
import subprocess
import sys
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FAILS = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        FAILS.append(what)


# ---- a PNG writer ---------------------------------------------------------------------

def chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def pack_row(row, depth):
    """One row of samples (1-D uint array) as PNG bytes, big-endian, MSB first."""
    if depth == 16:
        return row.astype(">u2").tobytes()
    if depth == 8:
        return row.astype(np.uint8).tobytes()
    per = 8 // depth
    padded = np.zeros(-(-len(row) // per) * per, np.uint8)
    padded[:len(row)] = row
    out = np.zeros(len(padded) // per, np.uint8)
    for i in range(per):
        out |= (padded[i::per] << (8 - depth * (i + 1))).astype(np.uint8)
    return out.tobytes()


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def png_bytes(samples, depth, ctype, plte=None, trns=None, interlace=False):
    """samples: (h, w, channels) array of sample values (palette indices for type 3)."""
    h, w, ch = samples.shape
    raw = b""
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    for x0, y0, dx, dy in passes:
        sub = samples[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        for row in sub:
            raw += b"\0" + pack_row(row.reshape(-1), depth)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0,
                                                             1 if interlace else 0))
    if plte is not None:
        out += chunk(b"PLTE", plte.astype(np.uint8).tobytes())
    if trns is not None:
        out += chunk(b"tRNS", trns)
    out += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    return out


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def png_cases(rng, work):
    """(path, expected RGB uint8) for each PNG colour type and depth."""
    h, w = 37, 53
    rgb = rng.integers(0, 256, (h, w, 3))
    a = rng.integers(0, 256, (h, w, 1))
    g = rng.integers(0, 256, (h, w, 1))
    g16 = rng.integers(0, 65536, (h, w, 1))
    rgb16 = rng.integers(0, 65536, (h, w, 3))
    plte = rng.integers(0, 256, (200, 3))
    idx = rng.integers(0, 200, (h, w, 1))
    idx4 = rng.integers(0, 16, (h, w, 1))
    cases = []

    def add(name, data, expect):
        cases.append((write(os.path.join(work, name), data), expect.astype(np.uint8)))

    add("rgb8.png", png_bytes(rgb, 8, 2), rgb)
    add("rgb8_adam7.png", png_bytes(rgb, 8, 2, interlace=True), rgb)
    add("gray8.png", png_bytes(g, 8, 0), np.repeat(g, 3, 2))
    add("rgba8.png", png_bytes(np.concatenate([rgb, a], 2), 8, 6), rgb)
    add("graya8.png", png_bytes(np.concatenate([g, a], 2), 8, 4), np.repeat(g, 3, 2))
    add("palette8.png", png_bytes(idx, 8, 3, plte=plte, trns=bytes(range(0, 200, 2))), plte[idx[..., 0]])
    add("gray8_trns.png", png_bytes(g, 8, 0, trns=struct.pack(">H", int(g[0, 0, 0]))), np.repeat(g, 3, 2))
    add("rgb8_trns.png", png_bytes(rgb, 8, 2, trns=struct.pack(">HHH", *rgb[0, 0])), rgb)
    add("palette4.png", png_bytes(idx4, 4, 3, plte=plte[:16]), plte[idx4[..., 0]])
    add("rgb16.png", png_bytes(rgb16, 16, 2), rgb16 >> 8)
    add("rgba16.png", png_bytes(np.concatenate([rgb16, g16], 2), 16, 6), rgb16 >> 8)
    add("gray16.png", png_bytes(g16, 16, 0), np.repeat(g16 >> 8, 3, 2))
    for d in (1, 2, 4):
        gd = rng.integers(0, 1 << d, (h, w, 1))
        add(f"gray{d}.png", png_bytes(gd, d, 0), np.repeat(gd * (255 // ((1 << d) - 1)), 3, 2))
    gd = rng.integers(0, 2, (h, w, 1))
    add("gray1_adam7.png", png_bytes(gd, 1, 0, interlace=True), np.repeat(gd * 255, 3, 2))
    return cases


# ---- references -------------------------------------------------------------------------

def resize(img, oh, ow):
    """tf.image.resize(img, (oh, ow)), bilinear, half_pixel_centers, no antialias; float64."""
    img = img.astype(np.float64)

    def taps(n_in, n_out):
        src = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
        f = np.floor(src)
        return np.maximum(f, 0).astype(int), np.minimum(np.ceil(src), n_in - 1).astype(int), src - f

    y0, y1, ty = taps(img.shape[0], oh)
    x0, x1, tx = taps(img.shape[1], ow)
    tx = tx[None, :, None]
    top = img[y0][:, x0] + (img[y0][:, x1] - img[y0][:, x0]) * tx
    bot = img[y1][:, x0] + (img[y1][:, x1] - img[y1][:, x0]) * tx
    return top + (bot - top) * ty[:, None, None]


# d(output)/d(pixel) of each mode, to turn a tolerance in 0..255 units into output units.
GAIN = {"none": 1.0, "tf": 1 / 127.5, "caffe": 1.0, "torch": 1 / (255 * 0.224)}


def preprocess(x, mode):
    """Keras' preprocess_input on float RGB x[..., 3] in 0..255."""
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "caffe":
        return x[..., ::-1] - np.array([103.939, 116.779, 123.68])
    if mode == "torch":
        return (x / 255.0 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    return x


def expected_tensor(rgbs, h, w, layout, mode):
    x = np.stack([preprocess(resize(im, h, w), mode) for im in rgbs])
    return (x.transpose(0, 3, 1, 2) if layout == "nchw" else x).astype(np.float32)


def pil_rgb(path):
    from PIL import Image
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


# ---- corrupt files -------------------------------------------------------------------------

def corrupt_cases(work, good_png, good_jpg):
    """(path, what the message must contain besides the file name)."""
    png = open(good_png, "rb").read()
    jpg = open(good_jpg, "rb").read()
    idat = png.index(b"IDAT")
    cases = [
        (write(os.path.join(work, "trunc.jpg"), jpg[:len(jpg) // 2]), "truncated"),
        (write(os.path.join(work, "trunc_header.jpg"), jpg[:40]), "corrupt JPEG"),
        (write(os.path.join(work, "trunc.png"), png[:idat + 60]), "truncated"),
        (write(os.path.join(work, "garbage.png"), b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4), "corrupt PNG"),
        (write(os.path.join(work, "empty.png"), b""), "not a PNG or JPEG"),
        (write(os.path.join(work, "text.jpg"), b"GIF89a, or anything else\n"), "not a PNG or JPEG"),
    ]
    # A CRC error in IHDR.
    bad = bytearray(png)
    bad[29] ^= 0xFF
    cases.append((write(os.path.join(work, "badcrc.png"), bytes(bad)), "corrupt PNG"))
    # Huge declared sizes, with valid CRCs: refused before anything is allocated.
    for name, wd, ht in (("huge_side.png", 100000, 100000), ("huge_area.png", 20000, 20000)):
        ihdr = struct.pack(">IIBBBBB", wd, ht, 8, 2, 0, 0, 0)
        data = png[:8] + chunk(b"IHDR", ihdr) + png[33:]
        cases.append((write(os.path.join(work, name), data), "pixels"))
    sof = jpg.index(b"\xff\xc0")
    big = bytearray(jpg)
    big[sof + 5:sof + 9] = struct.pack(">HH", 60000, 60000)
    cases.append((write(os.path.join(work, "huge.jpg"), bytes(big)), "pixels"))
    return cases


# vggc's JIT cache: in the test's folder, not the user's.
ENV = dict(os.environ)


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV)


# ---- decode: libvggrt against the references ---------------------------------------------

def test_decode(tool, work):
    from PIL import Image
    rng = np.random.default_rng(2024)
    os.makedirs(work, exist_ok=True)

    def tensor(paths, h, w, layout, mode):
        out = os.path.join(work, "t.npy")
        r = run([tool, out, str(h), str(w), layout, mode] + list(paths))
        if r.returncode != 0:
            print(r.stderr)
            return None
        return np.load(out)

    # The resize reference on its own: an exact 2x downscale is the mean of 2x2 blocks.
    blk = rng.integers(0, 256, (8, 12, 3)).astype(np.float64)
    means = blk.reshape(4, 2, 6, 2, 3).mean(axis=(1, 3))
    check(np.abs(resize(blk, 4, 6) - means).max() < 1e-12, "reference resize: 2x down = 2x2 means")

    # Decoding, no resizing: exactly the expected pixels.
    cases = png_cases(rng, work)
    for path, rgb in cases:
        t = tensor([path], 0, 0, "nhwc", "none")
        ok = t is not None and t.shape == (1,) + rgb.shape and np.array_equal(t[0], rgb.astype(np.float32))
        check(ok, f"decode {os.path.basename(path)} {rgb.shape[1]}x{rgb.shape[0]}: exact RGB")

    # JPEGs written by PIL, compared with PIL's decode of the same file.
    photo = resize(rng.integers(0, 256, (12, 16, 3)), 45, 60)      # smooth, like a photo
    photo = np.clip(photo + rng.normal(0, 4, photo.shape), 0, 255).astype(np.uint8)
    jpegs = []
    for name, im, kw in (("q90.jpg", Image.fromarray(photo), dict(quality=90)),
                         ("q50_420.jpg", Image.fromarray(photo), dict(quality=50, subsampling=2)),
                         ("progressive.jpg", Image.fromarray(photo), dict(quality=85, progressive=True)),
                         ("gray.jpg", Image.fromarray(photo[..., 1]), dict(quality=90)),
                         ("cmyk.jpg", Image.fromarray(photo).convert("CMYK"), dict(quality=95))):
        path = os.path.join(work, name)
        im.save(path, **kw)
        jpegs.append(path)
        ref = pil_rgb(path)
        t = tensor([path], 0, 0, "nhwc", "none")
        diff = np.abs(t[0] - ref).max() if t is not None and t.shape[1:] == ref.shape else None
        check(diff is not None and diff <= 1, f"decode {name}: max |ours - PIL| = {diff} (<= 1)")

    # Resizing, layouts, scaling, batches of different sizes.
    rgb_png, rgb = cases[0]
    gray_png, gray = cases[2]
    small = os.path.join(work, "small.png")
    small_rgb = rng.integers(0, 256, (5, 7, 3))
    write(small, png_bytes(small_rgb, 8, 2))
    batch = [(rgb_png, rgb), (small, small_rgb), (gray_png, gray), (jpegs[0], pil_rgb(jpegs[0]))]
    for h, w in ((32, 32), (24, 40), (37, 53), (74, 26)):
        for layout in ("nchw", "nhwc"):
            for mode in ("none", "tf", "caffe", "torch"):
                if (h, w) != (32, 32) and mode not in ("tf", "caffe"):
                    continue
                t = tensor([p for p, _ in batch], h, w, layout, mode)
                want = expected_tensor([im for _, im in batch], h, w, layout, mode)
                if t is None or t.shape != want.shape:
                    check(False, f"to_tensor {h}x{w} {layout} {mode}: shape {None if t is None else t.shape}")
                    continue
                png_diff = np.abs(t[:3] - want[:3]).max() / GAIN[mode]
                jpg_diff = np.abs(t[3] - want[3]).max() / GAIN[mode]
                check(png_diff <= 1e-3 and jpg_diff <= 1,
                      f"to_tensor batch of 4 -> {h}x{w} {layout} {mode}: max diff in 0..255 units "
                      f"PNG {png_diff:.2e} (<= 1e-3), JPEG {jpg_diff:.2e} (<= 1)")

    # Corrupt and hostile files: exit 1, a message naming the file, never a crash.
    for path, what in corrupt_cases(work, rgb_png, jpegs[0]):
        r = run([tool, os.path.join(work, "c.npy"), "0", "0", "nhwc", "none", path])
        msg = r.stderr.strip()
        check(r.returncode == 1 and path in msg and what in msg,
              f"refused {os.path.basename(path)}: exit {r.returncode}: {msg}")

    # Random damage to valid files: decoded or refused (exit 0 or 1), never a crash.
    seeds = np.random.default_rng(7)
    outcomes = {0: 0, 1: 0}
    bad = []
    for src in (rgb_png, cases[5][0], jpegs[0], jpegs[2]):
        data = open(src, "rb").read()
        for i in range(40):
            b = bytearray(data)
            for _ in range(int(seeds.integers(1, 6))):
                b[int(seeds.integers(8, len(b)))] = int(seeds.integers(0, 256))
            if i % 4 == 3:
                b = b[:int(seeds.integers(8, len(b)))]
            path = write(os.path.join(work, "mut" + os.path.splitext(src)[1]), bytes(b))
            r = run([tool, os.path.join(work, "m.npy"), "8", "8", "nchw", "tf", path])
            if r.returncode in outcomes and (r.returncode == 0 or path in r.stderr):
                outcomes[r.returncode] += 1
            else:
                bad.append((os.path.basename(src), i, r.returncode, r.stderr[-200:]))
    check(not bad, f"160 damaged files: {outcomes[0]} decoded, {outcomes[1]} refused with a message, "
                   f"{len(bad)} other {bad[:2]}")


# ---- cli: vggc run and the generated program ------------------------------------------------

def make_images(work):
    """Three pictures of different sizes and kinds, and their RGB as PIL decodes them."""
    from PIL import Image
    rng = np.random.default_rng(11)
    a = np.clip(resize(rng.integers(0, 256, (6, 9, 3)), 48, 72), 0, 255).astype(np.uint8)
    b = rng.integers(0, 256, (20, 17, 1))
    c = np.clip(resize(rng.integers(0, 256, (5, 5, 3)), 64, 64), 0, 255).astype(np.uint8)
    paths = [os.path.join(work, "a.jpg"), write(os.path.join(work, "b.png"), png_bytes(b, 8, 0)),
             os.path.join(work, "c with space.png")]
    Image.fromarray(a).save(paths[0], quality=92)
    Image.fromarray(c).save(paths[2])
    return paths, [pil_rgb(p) for p in paths]


def run_json(cmd):
    r = run(cmd)
    if r.returncode != 0:
        print(r.stderr)
        return None
    try:
        return json.loads(r.stdout)
    except ValueError as e:
        print(f"not JSON ({e}):\n{r.stdout}")
        return None


def top_lines(text):
    """'NAME:  label: p  label: p' lines -> {NAME: [(label, p), ...]}."""
    out = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":  ")
        out[name] = [(f.rpartition(": ")[0], float(f.rpartition(": ")[2])) for f in rest.split("  ")]
    return out


def test_cli(vggc, models, work):
    os.makedirs(work, exist_ok=True)
    ENV["XDG_CACHE_HOME"] = os.path.join(work, "cache")
    paths, rgbs = make_images(work)
    labels3 = write(os.path.join(work, "labels3.txt"), b"cat\r\ndog\nbird and \"fish\"\n")
    names3 = ["cat", "dog", 'bird and "fish"']
    labels2 = write(os.path.join(work, "labels2.txt"), b"cat\ndog\n")

    def vggc_run(*args):
        return run([vggc, "run"] + list(args))

    res = {}
    for model, layout in (("tiny_vgg", "nchw"), ("tiny_vgg_nhwc", "nhwc")):
        m = os.path.join(models, model + ".onnx")
        doc = run_json([vggc, "run", m, "--preprocess", "tf", "--labels", labels3, "--top", "3",
                        "--json"] + sum((["--input", p] for p in paths), []))
        ok = doc is not None and doc.get("model") == m and doc.get("preprocess") == "tf" and \
            len(doc.get("outputs", [])) == 1
        check(ok, f"{model}: --json is one JSON document with model, preprocess, outputs")
        if not ok:
            continue
        out = doc["outputs"][0]
        items = out.get("items", [])
        ok = out.get("shape") == [3, 3] and [it.get("image") for it in items] == paths and \
            [it.get("item") for it in items] == [0, 1, 2]
        check(ok, f"{model}: output shape [3, 3], one item per image, in order")
        sums = [sum(t["p"] for t in it["top"]) for it in items]
        ok = all(len(it["top"]) == 3 and abs(s - 1) < 1e-5 for it, s in zip(items, sums)) and all(
            [t["p"] for t in it["top"]] == sorted([t["p"] for t in it["top"]], reverse=True) and
            sorted(t["index"] for t in it["top"]) == [0, 1, 2] and
            all(t["label"] == names3[t["index"]] for t in it["top"]) for it in items)
        check(ok, f"{model}: top 3 of 3 classes, falling p summing to 1 ({sums}), labels by index")
        res[model] = {it["image"]: {t["index"]: t["p"] for t in it["top"]} for it in items}

        # The same network on the reference tensor (numpy preprocessing) as .npy.
        x = expected_tensor(rgbs, 32, 32, layout, "tf")
        np.save(os.path.join(work, f"x_{model}.npy"), x)
        ref = run_json([vggc, "run", m, "--input", os.path.join(work, f"x_{model}.npy"), "--json",
                        "--top", "3"])
        if ref is not None:
            ref_p = [{t["index"]: t["p"] for t in it["top"]} for it in ref["outputs"][0]["items"]]
            # The JPEG may decode 1 unit apart (see the top): compare PNGs tightly.
            d = max(abs(res[model][paths[i]][k] - ref_p[i][k]) for i in (1, 2) for k in range(3))
            dj = max(abs(res[model][paths[0]][k] - ref_p[0][k]) for k in range(3))
            check(d < 1e-5 and dj < 1e-3 and ref["outputs"][0]["items"][0]["image"] is None,
                  f"{model}: images give the numpy reference tensor's p (PNG max diff {d:.1e} "
                  f"< 1e-5, JPEG {dj:.1e} < 1e-3)")
        else:
            check(False, f"{model}: run on the reference tensor")

        # Text: one line per image, no header; the same classes as the JSON.
        r = vggc_run(m, "--preprocess", "tf", "--labels", labels3, "--top", "2",
                     *sum((["--input", p] for p in paths), []))
        lines = r.stdout.splitlines()
        got = top_lines(r.stdout) if r.returncode == 0 else {}
        ok = len(lines) == 3 and list(got) == paths and all(
            [names3.index(lab) for lab, _ in got[p]] == sorted(res[model][p], key=res[model][p].get,
                                                              reverse=True)[:2] for p in paths)
        check(ok, f"{model}: text output, one line per image:\n      " + "\n      ".join(lines))

        # The generated program with --image: the same classes and probabilities.
        gen = os.path.join(work, "gen_" + model)
        shutil.rmtree(gen, ignore_errors=True)
        r = run([vggc, "compile", m, "-o", gen, "--name", model])
        # VGGC_CFLAGS: the sanitizer configuration's flags (its libvggrt needs them).
        r2 = run(["make", "-s", "-C", gen, "WARNINGS=-Wall -Wextra -Werror",
                  "CFLAGS=-O2 -march=native " + os.environ.get("VGGC_CFLAGS", "")]) \
            if r.returncode == 0 else r
        if r2.returncode != 0:
            check(False, f"{model}: generated program builds: {r2.stderr[-500:]}")
            continue
        r = run([os.path.join(gen, model), "--preprocess", "tf", "--labels", labels3, "--top", "2"]
                + sum((["--image", p] for p in paths), []))
        prog = top_lines(r.stdout) if r.returncode == 0 else {}
        ok = r.returncode == 0 and list(prog) == paths and all(
            [lab for lab, _ in prog[p]] == [lab for lab, _ in got[p]] and
            all(abs(a[1] - b[1]) <= 2e-4 for a, b in zip(prog[p], got[p])) for p in paths)
        check(ok, f"{model}: generated program --image prints what vggc run prints "
                  f"(p within 2e-4, 4 decimals):\n      " + "\n      ".join(r.stdout.splitlines())
              + r.stderr)
        bad = os.path.join(work, "trunc_gen.jpg")
        write(bad, open(paths[0], "rb").read()[:300])
        r = run([os.path.join(gen, model), "--preprocess", "tf", "--image", bad])
        check(r.returncode == 1 and bad in r.stderr, f"{model}: generated program, truncated "
              f"JPEG: exit {r.returncode}: {r.stderr.strip()}")

    if len(res) == 2:
        d = max(abs(res["tiny_vgg"][p][k] - res["tiny_vgg_nhwc"][p][k]) for p in paths for k in range(3))
        check(d < 1e-5, f"NCHW and NHWC forms of the same network agree on the images ({d:.1e} < 1e-5)")

    # Errors.
    m = os.path.join(models, "tiny_vgg.onnx")
    npy = os.path.join(work, "x_tiny_vgg.npy")
    for args, code, what in (
            ([m, "--input", paths[0]], 2, "--preprocess"),
            ([m, "--input", paths[0], "--preprocess", "imagenet"], 2, "imagenet"),
            ([m, "--input", paths[0], "--input", npy, "--preprocess", "tf"], 2, "images and tensors"),
            ([m, "--input", npy, "--preprocess", "tf"], 2, "image inputs"),
            ([m, "--input", paths[0], "--preprocess", "tf", "--labels", labels2], 1, labels2),
            ([m, "--input", paths[0], "--preprocess", "tf", "--labels", os.path.join(work, "none.txt")],
             1, "none.txt"),
            ([m, "--input", paths[0], "--preprocess", "tf", "--json", "--bench", "2"], 2, "--json"),
            ([os.path.join(models, "tiny_vgg_classic.onnx"), "--input", paths[0], "--input", paths[1],
              "--preprocess", "caffe"], 0, "")):
        r = vggc_run(*args)
        check(r.returncode == code and what in r.stderr,
              f"vggc run {' '.join(os.path.basename(a) for a in args)}: exit {r.returncode} "
              f"(want {code}): {r.stderr.strip()}")
    corrupt = corrupt_cases(os.path.join(work), paths[1], paths[0])
    for path, what in corrupt:
        r = vggc_run(m, "--input", paths[1], "--input", path, "--preprocess", "tf")
        check(r.returncode == 1 and path in r.stderr and what in r.stderr and "Traceback" not in r.stderr,
              f"vggc run on {os.path.basename(path)}: exit {r.returncode}: {r.stderr.strip()}")


# ---- e2e: against ONNX Runtime; the sample picture ------------------------------------------

def softmax(y):
    """Probabilities as vggc prints them: the rows themselves when they already are
    distributions (a model ending in Softmax), else their softmax."""
    if np.all((y >= 0) & (y <= 1)) and np.all(np.abs(y.sum(axis=1) - 1) < 1e-3):
        return y
    e = np.exp(y - y.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_e2e(vggc, models, work):
    os.makedirs(work, exist_ok=True)
    ENV["XDG_CACHE_HOME"] = os.path.join(work, "cache")
    samples = os.path.join(ROOT, "models", "samples")
    sample_png, sample_jpg = os.path.join(samples, "sample.png"), os.path.join(samples, "sample.jpg")
    labels = os.path.join(samples, "cats_dogs_labels.txt")
    ort = os.path.join(ROOT, "tools", "ort", "ort_run.js")
    imgs = [sample_png, sample_jpg]
    rgbs = [pil_rgb(p) for p in imgs]
    probs = {}
    for model, layout in (("vgg16_head", "nchw"), ("vgg16_head_nhwc", "nhwc"), ("tiny_vgg", "nchw")):
        m = os.path.join(models, model + ".onnx")
        size = 32 if model == "tiny_vgg" else 160
        x = os.path.join(work, f"x_{model}.npy")
        y = os.path.join(work, f"y_{model}.npy")
        np.save(x, expected_tensor(rgbs, size, size, layout, "tf"))
        r = run(["node", ort, m, "--input", x, "--output", y])
        if r.returncode != 0:
            check(False, f"{model}: ONNX Runtime: {r.stderr.strip()}")
            continue
        ref = softmax(np.load(y).astype(np.float64))
        args = [vggc, "run", m, "--preprocess", "tf", "--json", "--input", imgs[0], "--input", imgs[1]]
        if model != "tiny_vgg":
            args += ["--labels", labels]
        doc = run_json(args)
        if doc is None:
            check(False, f"{model}: vggc run on the sample")
            continue
        items = doc["outputs"][0]["items"]
        got = np.array([[{t["index"]: t["p"] for t in it["top"]}[k] for k in range(ref.shape[1])]
                        for it in items])
        d_png = np.abs(got[0] - ref[0]).max()
        d_jpg = np.abs(got[1] - ref[1]).max()
        check(d_png < 1e-4 and d_jpg < 1e-3,
              f"{model}: sample.png/.jpg through vggc run = ONNX Runtime on the reference tensor "
              f"(max |dp| PNG {d_png:.1e} < 1e-4, JPEG {d_jpg:.1e} < 1e-3); p {got.round(4).tolist()}")
        if model != "tiny_vgg":
            check(all(t["label"] in ("cat", "dog") for it in items for t in it["top"]),
                  f"{model}: labels from {os.path.basename(labels)}")
            probs[model] = got
    if len(probs) == 2:
        d = np.abs(probs["vgg16_head"] - probs["vgg16_head_nhwc"]).max()
        check(d < 1e-4, f"VGG-16 head, NCHW and NHWC forms agree on the sample ({d:.1e} < 1e-4)")
    r = run([vggc, "run", os.path.join(models, "vgg16_head.onnx"), "--input", sample_jpg,
             "--preprocess", "tf", "--labels", labels, "--top", "2"])
    print(r.stdout + r.stderr)
    check(r.returncode == 0 and r.stdout.startswith(sample_jpg + ":  "),
          "the README's example runs and prints one line")
    for p in imgs:
        check(os.path.getsize(p) < 40 * 1024, f"{os.path.basename(p)} is {os.path.getsize(p)} bytes (< 40 KB)")


def main(argv):
    mode = argv[1] if len(argv) > 1 else ""
    if mode == "decode" and len(argv) == 4:
        test_decode(argv[2], argv[3])
    elif mode in ("cli", "e2e") and len(argv) == 5:
        (test_cli if mode == "cli" else test_e2e)(argv[2], argv[3], argv[4])
    else:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    print(f"{len(FAILS)} failed" if FAILS else "all passed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
