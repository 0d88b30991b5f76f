"""Tell quotes from statements and find who a sentence attributes its content to.

Rule-based on purpose: news copy marks attribution with a small set of verbs ("said",
"told", "noted", "according to" …) in a few fixed positions, and reviewers need to see
why a sentence was called a quote. The rules, in order of precedence:

1. After a closing quote mark: `"…," Wu noted.` / `“…” Kim said.` / `"…," said Kim.` /
   `"…," Gong was quoted as saying.`
2. Before a colon that opens a quote: `Kim said: “…”`.
3. A short subject (at most 12 words, appositives allowed) at the start of the sentence,
   then the verb: `Wu Chenhui, an analyst, told the Global Times that …`.
4. A reporting clause at the end: `…, experts said.` / `…, the Securities Times reported.`
5. `according to X`.
6. A sentence opening with a name that coordinates an attribution verb later:
   `Liu described … and said …`.

A speaker given by one name ("Wu") is expanded to the most recent full name of a speaker
in the same run that starts or ends with it ("Wu Chenhui"). The speaker is the person's
name when the subject holds one (`The Chairman of X, Ao Hong`
→ `Ao Hong`; `the center's director Huang Xiaowei` → `Huang Xiaowei`), otherwise its
head noun phrase (`the insider`, `experts`, `the post`). "He"/"She" resolve to the last
person named as a subject or speaker in the same run of paragraphs.

A sentence is a `quote` when it carries quoted speech — it opens with a quote mark (two
quoted words or more), or
quoted words make up at least half of it — and a speaker is found. Reported speech (`Ao
Hong said he hoped …`, even with a quoted fragment) is a `statement` with a speaker. A
sentence entirely inside quote marks with no attribution of its own is a quote by the
speaker of the sentence right before it (the speaker carries over one sentence only).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sources.ingest.kinds import SegmentKind
from sources.ingest.page import story_dateline


def _words(text: str) -> frozenset[str]:
    """Return the set of white-space separated words of a literal (keeps word lists short)."""
    return frozenset(text.split())


_VERBS = (
    r"said|says|say|told|tells|noted|notes|added|adds|stressed|stresses|urged|urges|vowed"
    r"|vows|stated|states|explained|explains|argued|argues|claimed|claims|warned|warns"
    r"|pointed out|points out|emphasi[sz]ed|emphasi[sz]es|announced|announces|insisted"
    r"|insists|reported|reports|wrote|writes|remarked|commented|observed|asserted"
    r"|acknowledged|admitted|declared|confirmed|predicted|recalled|told reporters"
    r"|was quoted as saying|is quoted as saying|were quoted as saying"
)
_ADVERBS = (
    r"(?:(?:has|have|had|also|previously|further|then|later|recently|reportedly|repeatedly"
    r"|once|earlier|publicly|separately|again|often|today|yesterday|tonight)\s+)*"
)
_NAME_WORD = r"[A-Z\u00c0-\u024f\uac00-\ud7af\u4e00-\u9fff][\w'’.-]*"
_OPEN_Q = '“"«„「'
_CLOSE_Q = '”"»“」'

# Matched right after a closing quote mark (see `_closing_quotes`).
_AFTER_QUOTE_RE = re.compile(
    rf"\s*,?\s*(?:(?P<subj>[^“”\"«»]{{1,120}}?)\s+{_ADVERBS}(?P<verb>{_VERBS})\b"
    rf"|(?P<verb2>said|says|added|noted|told|asked|wrote)\s+(?P<subj2>{_NAME_WORD}[^.;:“”\"]{{0,100}}))"
)
_COLON_RE = re.compile(
    rf"^(?P<subj>[^“”\"]{{1,120}}?)\s+{_ADVERBS}(?:{_VERBS}|asked|added)\b[^“”\"]{{0,40}}:\s*[{_OPEN_Q}]"
)
_START_RE = re.compile(rf"^(?P<subj>[^“”\"]{{1,160}}?)\s+{_ADVERBS}(?P<verb>{_VERBS})\b")
_END_RE = re.compile(
    rf",\s*(?P<subj>[^,“”\"]{{1,80}}?)\s+{_ADVERBS}(?P<verb>said|say|says|reported|reports|told"
    rf"|noted|added|wrote|believe|believes|warned|was quoted as saying|were quoted as saying)"
    rf"\b[^,“”\"]{{0,80}}$"
)
# The subject may hold initials ("the U.S. Geological Survey"): a full stop after a lone
# capital does not end it.
_ACCORDING_RE = re.compile(
    r"\baccording to\s+(?P<subj>(?:[^,.;:“”\"()]|(?<=\b[A-Z])\.){1,120})", re.IGNORECASE
)
_COORD_RE = re.compile(
    rf"^(?P<subj>He|She|They|{_NAME_WORD}(?: {_NAME_WORD}){{0,2}})\s+[a-z][^.;“”\"]{{0,200}}?"
    rf"\band\s+{_ADVERBS}(?P<verb>said|told|noted|added|stressed|urged|vowed|warned)\b"
)
_INITIAL_NAME_RE = re.compile(
    rf"^(?P<name>{_NAME_WORD}(?: {_NAME_WORD}){{0,2}})\s+(?:[a-z]+ed|[a-z]+s)\b"
)
_QUOTED_RE = re.compile(r"“[^“”]+”|\"[^\"]+\"|«[^«»]+»|„[^„“”]+[“”]|「[^「」]+」")
_FULLY_QUOTED_RE = re.compile(r"^[“\"«„「][^“\"«„「]*[”\"»“」][.!?]?$", re.DOTALL)
_TRIM_TAIL_RE = re.compile(
    r"\s+(?:published|posted|released|issued|on|in|at|from|during|when|that|which|who)\s.*$"
)
_AUXILIARIES = frozenset(
    {"will", "would", "shall", "should", "can", "could", "may", "might", "must", "is", "are"}
    | {"was", "were", "has", "have", "had", "do", "does", "did", "be", "been", "being"}
)
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})
_NOT_NAMES = _words(
    """The A An This That These Those It He She They We I Its Their His Her Our In On At For With
    By From As And But Or If When While After Before Last Next Some Many Most Other Several Such
    According Though Although However Meanwhile Also"""
)
_ORG_HINTS = _words(
    """Group Co Co. Corp Corp. Inc Inc. Ltd Ltd. Company Corporation Institute Academy Ministry
    University Agency Council Commission Bureau Association Center Centre Government Times Daily
    News Post Herald Journal Bank Office Department Committee Exchange Exchanges"""
)


def classify_sentence(sentence: str) -> tuple[str, str]:
    """Return (kind, speaker) for one sentence on its own: kind is quote or statement."""
    speaker = find_speaker(sentence)
    if speaker and _has_quoted_speech(sentence):
        return SegmentKind.QUOTE, speaker
    return SegmentKind.STATEMENT, speaker


def classify_sentences(sentences: Sequence[str]) -> list[tuple[str, str]]:
    """Return (kind, speaker) for consecutive body sentences, using the sentence before.

    Context matters for two things only: a fully quoted sentence with no attribution is a
    quote by the previous sentence's speaker, and "He"/"She" are resolved to the last
    person named in the run.
    """
    results: list[tuple[str, str]] = []
    previous_speaker = ""
    last_person = ""
    full_names: list[str] = []  # multi-word names seen as speakers, most recent last
    for sentence in sentences:
        kind, speaker = classify_sentence(sentence)
        if speaker in {"He", "She"} and last_person:
            speaker = last_person
        elif speaker and " " not in speaker:
            speaker = _full_name(speaker, full_names)
        if not speaker and previous_speaker and _FULLY_QUOTED_RE.match(sentence.strip()):
            kind, speaker = SegmentKind.QUOTE, previous_speaker
        results.append((kind, speaker))
        previous_speaker = speaker
        named = speaker if _looks_like_person(speaker) else _initial_name(sentence)
        if named:
            last_person = named
            if " " in named:
                full_names.append(named)
    return results


def _full_name(short: str, full_names: list[str]) -> str:
    """Expand a surname ("Wu") to the most recent full name it belongs to ("Wu Chenhui").

    Stories name a person in full once and by one name afterwards; the family name may
    come first (Chinese, Korean names) or last.
    """
    for name in reversed(full_names):
        parts = name.split()
        if short in (parts[0], parts[-1]):
            return name
    return short


def find_speaker(sentence: str) -> str:
    """Return who the sentence attributes its content to, or "" (rules in the module doc).

    The after-quote rule comes first only when the sentence opens with the quote; in
    reported speech with a quoted fragment the subject of the sentence is the speaker.
    """
    flat = " ".join(sentence.split())
    dateline = story_dateline(flat)
    if dateline is not None:
        flat = flat[dateline.end() :]  # "SEOUL, March 5 (Yonhap) --" names no speaker
    opens_with_quote = flat[:1] in _OPEN_Q
    rules = (_after_quote, _colon, _start, _after_quote, _end, _according, _coordinated)
    for rule in rules[0 if opens_with_quote else 1 :]:
        speaker = rule(flat)
        if speaker:
            return speaker
    return ""


def _after_quote(flat: str) -> str:
    for pos in _closing_quotes(flat):
        m = _AFTER_QUOTE_RE.match(flat, pos)
        if m:
            speaker = _speaker_from_subject(m.group("subj") or m.group("subj2") or "")
            if speaker:
                return speaker
    return ""


def _closing_quotes(flat: str) -> list[int]:
    """Return the offsets just after each closing quote mark.

    Curly and guillemet closers are unambiguous; a straight quote closes when it is the
    2nd, 4th … one in the sentence.
    """
    found = [i + 1 for i, ch in enumerate(flat) if ch in "”»」"]
    straight = [i + 1 for i, ch in enumerate(flat) if ch == '"']
    found.extend(straight[1::2])
    return sorted(found)


def _colon(flat: str) -> str:
    m = _COLON_RE.match(flat)
    return _speaker_from_subject(m.group("subj")) if m else ""


def _start(flat: str) -> str:
    m = _START_RE.match(flat)
    if not m or len(m.group("subj").split()) > 12 or not m.group("subj")[:1].isupper():
        return ""
    return "" if _is_clause(m.group("subj")) else _speaker_from_subject(m.group("subj"))


def _is_clause(subject: str) -> bool:
    """Tell whether a would-be subject is really a clause ("Prices will rise, experts").

    A subject is a noun phrase with appositives; an auxiliary or modal verb in it, or a
    name followed by a past-tense verb ("Liu described …"), means it is not.
    """
    words = subject.split(",", 1)[0].split()  # appositives may hold verbs ("who asked …")
    if any(w.lower() in _AUXILIARIES for w in words):
        return True
    return len(words) > 2 and words[0][:1].isupper() and words[1].endswith("ed")


def _end(flat: str) -> str:
    m = _END_RE.search(flat)
    if m and len(m.group("subj").split()) <= 8:
        return _speaker_from_subject(m.group("subj"))
    return ""


def _according(flat: str) -> str:
    m = _ACCORDING_RE.search(flat)
    return _speaker_from_subject(_TRIM_TAIL_RE.sub("", m.group("subj").strip())) if m else ""


def _coordinated(flat: str) -> str:
    m = _COORD_RE.match(flat)
    return m.group("subj") if m else ""


def _has_quoted_speech(sentence: str) -> bool:
    """Tell whether quoted words open the sentence or make up at least half of it."""
    stripped = sentence.strip()
    quoted = " ".join(_QUOTED_RE.findall(stripped))
    quoted_words = len(quoted.split())
    if stripped[:1] in _OPEN_Q:
        return quoted_words >= 2
    if quoted_words < 4:
        return False
    return quoted_words >= 0.5 * len(stripped.split())


def _speaker_from_subject(subject: str) -> str:
    """Pick the speaker out of a subject: a person's name if there is one, else its head."""
    subject = re.sub(r"^(?:and|but|while|as|so)\s+", "", subject.strip(" ,;:"), flags=re.I)
    subject = re.sub(r"\s+(?:previously|also|later|reportedly|further|once)$", "", subject)
    subject = re.sub(r"\s*\([^()]*\)", "", subject)  # "Acme Inc. (NASDAQ: ACMG)" → "Acme Inc."
    parts = [p.strip() for p in subject.split(",") if p.strip()]
    if not parts:
        return ""
    for part in parts:
        if _looks_like_person(part):
            return part
    head = parts[0]
    words = head.split()
    m = re.search(
        rf"(?:^|\s)(?P<lead>\S+)\s+(?P<run>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}})$", head
    )
    lead_is_role = m is not None and m.group("lead")[:1].islower()
    if lead_is_role and m.group("lead") not in {"the", "a", "an"} and _looks_like_person(m["run"]):
        return m.group("run")
    if len(words) > 10 or head[:1] in _OPEN_Q:
        return ""
    return head


def _looks_like_person(text: str) -> bool:
    """Tell whether text is a bare personal name: 1–4 capitalised words, no org words."""
    words = text.split()
    if not 1 <= len(words) <= 4 or words[0] in _NOT_NAMES:
        return False
    for word in words:
        if not re.fullmatch(_NAME_WORD, word) or word in _ORG_HINTS:
            return False
    # an acronym such as KORES names an organisation
    return not (len(words) == 1 and words[0].isupper() and len(words[0]) > 1)


def _initial_name(sentence: str) -> str:
    """Return the name a sentence opens with ("Wang congratulated …"), or ""."""
    m = _INITIAL_NAME_RE.match(sentence.strip())
    if m and _looks_like_person(m.group("name")):
        return m.group("name")
    return ""
