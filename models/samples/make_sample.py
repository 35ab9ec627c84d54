#!/usr/bin/python3
"""make_sample.py — draw the sample picture (a cartoon cat's face, 160x160) with numpy.

Usage: make_sample.py [OUTDIR]   (default: this folder)

Writes sample.png (lossless) and sample.jpg (quality 90, written with PIL, which
python3-pil provides). Everything is computed from coordinates, no randomness, so
the files are the same on every run with the same libraries. The pictures are the
project's own work, under the repository's licence (see README.md here).
"""

import os
import sys

import numpy as np

SIZE = 160


def draw():
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64) + 0.5
    # Background: a soft vertical gradient, sky blue to grass green.
    t = y / SIZE
    img = np.stack([110 + 40 * t, 170 + 30 * t, 230 - 150 * t], axis=-1)

    def paint(mask, rgb):
        img[mask] = rgb

    def ellipse(cx, cy, rx, ry):
        return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1

    def triangle(p0, p1, p2):
        def side(a, b):
            return (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0])
        s0, s1, s2 = side(p0, p1), side(p1, p2), side(p2, p0)
        return ((s0 >= 0) & (s1 >= 0) & (s2 >= 0)) | ((s0 <= 0) & (s1 <= 0) & (s2 <= 0))

    fur, dark, pink = (235, 150, 60), (120, 70, 30), (240, 150, 170)
    paint(triangle((38, 70), (50, 18), (78, 50)), fur)       # ears
    paint(triangle((122, 70), (110, 18), (82, 50)), fur)
    paint(triangle((47, 58), (52, 30), (68, 50)), pink)
    paint(triangle((113, 58), (108, 30), (92, 50)), pink)
    paint(ellipse(80, 92, 52, 46), fur)                       # head
    for cx in (62, 80, 98):                                   # stripes on the forehead
        paint(ellipse(cx, 56, 4, 10), dark)
    paint(ellipse(80, 112, 26, 18), (250, 235, 215))          # muzzle
    for cx in (60, 100):                                      # eyes
        paint(ellipse(cx, 84, 10, 12), (90, 170, 60))
        paint(ellipse(cx, 84, 3, 10), (20, 20, 20))
        paint(ellipse(cx + 3, 80, 2, 2), (255, 255, 255))
    paint(triangle((72, 100), (88, 100), (80, 109)), pink)    # nose
    for k in (-1, 1):                                         # whiskers
        for dy in (-4, 2, 8):
            line = (np.abs(y - (108 + dy) - 0.12 * dy * np.abs(x - 80) / 10) < 0.9) & \
                   (np.abs(x - 80) > 18) & (np.abs(x - 80) < 62) & (k * (x - 80) > 0)
            paint(line, (60, 40, 30))
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def main(argv):
    out = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    from PIL import Image
    img = Image.fromarray(draw(), "RGB")
    img.save(os.path.join(out, "sample.png"), optimize=True)
    img.save(os.path.join(out, "sample.jpg"), quality=90)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
