"""Provenance: whose text a page is (its origin, with evidence) and what it republishes."""

import csv
import re

import pytest

from sources.ingest.provenance import (
    PUBLISHERS_CSV,
    find_origin,
    known_names,
    state_media_origin,
    text_origin,
)
from tests.conftest import seed_path, shared_path


@pytest.mark.parametrize(
    ("text", "origin", "kind"),
    [
        (
            "Disclaimer: This item originates from state-affiliated Chinese media/entities. "
            "The claims should be verified.",
            "Chinese state-affiliated media (unspecified)",
            "republication",
        ),
        (
            "This article was originally published by Mining Weekly.",
            "Mining Weekly",
            "republication",
        ),
        ("This story first appeared in The Guardian.", "The Guardian", "republication"),
        ("Republished from Xinhua with permission.", "Xinhua", "republication"),
        (
            "This content originated from Russian state-owned media.",
            "Russian state-owned media (unspecified)",
            "republication",
        ),
        # A credit says whose text it is the same way, in the same field.
        ("Title\n\nBEIJING, March 5 (Xinhua) -- China said so.", "Xinhua", "dateline"),
    ],
)
def test_republication_statements_name_their_origin(text, origin, kind):
    name, evidence = text_origin(text)
    assert (name, evidence["kind"]) == (origin, kind)
    assert text[evidence["start"] : evidence["end"]] == evidence["text"]


@pytest.mark.parametrize(
    "text",
    ["The idea comes from a statement by the ministry.", "Officials said output rose 5 percent."],
)
def test_no_origin_when_the_page_names_nothing(text):
    assert text_origin(text) == ("", {})


def test_state_media_phrase_without_an_outlet():
    assert state_media_origin("state-affiliated Chinese media/entities") == (
        "Chinese state-affiliated media (unspecified)"
    )
    assert state_media_origin("a press release") == ""


def test_seed_001_disclaimer_names_chinese_state_media():
    from sources.ingest.pipeline import process_bytes

    processed = process_bytes(seed_path("001").read_bytes(), source_name="001.txt")
    assert processed.meta.publisher_name == "Rare Earth Exchanges"
    assert processed.meta.origin_name == "Chinese state-affiliated media (unspecified)"
    assert processed.meta.origin_evidence["kind"] == "republication"


def test_global_times_pages_republish_nothing():
    for prefix in ("000", "002", "003"):
        text = seed_path(prefix).read_text(encoding="utf-8")
        assert text_origin(text)[1].get("kind") != "republication", prefix


# --------------------------------------------------------------------------- whose text it is
# Every sample below is invented wire copy; the corpus test further down reads real pages
# from ../shared at run time.

BODY = "Officials said output of the metal rose 5 percent in the quarter."


def _origin(text: str) -> tuple[str, str, str]:
    """(origin name, the credit's exact text, kind), asserting the span is exact."""
    credit = find_origin(text)
    if credit is None:
        return "", "", ""
    ev = credit.evidence
    assert text[ev.start : ev.end] == ev.text
    return credit.name, ev.text, ev.kind


