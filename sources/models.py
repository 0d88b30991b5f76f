"""Publishers, articles and the imports that bring articles in."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from sources.ingest.archive import shown_name, shown_text


class Ownership(models.TextChoices):
    STATE_OWNED = "state_owned", "State-owned"
    STATE_AFFILIATED = "state_affiliated", "State-affiliated"
    PRIVATE = "private", "Private"
    PUBLIC_BROADCASTER = "public_broadcaster", "Public broadcaster"
    UNKNOWN = "unknown", "Unknown"


class Reliability(models.TextChoices):
    """Admiralty source-reliability grades."""

    A = "A", "A — Completely reliable"
    B = "B", "B — Usually reliable"
    C = "C", "C — Fairly reliable"
    D = "D", "D — Not usually reliable"
    E = "E", "E — Unreliable"
    F = "F", "F — Reliability cannot be judged"


class PublisherKind(models.TextChoices):
    OUTLET = "outlet", "News outlet"
    AGENCY = "agency", "News agency (wire)"
    COMPANY = "company", "Media company or owner"
    STATE = "state", "State or party body"
    OTHER = "other", "Other site"


class Typology(models.TextChoices):
    """State Media Monitor typology codes (Media and Journalism Research Center), as its labels."""

    SC = "SC", "SC — State-controlled media"
    CAPU = "CaPu", "CaPu — Captured public/state-managed media"
    CAPR = "CaPr", "CaPr — Captured private media"
    ISFM = "ISFM", "ISFM — Independent state-funded and state-managed media"
    ISF = "ISF", "ISF — Independent state-funded media"
    ISM = "ISM", "ISM — Independent state-managed media"
    IP = "IP", "IP — Independent public media"


class PublisherQuerySet(models.QuerySet):
    def for_registry(self):
        """Publishers with their parent, for the registry list."""
        return self.select_related("parent").order_by("name")


class Publisher(models.Model):
    name = models.CharField(max_length=200, unique=True)
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other names the outlet goes by (list of strings)."
    )
    domains = models.JSONField(
        default=list, blank=True, help_text="Web domains of the outlet, e.g. globaltimes.cn."
    )
    country = models.CharField(max_length=100, blank=True)
    ownership = models.CharField(
        max_length=20, choices=Ownership.choices, default=Ownership.UNKNOWN
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The organisation that owns or publishes this outlet.",
    )
    reliability = models.CharField(max_length=1, choices=Reliability.choices, default=Reliability.F)
    description = models.TextField(blank=True)
    kind = models.CharField(
        max_length=10, choices=PublisherKind.choices, default=PublisherKind.OUTLET
    )
    typology = models.CharField(
        max_length=4,
        choices=Typology.choices,
        blank=True,
        help_text="State Media Monitor typology code (data: State Media Monitor / ASD).",
    )
    facts_source = models.CharField(
        max_length=500,
        blank=True,
        help_text="Where the ownership facts come from (URL or citation).",
    )
    reviewed = models.BooleanField(
        default=True,
        help_text=(
            "False for a publisher created automatically from an unknown site: new — not reviewed."
        ),
    )
    locked_fields = models.JSONField(
        default=list,
        blank=True,
        help_text="Fields a lead set by hand; registry loads never overwrite them.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = PublisherQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sources:publisher_detail", args=[self.pk])

    def owner_chain(self) -> list["Publisher"]:
        """Return this publisher and its owners up to the ultimate owner (cycle-safe)."""
        chain: list[Publisher] = []
        seen: set[int] = set()
        node: Publisher | None = self
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ImportBatch(models.Model):
    """One import run: files from the command line or an upload."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    origin = models.CharField(max_length=20, default="cli")  # "cli", "upload", "demo"
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    default_publisher = models.ForeignKey(
        Publisher, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_published = models.DateTimeField(null=True, blank=True)
    # What the importer should hear though nothing was refused: a zip's manifest columns
    # that were ignored (sources/ingest/manifest.py Manifest.notice()).
    notices = models.JSONField(default=list, blank=True)
    # The ids of the tasks enqueued to process it, as the tasks framework knows them
    # (imports/tasks.py); imports/progress.py asks it about them.
    task_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"
        permissions = [("import_articles", "Can import articles")]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.created_at:%Y-%m-%d %H:%M})"


class ImportOutcome(models.TextChoices):
    PENDING = "pending", "Pending"
    IMPORTED = "imported", "Imported"
    DUPLICATE = "duplicate", "Duplicate"
    REJECTED = "rejected", "Rejected"


class ImportFile(models.Model):
    """What happened to one file of a batch."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=500)
    size = models.PositiveBigIntegerField(default=0)
    outcome = models.CharField(
        max_length=10, choices=ImportOutcome.choices, default=ImportOutcome.PENDING
    )
    reason = models.TextField(blank=True)
    article = models.ForeignKey(
        "Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="import_files"
    )
    claims_created = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Uploaded bytes live in the database so a worker on any machine can process the file;
    # they are dropped once the file has an outcome.
    content = models.BinaryField(null=True, blank=True, editable=False)
    content_type = models.CharField(max_length=20, blank=True, help_text="txt, html …")
    duplicate_of = models.ForeignKey(
        "Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The manifest row's values for this file (url, publisher, published, byline, title,
    # language): they win over what the page says (sources/ingest/manifest.py).
    manifest = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=200, blank=True, help_text="Worker processing it.")
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "pk"]
        indexes = [models.Index(fields=["batch", "outcome"])]

    def __str__(self) -> str:
        return f"{self.name}: {self.outcome}"

    @property
    def file_name(self) -> str:
        """Its name as pages show it: no directories of the server's disk (the CSV keeps them)."""
        return shown_name(self.name)

    @property
    def shown_reason(self) -> str:
        """Why it was refused, naming the file as `file_name` does."""
        return shown_text(self.reason, self.name)


