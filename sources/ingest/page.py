"""Find the blocks of a pasted news page and the metadata printed on it.

A page dump is what a user copies out of a browser or a CMS export: a headline, bylines,
datelines, photo captions with credits, bullet highlights, body paragraphs (sometimes
hard-wrapped), subheadings, disclaimers and widget chrome. `parse_page` labels every
non-blank stretch of the canonical text with a role so the segmenter knows what becomes a
claim, and reads the title, date, byline, publisher and language off the page.

Offsets always index the canonical text; no character is changed or dropped, so
`text[block.start:block.end]` is the exact block and never starts or ends with white space.

Rules, in the order they are applied to each line (the first that matches wins). They go
by what a line is — its shape — never by which outlet prints it:

0. A search index's date glued to the first line (" date 2024-12-03 …") is split off as
   a dateline of its own.
1. A line identical to the previous non-blank line, or repeating a header line further
   down (the headline printed twice), is a duplicate: chrome.
2. Bare section labels ("Highlights", "Related", "Latest", "Most Viewed", "References:"):
   section_label. After a link-list label a run of two or more short headline-like lines
   is a list of other stories: chrome (one such line is the page's own headline).
3. Relative timestamps ("Updated 18 minutes ago"): dateline, with no date.
4. The page's first line when it is a site's name (shaped like a name and either named
   like an outlet or printed again on the page): masthead.
5. Furniture by kind (`lines.chrome_kind`): symbol lines, breadcrumbs, widgets and boilerplate,
   counters ("12 Comments", "3 min read"), newsletter prompts, trust/about boxes, button
   labels, glued menus, section names ("Nation & World News"), contact fields, bare
   domains, bracketed notes: chrome; sign-offs ("-- BERNAMA", "Agencies via X",
   "(Reporting by …)") and photo credits ("AP Photo/…", "Stringer | AFP | Getty
   Images"): credit. Lines right after a "Media contact:" label are chrome too.
6. Bylines without "By": an all-caps name in the header, a name above the author's
   e-mail, "NAME | Outlet".
7. "Newspaper headline: X": the label is chrome, X is a newspaper_headline block.
8. Field lines starting "By …", "Source: …", "Published/Updated/Posted/Date: …" are split
   at every field label into byline / source / dateline blocks (a run-on
   "By A and B Source:Outlet Published: 2019/7/9 19:48:40" gives three blocks).
9. A line that is only a date (optionally with a weekday, time and zone): dateline.
10. A line that is only a photo credit ("Photo: VCG"): credit. A line ending in a credit
   ("… File photo: VCG", "… (Yonhap)", "… /VCG", "… [EPA/YONHAP]", "… Credit: X") is split
   into a caption and a credit; a one-sentence line ending in a place and a bare date is a
   wire photo caption.
11. A line starting with a list marker ("- ", "• ", "1. "): bullet; the marker is left out.
12. A paragraph starting "Disclaimer:", "Editor's note:", "Note:", "Correction:": disclaimer.

Then the header is labelled (`lines.label_lines`): short label lines above the headline
("Press Release", "Exhibit 99.2", a section or site name) are chrome, "Label: text" lines
and a bare name between the headline and the story are chrome and byline.

Remaining text lines are grouped into paragraphs (`paragraphs.py`: see `_is_wrap`; text
stored with a blank line after every hard-wrapped line is re-joined, `_double_spaced`) and
each paragraph gets a role from its shape and position (`_paragraph_role`): headline
(first title-like line before any content), caption (a name-only line: "Name, Title of
Org" or an organisation name), subheading (short line without final punctuation, or a
question, with story text after it), body otherwise. A credit or emoji after a
paragraph's last sentence ("… she said. — Bernama") is split off as a credit.

The publisher is only what the page's structure says (`outlets.publisher_of`), each with
its `Evidence`; which registry entry a name stands for is decided outside ingest. Title,
byline, date and language are read in `metadata.py` (dates in `dates.py`, the language in
`language.py`).

This module only assembles the `ParsedPage`: the line rules are `lines.py`, the paragraphs
`paragraphs.py`, the metadata `metadata.py`.
"""

from __future__ import annotations

from sources.ingest.lines import label_lines
from sources.ingest.metadata import read_meta
from sources.ingest.paragraphs import paragraph_blocks
from sources.ingest.types import ParsedPage


def parse_page(text: str) -> ParsedPage:
    """Split the canonical text of a page into role-labelled blocks and read its metadata."""
    lines, special = label_lines(text)
    blocks, double_spaced = paragraph_blocks(text, lines, special)
    return ParsedPage(meta=read_meta(text, blocks), blocks=blocks, double_spaced=double_spaced)
