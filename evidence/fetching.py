"""Fetch an evidence URL safely and read it: the body, and its text and metadata.

The request goes through the outbound guard (workbench.outbound: public addresses only,
resolved once and pinned, every redirect hop checked); redirects are followed up to
EVIDENCE_MAX_REDIRECTS. Each read waits at most EVIDENCE_TIMEOUT_SECONDS and the whole
fetch at most twice that (a server dripping a byte a second gets nowhere); a body larger
than EVIDENCE_MAX_BYTES — by its Content-Length or as it streams — is not kept. HTML, PDF
and plain text are captured; another content type is refused, naming it.

The text and metadata are read the way HTML import reads a page (sources.ingest.html
`decode_html` and `extract_page`: trafilatura), so a page's title, site name, author and
date mean the same in a capture as in an imported article. Plain text is decoded as an
uploaded .txt is (sources.ingest.decode). A PDF's text and its document information (title,
author, creation date) are read with pypdf, the first EVIDENCE_PDF_MAX_PAGES pages; a PDF
pypdf cannot read (damaged, encrypted, or pictures of text with no text layer) is kept as
bytes with no text, so its excerpt says so instead of "not found".
"""

from __future__ import annotations

import hashlib
import io
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from django.conf import settings
from django.utils import timezone

from sources.ingest.decode import decode_bytes
from sources.ingest.html import decode_html, extract_page
from sources.ingest.types import IngestError
from workbench import outbound

logger = logging.getLogger(__name__)

USER_AGENT = "claim-workbench-evidence/1"
PURPOSE = "evidence captures"
# The media types captured, and how each is read.
CAPTURED_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "application/pdf": "pdf",
}
# The response headers worth keeping with a capture (what it was, when it changed, who served).
KEPT_HEADERS = (
    "content-type",
    "content-length",
    "content-language",
    "last-modified",
    "etag",
    "date",
    "server",
    "cache-control",
    "link",
    "x-robots-tag",
)


@dataclass
class Fetched:
    """What fetching a URL gave: the answer and its body, or the reason there is none."""

    requested_url: str
    retrieved_at: datetime
    final_url: str = ""
    redirects: list[str] = field(default_factory=list)
    status_code: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = ""
    body: bytes = b""
    error: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest() if self.body and not self.error else ""

    @property
    def kind(self) -> str:
        return CAPTURED_TYPES.get(self.content_type, "")


@dataclass
class Extracted:
    """The text and metadata read from a body (empty when it has none)."""

    text: str = ""
    title: str = ""
    site_name: str = ""
    author: str = ""
    published: str = ""
    error: str = ""


def fetch(url: str) -> Fetched:
    """GET `url` through the outbound guard, following checked redirects, within the limits."""
    fetched = Fetched(requested_url=url, retrieved_at=timezone.now())
    timeout = settings.EVIDENCE_TIMEOUT_SECONDS
    limit = settings.EVIDENCE_MAX_BYTES
    deadline = time.monotonic() + 2 * timeout
    try:
        with (
            outbound.client(
                timeout=timeout,
                purpose=PURPOSE,
                follow_redirects=True,
                max_redirects=settings.EVIDENCE_MAX_REDIRECTS,
                headers={
                    "user-agent": USER_AGENT,
                    "accept": "text/html,application/xhtml+xml,application/pdf,text/plain;q=0.9",
                },
            ) as client,
            client.stream("GET", url) as response,
        ):
            fetched.final_url = str(response.url)
            fetched.redirects = [str(r.url) for r in response.history]
            fetched.status_code = response.status_code
            fetched.headers = {
                name: response.headers[name] for name in KEPT_HEADERS if name in response.headers
            }
            fetched.content_type = media_type(response.headers.get("content-type", ""))
            if response.status_code >= 400:
                fetched.error = f"the page answered {response.status_code}"
                return fetched
            if fetched.kind == "":
                fetched.error = (
                    f"content type {fetched.content_type or 'none'!r} is not captured "
                    "(HTML, PDF and plain text are)"
                )
                return fetched
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                fetched.error = f"the page is larger than {limit:,} bytes ({int(declared):,})"
                return fetched
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    fetched.error = f"the page is larger than {limit:,} bytes"
                    return fetched
                if time.monotonic() > deadline:
                    fetched.error = f"the page took longer than {2 * timeout:g} s to arrive"
                    return fetched
                chunks.append(chunk)
            fetched.body = b"".join(chunks)
            if not fetched.body:
                fetched.error = "the page is empty"
    except outbound.URLRefused as exc:
        fetched.error = f"refused: {exc}"
    except httpx.TooManyRedirects:
        fetched.error = f"more than {settings.EVIDENCE_MAX_REDIRECTS} redirects"
    except httpx.TimeoutException:
        fetched.error = f"no answer within {timeout:g} s"
    except httpx.HTTPError as exc:
        fetched.error = f"{type(exc).__name__}: {exc}"
    return fetched


def media_type(content_type: str) -> str:
    """The media type of a Content-Type header, lower case, without its parameters."""
    return content_type.split(";", 1)[0].strip().lower()


def extract(fetched: Fetched) -> Extracted:
    """Read the text and metadata of a fetched body as HTML import reads a page."""
    if fetched.error or not fetched.body:
        return Extracted()
    name = fetched.final_url or fetched.requested_url
    try:
        if fetched.kind == "html":
            html, _ = decode_html(fetched.body, name=name)
            text, meta = extract_page(html, name=name)
            return Extracted(
                text=text,
                title=meta["title"][:500],
                site_name=meta["sitename"][:200],
                author=meta["author"][:500],
                published=meta["date"][:40],
            )
        if fetched.kind == "text":
            text, _ = decode_bytes(fetched.body, name=name)
            return Extracted(text=text)
        if fetched.kind == "pdf":
            return extract_pdf(fetched.body, name=name)
    except IngestError as exc:
        return Extracted(error=str(exc))
    return Extracted()


def extract_pdf(body: bytes, *, name: str) -> Extracted:
    """A PDF's text (page after page, a blank line between) and its document information.

    Nothing raised: a PDF that cannot be read gives no text (the capture keeps its bytes).
    """
    import pypdf  # loaded only when a PDF is captured

    limit = getattr(settings, "EVIDENCE_PDF_MAX_PAGES", 200)
    try:
        reader = pypdf.PdfReader(io.BytesIO(body))
        if reader.is_encrypted:
            return Extracted()
        pages = [page.extract_text() or "" for page in reader.pages[:limit]]
        info = reader.metadata or {}
        created = info.get("/CreationDate") or ""
        published = ""
        if isinstance(created, str) and created.startswith("D:") and len(created) >= 10:
            published = f"{created[2:6]}-{created[6:8]}-{created[8:10]}"
        return Extracted(
            text="\n\n".join(text.strip() for text in pages if text.strip()),
            title=str(info.get("/Title") or "")[:500],
            author=str(info.get("/Author") or "")[:500],
            published=published,
        )
    except Exception:  # pypdf raises many kinds on damaged files; the bytes are kept anyway
        logger.info("PDF text of %s could not be read", name, exc_info=True)
        return Extracted()