@pytest.mark.parametrize(
    ("text", "origin", "credit", "kind"),
    [
        (
            f"Ore prices climb\n\nHANOI (AP) — {BODY}\n\nMore followed.",
            "Associated Press",
            "(AP)",
            "dateline",
        ),
        (
            f"Title\n\n(Reuters) -Canada-based Miner X said it {BODY}",
            "Reuters",
            "(Reuters)",
            "dateline",
        ),
        (f"Title\n\nFeb 3 (Reuters) - {BODY}", "Reuters", "(Reuters)", "dateline"),
        (
            f"Title\n\nCHITTAGONG, May 5, 2025 (BSS/AFP) - {BODY}",
            "Agence France-Presse",
            "(BSS/AFP)",
            "dateline",
        ),
        (
            f"Title\n\nIPOH, June 9 (Bernama) -- {BODY}\n\n-- BERNAMA",
            "Bernama",
            "(Bernama)",
            "dateline",
        ),
        (
            f"Title\n\n{BODY}\n\nIt will cost more, she said.\n\n-- BERNAMA",
            "Bernama",
            "-- BERNAMA",
            "wire-credit",
        ),
        (
            f"Title\n\n{BODY}\n\n“It will cost more,” she said. — Bernama",
            "Bernama",
            "— Bernama",
            "wire-credit",
        ),
        (
            f"Title\nOSLO — {BODY}\nTalks go on.\nAgencies via Xinhua",
            "Xinhua",
            "Agencies via Xinhua",
            "wire-credit",
        ),
        (
            f"Title\nBy MARTA LINDQVIST – Associated Press\nUpdated 2 hours ago\n\nOSLO — {BODY}",
            "Associated Press",
            "Associated Press",
            "byline",
        ),
        (f"Title\nBy Jon Smith | AFP\n\n{BODY}", "Agence France-Presse", "AFP", "byline"),
        (
            f"Title\n\n{BODY}\n\nPrices rose 9 percent in the year. "
            "(Reporting by Ana Ruiz in Lima; Editing by Tom Berg)",
            "Reuters",
            "(Reporting by Ana Ruiz in Lima; Editing by Tom Berg)",
            "sign-off",
        ),
        (
            "Acme names new plant\n\nRENO, Nev., March 4, 2025 /PRNewswire/ -- Acme Metals Inc. "
            "today announced a plant.",
            "PR Newswire",
            "/PRNewswire/",
            "dateline",
        ),
        (
            f"Title\n\n{BODY}\n\n© 2024 The Associated Press. All rights reserved.",
            "Associated Press",
            "© 2024 The Associated Press",
            "copyright",
        ),
        (
            f"Title\n\n{BODY}\n\nCopyright 1995 - 2025. All rights reserved by chinadaily.com.cn",
            "China Daily",
            "Copyright 1995 - 2025. All rights reserved by chinadaily.com.cn",
            "copyright",
        ),
        (
            f"Title\nBy Kim Ha-eun\nkim.haeun@koreaherald.com\n\n{BODY}",
            "The Korea Herald",
            "kim.haeun@koreaherald.com",
            "email-domain",
        ),
        (
            f"Title\n\n{BODY} A Global Times reporter learned this on site.",
            "Global Times",
            "Global Times reporter",
            "self-reference",
        ),
        (
            f"Title\n\nTalks began. TASS reports citing the ministry.\n\n{BODY}",
            "TASS",
            "TASS reports citing the ministry.",
            "wire-credit",
        ),
        (f"Title\n\nSource: mining.com\n\n{BODY}", "MINING.COM", "mining.com", "source-field"),
        (f"Title\n\n{BODY}\n\n(source: Reuters)", "Reuters", "(source: Reuters)", "wire-credit"),
        (
            f"Title\n\n{BODY}\n\nTalks went on.\n\nThe deal is due in May.\n(Re",
            "Reuters",
            "(Re",
            "wire-credit",
        ),
        (
            "Acme builds a plant\nRENO – March 4, 2025 – Acme Metals Corp. (NYSE: ACM) announced "
            "today that it will build a plant.",
            "Acme Metals Corp.",
            "Acme Metals Corp.",
            "press-release",
        ),
    ],
)
def test_each_credit_style_names_the_origin_with_its_exact_span(text, origin, credit, kind):
    assert _origin(text) == (origin, credit, kind)


@pytest.mark.parametrize(
    ("text", "origin", "credit"),
    [
        (f"Title\n\nNew Delhi [India], March 5 (ANI): {BODY}", "Asian News International", "(ANI)"),
        (f"Title\n\nNew Delhi, Mar 5 (PTI) {BODY}", "Press Trust of India", "(PTI)"),
        (
            f"Title\nMARTA LINDQVIST, Associated Press\n\nOSLO — {BODY}",
            "Associated Press",
            "Associated Press",
        ),
        (f"Title\nBy Reuters Staff\n\n{BODY}", "Reuters", "Reuters"),
        (
            f"Title\n\n{BODY}\n\n--With assistance from Ana Ruiz.",
            "Bloomberg News",
            "--With assistance from Ana Ruiz.",
        ),
    ],
)
def test_agency_house_styles(text, origin, credit):
    assert _origin(text)[:2] == (origin, credit)


def test_a_paragraph_end_credit_says_which_paragraph():
    paras = [f"Paragraph {i} says the price rose {i} percent." for i in range(1, 6)]
    text = "\n\n".join([*paras, "Output rose again in May. (AFP)", "Stocks were flat."])
    name, evidence = text_origin(text)
    assert name == "Agence France-Presse"
    assert evidence["why"] == "from '(AFP)' at the end of paragraph 6"
    assert text[evidence["start"] : evidence["end"]] == "(AFP)"


def test_a_relay_chain_credits_its_last_agency_and_says_why():
    text = f"DHAKA, May 5 (BSS/AFP) - {BODY}"
    credit = find_origin(text)
    assert credit.name == "Agence France-Presse"
    assert "BSS relays AFP" in credit.evidence.why


