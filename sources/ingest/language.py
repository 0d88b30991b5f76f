"""Guess a page's language from its script, and Latin-script text by its common words.

Plain Python, no Django. Hand-written rather than a language-identification library: the
page only needs a short code for its metadata, and the scripts and a handful of stopwords
decide it without a model to load.
"""

from __future__ import annotations

import re

from sources.ingest.wordlists import word_set

_SCRIPTS = (
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
    ("latin", re.compile(r"[\u00c0-\u024f]")),
)
_ASCII_RE = re.compile(r"[\x00-\x7f]+")
_NOT_ASCII_LETTER_RE = re.compile(r"[^A-Za-z]+")
_STOPWORDS = {
    "en": word_set("the and of to in is that for with was on are said by has"),
    "fr": word_set("le la les des et est une dans pour que qui sur du au"),
    "de": word_set("der die das und ist nicht mit von den ein eine für auf dem"),
    "es": word_set("el la los las y es una por que con para del se al"),
    "pt": word_set("o a os as e é uma por que com para do da em não"),
    "it": word_set("il lo la gli le e è una per che con del della di non"),
    "nl": word_set("de het een en is van dat niet met voor op zijn"),
}


# A language tag as pages and spreadsheets write it: "en", "ko", "pt-BR", "zh-Hant-TW", "en_GB".
_LANGUAGE_CODE_RE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}$")


def is_language_code(value: str) -> bool:
    """Tell whether a value is a language tag (a page's `lang`, a manifest's `language`)."""
    return bool(_LANGUAGE_CODE_RE.match(value or ""))


def guess_language(text: str) -> str:
    """Guess the language from the dominant script; Latin script is told apart by stopwords.

    Japanese wins over Chinese as soon as kana make up a tenth of the CJK letters (Japanese
    mixes kanji and kana). Latin text defaults to "en" unless another language's common
    words clearly outnumber English ones. Empty or letterless text gives "".
    """
    sample = text[:6000]
    # Most pages are ASCII: count its letters with one C-level pass, and run the per-script
    # patterns only over the (usually tiny) non-ASCII rest.
    rest = _ASCII_RE.sub("", sample)
    counts = {code: len(rx.findall(rest)) for code, rx in _SCRIPTS}
    counts["latin"] += len(_NOT_ASCII_LETTER_RE.sub("", sample))
    if counts["ja"] and counts["ja"] >= 0.1 * (counts["ja"] + counts["zh"]):
        counts["ja"] += counts["zh"]
        counts["zh"] = 0
    code, count = max(counts.items(), key=lambda item: item[1])
    if count == 0:
        return ""
    if code != "latin":
        return code
    words = re.findall(r"[a-zà-ÿ]+", sample[:2000].lower())
    votes = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    best = max(votes, key=lambda lang: votes[lang])
    return best if votes[best] > 1.5 * votes["en"] + 2 else "en"
