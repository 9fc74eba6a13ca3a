"""Make the math font the site ships: a subset of DejaVu Math TeX Gyre, as WOFF2.

Chromium, Firefox and Safari lay out MathML with the font's OpenType ``MATH`` table
(fraction rules, big operators, scripts, stretchy brackets). Without a math font on the
reader's system, Σ comes out at text size with its limits beside it. The site therefore
ships one: the characters below (Latin, digits, Greek, operators, a few arrows, the italic
and bold letters MathML uses for variables) with every glyph the ``MATH`` table
reaches from them (size variants, assembly parts). ``tests/test_math_font.py`` checks that
every character in the built site's MathML is in it.

Only the characters a course on regression writes: a new formula with a character outside
them fails that test, and the range goes here.

The source is Debian's ``fonts-dejavu-extra`` (``apt-get install fonts-dejavu-extra``).
Its licence (Bitstream Vera, DejaVu and math changes in the public domain) lets the font
be modified and redistributed under a name without "Bitstream" or "Vera"; it is copied
beside the font.

Usage: make math-font   (python tools/math_font.py [source.ttf]; writes docs/assets/fonts/)
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from fontTools import subset

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("/usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf")
LICENSE = Path("/usr/share/doc/fonts-dejavu-extra/copyright")
OUT = ROOT / "docs" / "assets" / "fonts"
NAME = "dejavu-math-subset.woff2"
RANGES = [
    (0x20, 0x7E),  # ASCII
    (0xAF, 0xAF), (0xB1, 0xB1), (0xB7, 0xB7), (0xD7, 0xD7), (0xF7, 0xF7),  # ¯ ± · × ÷
    (0x391, 0x3A9), (0x3B1, 0x3C9),  # Greek
    (0x2032, 0x2033), (0x2061, 0x2063),  # primes, invisible operators
    (0x2190, 0x2193), (0x21D2, 0x21D2), (0x21D4, 0x21D4),  # ← ↑ → ↓ ⇒ ⇔
    (0x2200, 0x2212), (0x2217, 0x221E), (0x2248, 0x2248), (0x2260, 0x2265), (0x22C5, 0x22C5),  # ∂ ∑ − √ ∞ ≈ ≠ ≤ ≥ ⋅
    (0x2308, 0x230B), (0x27E8, 0x27E9),  # ceilings, floors, angle brackets
    (0x1D434, 0x1D467),  # italic Latin (a variable in MathML is drawn in italic)
    (0x1D6A4, 0x1D6A5), (0x1D6FC, 0x1D71B),  # dotless i/j, italic Greek lowercase
    (0x210E, 0x210E), (0x211D, 0x211D),  # italic h, ℝ
]


def characters() -> list[int]:
    return [c for low, high in RANGES for c in range(low, high + 1)]


def make(source: Path = SOURCE, out: Path = OUT) -> Path:
    options = subset.Options()
    options.flavor = "woff2"  # Brotli-compressed (`make math-font` installs brotli)
    options.layout_features = ["ssty"]  # script-size forms; the MATH table keeps its own variants
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.notdef_outline = True
    options.hinting = False  # screens at today's densities do not need TrueType hints
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: the same source gives the same bytes
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters())
    subsetter.subset(font)
    out.mkdir(parents=True, exist_ok=True)
    target = out / NAME
    subset.save_font(font, str(target), options)
    shutil.copyfile(LICENSE, out / "LICENSE-dejavu-math.txt")
    return target


if __name__ == "__main__":
    written = make(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
    print(f"{written.relative_to(ROOT)}: {written.stat().st_size / 1024:.1f} KB")