@pytest.mark.parametrize(
    "text",
    [
        f"Title\n\nA miner at work, March 3, 2025. (AP Photo/Lena Park, File)\n\n{BODY}",
        f"Title\n\nA ship docks in Busan. Stringer | AFP | Getty Images\n\n{BODY}",
        f"Title\n\nA ship docks in Busan.\nCredit: AP\n\n{BODY}",
        f"Title\n\nA ship docks in Busan. Photo: Reuters\n\n{BODY}",
        f"Title\n\nThe minister speaks in Seoul on May 2. [EPA/YONHAP]\n\n{BODY}",
        f"Title\n\nA man walks past a shop in Seoul, South Korea, March 3, 2025. (AFP)\n\n{BODY}",
        f"Title\n\nThe board picked a chief executive. (CEO)\n\nExports rose. (US)\n\n{BODY}",
        f"Title\n\nSEOUL (MP) — {BODY}\n\nThe firm (REE) grew.\n\nShe is a lawmaker. (MP)",
        f"Title\n\n{BODY} The agency (AFP) said more would follow.",
        f"Title\n\nProtesters gather outside the ministry. (AFP)\n\n{BODY}",
        f"Title\n\nThe site in May.\n© Reuters/Lena Park\n\n{BODY}",
        f"Title\n\n{BODY}\n\nMore on this - The Guardian",
        f"Title\n\n{BODY} Xinhua reported that the mine reopened.",
        f"Title\n\n“It is a fine deal,” the chief executive told Mining.com.\n\n{BODY}",
        f"Bangkok: {BODY}\n\nThe ministry acted after the sanctions.",
        "",
    ],
)
def test_photo_credits_bare_tokens_and_citations_are_not_origins(text):
    assert text_origin(text) == ("", {})


def test_agency_names_come_from_the_registry_file_alone(tmp_path):
    registry = tmp_path / "publishers.csv"
    registry.write_text(
        "name,kind,aliases,domains\nExamplewire,agency,EXW,examplewire.example\n",
        encoding="utf-8",
    )
    names = known_names(registry)
    credit = find_origin(f"PORTVILLE (EXW) — {BODY}", names=names)
    assert credit is not None and credit.name == "Examplewire"
    # No second list: an agency the file does not list is no credit.
    assert find_origin(f"PARIS (AFP) — {BODY}", names=names) is None
    assert find_origin(f"Exports rose. (CEO)\n\n{BODY}", names=names) is None


def test_a_missing_registry_file_is_an_error_naming_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"missing\.csv"):
        known_names(tmp_path / "missing.csv")


def test_the_pipeline_fills_origin_and_its_evidence():
    from sources.ingest.pipeline import process_bytes

    text = f"Ore prices climb\n\nHANOI (AP) — {BODY}\n\nMore followed in the afternoon.\n"
    meta = process_bytes(text.encode(), source_name="wire.txt").meta
    assert meta.origin_name == "Associated Press"
    assert meta.origin_evidence["kind"] == "dateline"
    start, end = meta.origin_evidence["start"], meta.origin_evidence["end"]
    assert text[start:end] == "(AP)"


# --------------------------------------------------------------------------- the dev corpus

_NO_CREDIT_RE = re.compile(
    r"\bno\b[^.;]*\bcredit\b[^.;]*\bexcerpt|\bcredit\b[^.;]*\bnot in the excerpt", re.IGNORECASE
)
_ANY_KIND = frozenset({"agency", "outlet", "company", "state", "other"})


def _canonical(value: str) -> str:
    known = known_names().lookup(value, kinds=_ANY_KIND)
    return known.name if known else value.strip()


def _accepted(manifest_origin: str) -> set[str]:
    """The manifest's origin, and any agency it says the copy is credited as."""
    main = re.split(r"\s+\(", manifest_origin, maxsplit=1)[0]
    accepted = {_canonical(main)}
    credited = re.search(r"credited as '([^']+)'", manifest_origin)
    if credited:
        accepted |= {_canonical(m.group(0)) for m in known_names().agencies.finditer(credited[1])}
    return accepted


def test_corpus_wire_copies_get_their_origin_and_no_page_a_wrong_one():
    from sources.ingest.pipeline import process_bytes

    corpus = shared_path("corpus")
    assert PUBLISHERS_CSV.exists()
    with open(corpus / "manifest.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    missed, wrong = [], []
    for row in rows:
        processed = process_bytes((corpus / row["file"]).read_bytes(), source_name=row["file"])
        meta = processed.meta
        if meta.origin_name:
            ev = meta.origin_evidence
            assert processed.text[ev["start"] : ev["end"]] == ev["text"], row["file"]
            assert ev["why"], row["file"]
        got = _canonical(meta.origin_name) if meta.origin_name else ""
        if row["origin"] and not _NO_CREDIT_RE.search(row["notes"]):
            if got not in _accepted(row["origin"]):
                (wrong if got else missed).append((row["file"], row["origin"], got))
        elif got:
            # An original may be credited to itself (an agency's own dateline); nothing else.
            own = _canonical(re.split(r"\s+\(", row["outlet"], maxsplit=1)[0])
            if got != own:
                wrong.append((row["file"], row["origin"], got))
    assert not wrong, f"wrong origin: {wrong}"
    assert not missed, f"credited copies without an origin: {missed}"