# What a lead may correct of an imported article (sources.services.article_update); the texts
# never change. Changing who it comes from (`ARTICLE_SOURCE_FIELDS`) re-judges its evidence.
ARTICLE_METADATA_FIELDS = (
    "title",
    "publisher",
    "origin",
    "url",
    "published_at",
    "byline",
    "language",
)
ARTICLE_SOURCE_FIELDS = ("publisher", "origin", "url")
# Article.publisher_evidence / origin_evidence["kind"] when a lead set the value by hand.
LEAD_EVIDENCE = "lead"
# What an article carries besides its metadata: the texts, the saved HTML page, the repairs and
# the shingle sketch. They never change, so history leaves them out, and no page that lists or
# joins articles loads them (`ArticleQuerySet.without_bodies`, `article_body_fields`).
ARTICLE_BODY_FIELDS = ("text", "received_text", "repairs", "original_html", "fingerprint")


def article_body_fields(prefix: str = "", *, keep: tuple[str, ...] = ()) -> list[str]:
    """Name the body fields to `defer()`, reached through `prefix` (e.g. "article__").

    For querysets of other models that join articles; `keep` names the bodies still needed.
    """
    unknown = set(keep) - set(ARTICLE_BODY_FIELDS)
    if unknown:
        raise ValueError(f"not article body fields: {', '.join(sorted(unknown))}")
    return [f"{prefix}{name}" for name in ARTICLE_BODY_FIELDS if name not in keep]


class ArticleQuerySet(models.QuerySet):
    def without_bodies(self, *, keep: tuple[str, ...] = ()):
        """Articles without their texts, saved page and sketch (`keep` names those needed)."""
        return self.defer(*article_body_fields(keep=keep))

    def for_list(self):
        """Articles as a list shows them: metadata and publisher, no bodies."""
        return self.select_related("publisher").without_bodies()

    def for_detail(self):
        """One article for its page: text and repairs, publisher and owner, origin."""
        return self.select_related("publisher__parent", "origin").without_bodies(
            keep=("text", "repairs")
        )

    def in_cluster(self, origin_id: int):
        """The articles of the syndication cluster whose origin is `origin_id`, origin included."""
        return self.filter(models.Q(cluster_origin_id=origin_id) | models.Q(pk=origin_id))


class Article(models.Model):
    """One imported document. `text` never changes: every claim points into it."""

    publisher = models.ForeignKey(
        Publisher, null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    title = models.CharField(max_length=1000, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_raw = models.CharField(
        max_length=200, blank=True, help_text="The date exactly as the page printed it."
    )
    byline = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=16, blank=True)
    text = models.TextField(help_text="Canonical text (after repairs); claims index into it.")
    received_text = models.TextField(help_text="The text as received, before repairs.")
    encoding = models.CharField(max_length=40, blank=True)
    repairs = models.JSONField(
        default=list, blank=True, help_text="Repairs applied, with positions in both texts."
    )
    source_name = models.CharField(max_length=500, blank=True, help_text="File it came from.")
    sha256 = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the text.")
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    original_html = models.TextField(blank=True, help_text="The HTML page it was extracted from.")
    # Syndication (issue: independent corroboration): near-copies share a cluster whose
    # origin is the earliest article; `fingerprint` is the text's bottom-k shingle sketch.
    fingerprint = models.JSONField(default=list, blank=True, editable=False)
    cluster_origin = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cluster_copies",
        help_text="The earliest article of its syndication cluster (itself for the origin).",
    )
    # Publisher = who put the page online; origin = whose text it is (a wire agency for a
    # wire copy, the publisher itself for its own reporting, the outlet a page says it
    # republishes: evidence kind "republication"). Each keeps its evidence:
    # {"kind": ..., "field" or "start"/"end": ..., "text": ..., "why": ...}.
    publisher_evidence = models.JSONField(default=dict, blank=True)
    origin = models.ForeignKey(
        Publisher,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="originated_articles",
        help_text="Whose text it is (e.g. AFP for an AFP wire copy on another site).",
    )
    origin_evidence = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The texts never change, so history keeps only the metadata (and stays small).
    history = HistoricalRecords(excluded_fields=list(ARTICLE_BODY_FIELDS))
    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["publisher", "published_at"])]

    def __str__(self) -> str:
        return self.title or self.file_name or f"Article {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("sources:article_detail", args=[self.pk])

    @property
    def file_name(self) -> str:
        """The file it came from as pages show it: no directories of the server's disk."""
        return shown_name(self.source_name)

    @property
    def republishes(self) -> Publisher | None:
        """The origin when the page says it republishes it ("originally published by X",
        a state-media disclaimer), else None: the origin's evidence says which it is."""
        if self.origin_id is None or (self.origin_evidence or {}).get("kind") != "republication":
            return None
        return self.origin
