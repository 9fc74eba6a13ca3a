"""ASCII URLs for Korean blog categories and tags: Hangul is romanized before slugifying.

"모두를 위한 딥러닝 시즌2" -> "modureul-wihan-dipreoning-sijeun2" (Revised Romanization,
syllable by syllable, final consonants by their sound), so no page URL holds Hangul.
"""

from __future__ import annotations

from pymdownx.slugs import slugify

_INITIAL = "g kk n d tt r m b pp s ss - j jj ch k t p h".split()
_MEDIAL = "a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i".split()
_FINAL = [""] + "k k k n n n t l k m l l l p l m p p t t ng t t k t p t".split()
_slug = slugify(case="lower")


def romanize(text: str) -> str:
    out = []
    for char in text:
        code = ord(char) - 0xAC00
        if 0 <= code < 11172:  # a precomposed Hangul syllable
            initial, medial, final = code // 588, code % 588 // 28, code % 28
            out.append(_INITIAL[initial].strip("-") + _MEDIAL[medial] + _FINAL[final])
        else:
            out.append(char)
    return "".join(out)


def ascii_slugify(text: str, separator: str) -> str:
    return _slug(romanize(text), separator)


def on_config(config, **kwargs):
    blog = config.plugins.get("material/blog")
    if blog is not None:
        blog.config.categories_slugify = ascii_slugify
        blog.config.post_slugify = ascii_slugify
    tags = config.plugins.get("material/tags")
    if tags is not None:
        tags.config.tags_slugify = ascii_slugify
    return config
