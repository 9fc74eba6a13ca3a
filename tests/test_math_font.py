"""The math font the site ships (docs/assets/fonts/, made by tools/math_font.py).

Every formula on the site is MathML. Its characters must all be in the shipped subset (a new
formula with a character outside it fails here, and tools/math_font.py's ranges grow), and
Chromium must draw the formulas with it, not with whatever the system has.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fontTools.ttLib import TTFont

from sitebuild import ROOT

FONT = ROOT / "docs" / "assets" / "fonts" / "dejavu-math-subset.woff2"


def italic(char: str) -> str:
    """The character MathML Core draws for a one-letter <mi> (text-transform: math-auto)."""
    code = ord(char)
    if char == "h":
        return "\u210e"
    if "a" <= char <= "z":
        return chr(0x1D44E + code - ord("a"))
    if "A" <= char <= "Z":
        return chr(0x1D434 + code - ord("A"))
    if "\u03b1" <= char <= "\u03c9":
        return chr(0x1D6FC + code - 0x3B1)
    return char


def test_italic_letters_map_as_mathml_core_says():
    assert italic("x") == "\U0001d465" and italic("W") == "\U0001d44a" and italic("α") == "\U0001d6fc"
    assert italic("h") == "ℎ" and italic("2") == "2"


def test_the_font_has_a_math_table_and_its_licence_beside_it():
    font = TTFont(FONT)
    assert "MATH" in font and font["MATH"].table.MathVariants.VertGlyphCoverage.glyphs
    assert "Bitstream" in (FONT.parent / "LICENSE-dejavu-math.txt").read_text()


def test_every_character_of_every_formula_is_in_the_font(site):
    covered = set(map(chr, TTFont(FONT).getBestCmap()))
    used: dict[str, str] = {}
    for path in sorted(site.site.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        if "<math" not in html:
            continue
        for math in BeautifulSoup(html, "html.parser").find_all("math"):
            for node in math.find_all(string=True):
                parent = node.parent
                one_letter_mi = parent.name == "mi" and len(node.strip()) == 1 and not parent.get("mathvariant")
                for char in node.strip():
                    used.setdefault(italic(char) if one_letter_mi else char, str(path.relative_to(site.site)))
    assert len(used) > 20, used  # the site's formulas are found
    missing = {f"U+{ord(c):04X} {c}": page for c, page in used.items() if c not in covered and not c.isspace()}
    assert not missing, f"not in {FONT.name} (add them to tools/math_font.py's RANGES): {missing}"


@pytest.mark.browser
def test_chromium_draws_the_formulas_with_the_shipped_font(browser, base_url):
    page = browser.new_page()
    try:
        page.goto(f"{base_url}lessons/05-gradient-descent/", wait_until="load")
        page.wait_for_function("document.fonts.check('1em \"Course Math\"', '∑')")
        page.evaluate("document.fonts.ready")
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable"), cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        sum_operator = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "div.math munderover > mo"})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": sum_operator})["fonts"]
        assert fonts and all(f["familyName"] == "DejaVu Math TeX Gyre" and f["isCustomFont"] for f in fonts), fonts
    finally:
        page.close()
