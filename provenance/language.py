"""Which language a text is in, and whether provenance reads its words.

Claims are read with words of English and French: the cue that a date is when footage was
filmed, published or someone was born, a denial, "between ... and", a credit line. In any other
language a date or a place can still be read (numbers, names), but not what is said of it: a
desk audit of 226 posts in ten other languages found 39 false "miscaptioned" findings from
dates of publication, births and denials read as filming dates. Such a claim is shown, with
what the library says, and left for the checker (``claims.check``), never decided.

A passage's language is the one its page declares (``<html lang>``), unless the text itself is
confidently in another one (an embedded post in a page of another language). py3langid
identifies it among 43 languages (a 4.5 MB model, loaded once per process on first use).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from typing import Any

# The languages whose words around a claim provenance reads.
READ_LANGUAGES = frozenset({"en", "fr"})
# The languages a text is told apart among: the 43 most written on the web. py3langid's other
# 54 include creoles and regional languages that short English captions were given with
# confidence ("Filmed 16 September 2015, posted 22 October 2015": Nigerian Pidgin, 0.94).
CANDIDATES = ("en", "fr", "de", "es", "it", "pt", "nl", "pl", "ru", "uk", "ar", "tr", "sv", "da",
              "no", "fi", "cs", "sk", "hu", "ro", "bg", "el", "he", "fa", "hi", "bn", "ur", "zh",
              "ja", "ko", "vi", "id", "ms", "th", "sr", "hr", "sl", "lt", "lv", "et", "ca", "sw",
              "tl")
# A text is in another language than English or French where that language has at least this
# probability (py3langid's, normalised over CANDIDATES), or where English and French together
# have less than MAX_READ_PROBABILITY. Measured (`benchmarks/claims.py --only languages`,
# benchmarks/README.md "Claims in other languages") on 340 English and French passages and
# captions and on 139 captions of a desk audit in ten other languages: at 0.8 and 0.01 no English
# or French text was taken for another language (one German tweet quoted in an English page was,
# rightly) and 87 of the 139 were (85 as the right one); the nearest English passage had 0.022
# for English and French together ("Reichstag steps, 29 August"). 0.8 alone found 80 of the
# 139; 0.7 took "Reichstag steps, 29 August" for German; 0.02 found 90, too near that passage.
# Short captions stay unidentified: a date or a name says nothing of its language.
MIN_CONFIDENCE = 0.8
MAX_READ_PROBABILITY = 0.01
# Texts with fewer letters than this are not identified (unless in another script than Latin).
MIN_LETTERS = 12
# A sentence whose words other than names hold fewer letters than this is names and numbers.
MIN_WORD_LETTERS = 6


def declared(tag: str) -> str:
    """The language of a BCP 47 tag as declared by a page (``"en-GB"``: ``"en"``), or ''."""
    primary = (tag or "").strip().split("-")[0].split("_")[0].lower()
    return primary if primary.isascii() and primary.isalpha() and len(primary) in (2, 3) else ""


def language_of(text: str, stated: str = "") -> str:
    """The language ``text`` is in: its own where it is identified with confidence, else
    ``stated`` (what its page declares), else ''."""
    other_script = _other_script(text)
    if sum(c.isalpha() for c in text) >= MIN_LETTERS or other_script:
        ranked = dict(_identifier().rank(text[:2000]))
        found = max(ranked, key=lambda code: ranked[code])
        read = sum(ranked.get(code, 0.0) for code in READ_LANGUAGES)
        if ranked[found] >= MIN_CONFIDENCE or other_script or read < MAX_READ_PROBABILITY:
            return str(found)
    return stated


def unread(language: str) -> bool:
    """Whether a claim read in ``language`` was read without understanding its words."""
    return bool(language) and language not in READ_LANGUAGES


def says_more_than_names(sentence: str) -> bool:
    """Whether a sentence holds words besides names and numbers: MIN_WORD_LETTERS letters or
    more in words that do not start with a capital (a dateline of names, "Piazza del Duomo,
    Milano, 22/10/2015", says nothing of its date to misread, whatever its language; an audit
    of this change found 19 such English captions left to the checker)."""
    if any(c.isalpha() and not c.isupper() and not c.islower() for c in sentence):
        return True  # a script without capitals (Arabic, Chinese): names cannot be told apart
    words = re.findall(r"[^\W\d_][\w'’-]*", sentence)
    return sum(len(w) for w in words if not w[0].isupper()) >= MIN_WORD_LETTERS


def name(language: str) -> str:
    """A language's name in English ("German"), for reports."""
    import pycountry

    found = pycountry.languages.get(alpha_2=language) if len(language) == 2 else None
    return found.name if found is not None else f"language {language!r}"


def scripts(text: str) -> Counter[str]:
    """How many of a text's letters each script holds ("LATIN", "CYRILLIC", "ARABIC"...)."""
    return Counter(unicodedata.name(c, "?").split()[0] for c in text if c.isalpha())


def _other_script(text: str) -> bool:
    """Whether most letters are not Latin (a short Cyrillic or Arabic text is identified)."""
    letters = scripts(text)
    return letters["LATIN"] * 2 < letters.total()


@functools.cache
def _identifier() -> Any:  # noqa: ANN401 (py3langid is untyped)
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(CANDIDATES)
    return identifier
