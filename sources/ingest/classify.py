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

from sources.ingest.dates import story_dateline
from sources.ingest.kinds import SegmentKind
from sources.ingest.wordlists import word_set

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
_LEADING_NAME_CLAUSE_RE = re.compile(
    rf"^(?P<name>{_NAME_WORD}(?: {_NAME_WORD}){{0,3}})\s+{_ADVERBS}[a-z]+ed\b"
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
_NOT_NAMES = word_set(
    """The A An This That These Those It He She They We I Its Their His Her Our In On At For With
    By From As And But Or If When While After Before Last Next Some Many Most Other Several Such
    According Though Although However Meanwhile Also"""
)
_ORG_HINTS = word_set(
    """Group Co Co. Corp Corp. Inc Inc. Ltd Ltd. Company Corporation Institute Academy Ministry
    University Agency Council Commission Bureau Association Center Centre Government Times Daily
    News Post Herald Journal Bank Office Department Committee Exchange Exchanges"""
)


_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
_THING_PRONOUNS = frozenset({"it", "they", "them"})
# Words that open an adverbial, not a subject: "In a statement, the company said",
# "Earlier this week, officials said", "Following the report, …".
_ADVERBIAL_STARTS = word_set(
    """in on at for during after before since following earlier later meanwhile separately
    however also yesterday today tonight last this next when while as then now recently
    previously under amid despite with without by from to of according until upon over
    again once still moreover furthermore additionally instead overall"""
)
_TIME_WORDS = word_set(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday week weeks month months year years day days morning afternoon evening
    night weekend quarter decade today yesterday tomorrow tonight earlier later"""
)
# "according to the law" names a rule, not a source.
_NOT_SOURCES = word_set("law laws rules rule regulations regulation plan plans schedule terms")
# Titles before a person's name: "US President Donald Trump" → "Donald Trump".
_ROLE_WORDS = word_set(
    """president vice prime minister chief executive officer ceo cfo coo cto chairman chairwoman
    chair director secretary spokesperson spokesman spokeswoman senator sen. governor gov.
    mayor ambassador envoy general gen. commissioner chancellor premier founder co-founder
    head manager analyst professor rep. representative
    judge justice deputy acting chief-executive leader king queen prince minister-president
    economist researcher strategist partner editor lawyer attorney"""
)


def classify_sentence(sentence: str) -> tuple[str, str]:
    """Return (kind, speaker) for one sentence on its own: kind is quote or statement.

    A pronoun ("he said") names nobody without the sentences before it: no speaker.
    """
    kind, speaker = _classify(sentence)
    if speaker.lower() in _PERSON_PRONOUNS | _THING_PRONOUNS | _PRONOUNS:
        return SegmentKind.STATEMENT, ""
    return kind, speaker


def _classify(sentence: str) -> tuple[str, str]:
    speaker = find_speaker(sentence)
    if speaker and _has_quoted_speech(sentence):
        return SegmentKind.QUOTE, speaker
    return SegmentKind.STATEMENT, speaker


def classify_sentences(sentences: Sequence[str]) -> list[tuple[str, str]]:
    """Return (kind, speaker) for consecutive body sentences, using the sentence before.

    Context matters for two things only: a fully quoted sentence with no attribution is a
    quote by the previous sentence's speaker, and pronouns are resolved — "he"/"she"/"him"
    to the last person named in the run, "it"/"they" to the last organisation or group
    that spoke; a pronoun with nobody to stand for gives no speaker.
    """
    results: list[tuple[str, str]] = []
    previous_speaker = ""
    last_person = ""
    last_group = ""
    full_names: list[str] = []  # multi-word names seen as speakers, most recent last
    for sentence in sentences:
        kind, speaker = _classify(sentence)
        pronoun = speaker.lower()
        if pronoun in _PERSON_PRONOUNS:
            speaker = last_person
        elif pronoun in {"they", "them"}:
            speaker = previous_speaker or last_group
        elif pronoun in _THING_PRONOUNS:
            before = previous_speaker if not _looks_like_person(previous_speaker) else ""
            speaker = before or last_group
        elif pronoun in _PRONOUNS:
            speaker = ""
        elif speaker and " " not in speaker:
            speaker = _full_name(speaker, full_names)
        if not speaker:
            kind = SegmentKind.STATEMENT
        if not speaker and previous_speaker and _FULLY_QUOTED_RE.match(sentence.strip()):
            kind, speaker = SegmentKind.QUOTE, previous_speaker
        results.append((kind, speaker))
        previous_speaker = speaker
        named = speaker if _looks_like_person(speaker) else _initial_name(sentence)
        if speaker and not _looks_like_person(speaker):
            last_group = speaker
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
    flat = re.sub(r"^[A-Z][A-Za-z .'’-]{1,30}:\s+(?=[A-Z])", "", flat)  # "MOSCOW: …", "Bangkok: …"
    for rule in rules[0 if opens_with_quote else 1 :]:
        speaker = _tidy_speaker(rule(flat))
        if speaker:
            return speaker
    return ""


def _tidy_speaker(speaker: str) -> str:
    """Return the speaker as a person's or organisation's name, or "" for a non-speaker.

    A time or place adverbial ("In August", "Earlier this week"), a lone determiner, a
    phrase starting lowercase that is no noun phrase ("to ship them out"), or a rule
    ("the law") is no speaker; titles before a name are left off ("US President Donald
    Trump" → "Donald Trump"). Pronouns pass through for `classify_sentences` to resolve.
    """
    speaker = speaker.strip(" ,;:")
    if not speaker:
        return ""
    words = speaker.split()
    first = words[0].lower()
    if first in _PERSON_PRONOUNS | _THING_PRONOUNS | _PRONOUNS and len(words) == 1:
        return speaker
    if _is_adverbial(speaker):
        return ""
    if first in {"the", "a", "an", "this", "that", "these", "those"} and len(words) == 1:
        return ""
    lowercase_phrase = speaker[:1].islower() and not any(w[:1].isupper() for w in words)
    if lowercase_phrase and first not in _DETERMINER_STARTS:
        return ""
    if words[-1].lower() in _NOT_SOURCES and len(words) <= 3:
        return ""
    if len(words) >= 2 and words[-1].islower() and words[-1].endswith("ed"):
        return ""  # "US officials denied (reports …)": a clause, the verb was a noun
    return _without_title(speaker)


_DETERMINER_STARTS = word_set(
    """the a an some many most several two three four five few all both its their his her our
    one experts analysts officials sources observers economists traders investors critics
    residents people insiders"""
)
_SUBJECT_STARTS = _DETERMINER_STARTS | _PERSON_PRONOUNS | _THING_PRONOUNS | _PRONOUNS


def _is_adverbial(phrase: str) -> bool:
    """Tell whether a phrase is an adverbial of time, place or manner, not a subject."""
    words = phrase.split()
    first = words[0].lower().strip(",")
    if first in _ADVERBIAL_STARTS or first[:1].isdigit():
        return True
    return first in _TIME_WORDS or all(w.lower().strip(",.") in _TIME_WORDS for w in words)


def _without_title(speaker: str) -> str:
    """Drop the titles before a person's name: "REalloys CEO Lipi Mainheim" → "Lipi Mainheim"."""
    words = speaker.split()
    roles = [i for i, w in enumerate(words) if w.lower().strip(",") in _ROLE_WORDS]
    if not roles:
        return speaker
    name = " ".join(words[roles[-1] + 1 :])
    if 2 <= len(name.split()) <= 3 and _looks_like_person(name):
        return name
    return speaker


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
    if flat[m.end() :].lstrip().startswith("by "):
        return ""  # "The regulations announced by the ministry require …": passive, no speaker
    last = m.group("subj").split()[-1]
    if last.islower() and last.endswith("ed"):
        return ""  # "Officials denied reports that …": the verb is "denied", "reports" a noun
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
        # "…, Kirill Dmitriev, head of the fund, told Izvestia.": the name before the role
        named = _APPOSITIVE_NAME_RE.search(flat, 0, m.start("subj"))
        if named is not None and _looks_like_person(named.group("name")):
            return named.group("name")
        return _speaker_from_subject(m.group("subj"))
    m = _END_APPOSITIVE_RE.search(flat)
    if m and _looks_like_person(m.group("name")):
        return m.group("name")
    return ""


# "…, Kirill Dmitriev, head of the fund, told Izvestia.": name, role, then the verb.
_END_APPOSITIVE_RE = re.compile(
    rf",\s*(?P<name>{_NAME_WORD}(?: {_NAME_WORD}){{1,3}}),\s*[^,“”\"]{{1,100}},\s*{_ADVERBS}"
    r"(?:said|says|told|noted|added|wrote|warned|was quoted as saying)\b[^,“”\"]{0,80}$"
)
_APPOSITIVE_NAME_RE = re.compile(rf",\s*(?P<name>{_NAME_WORD}(?: {_NAME_WORD}){{1,3}}),\s*$")


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
    if len(parts) > 1 and parts[-1].lower() in _PERSON_PRONOUNS | _THING_PRONOUNS:
        return parts[-1]  # "Washington, he said, is …": the pronoun is the subject
    parts = [p for p in parts if not _is_adverbial(p)] or []
    parts = [
        p
        for p in parts
        if p[:1].isupper()
        or p.split()[0].lower() in _SUBJECT_STARTS
        or any(w[:1].isupper() for w in p.split()[1:])  # "union leader Ann Kim"
    ]
    if not parts:
        return ""
    for part in parts:
        if _looks_like_person(part):
            return part
    head = parts[0]
    if len(parts) >= 2 and len(head.split()) >= 5 and len(parts[-1].split()) <= 5:
        head = parts[-1]  # "Prices rose for a fifth week, traders said": the subject is last
    clause = _LEADING_NAME_CLAUSE_RE.match(head)
    if clause is not None and len(head.split()) > len(clause.group("name").split()) + 2:
        return clause.group("name")  # "Trump later reiterated to reporters he was …"
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
