"""The publisher registry: domains, names, auto-created sites, and the registry files loader."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from sources.ingest.domains import registrable_domain
from sources.models import Ownership, Publisher, PublisherKind
from sources.registry import PublisherRegistry, is_placeholder, name_key
from tests.factories import PublisherFactory


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://lite.example-news.com/a/b?c=1", "example-news.com"),
        ("amp.example-news.com", "example-news.com"),
        ("https://m.example-news.co.uk/x", "example-news.co.uk"),
        ("in.example-news.com:8443/path", "example-news.com"),
        ("HTTPS://WWW.Example-News.COM./x", "example-news.com"),
        ("fr.example-news.com", "example-news.com"),
        ("foo.blogspot.com", "foo.blogspot.com"),
        ("https://bar.blogspot.com/2025/01/post.html", "bar.blogspot.com"),
        ("author", ""),
        ("", ""),
    ],
)
def test_registrable_domain(value, expected):
    assert registrable_domain(value) == expected


def test_blogspot_sites_are_separate_publishers():
    assert registrable_domain("foo.blogspot.com") != registrable_domain("bar.blogspot.com")


def test_name_key_ignores_case_punctuation_the_and_diacritics():
    assert name_key("The Korea Herald") == name_key("korea herald")
    assert name_key("Agence France–Presse") == name_key("agence france presse")
    assert name_key("Rádio Nacional") == name_key("radio nacional")
    assert name_key("People’s Daily") == name_key("Peoples Daily")


@pytest.mark.parametrize(
    "value", ["", "  ", "author", "Admin", "STAFF", "Unknown", "n/a", "Publisher:", "www.x.com",
              "https://x.example.org/a", "by"],
)  # fmt: skip
def test_placeholders(value):
    assert is_placeholder(value)


@pytest.mark.django_db
class TestRegistry:
    def test_at_least_600_publishers_after_migrate(self):
        assert Publisher.objects.count() >= 600
        assert Publisher.objects.filter(kind=PublisherKind.AGENCY).count() >= 30

    def test_finds_by_name_alias_and_url(self):
        r = PublisherRegistry.load()
        gt = Publisher.objects.get(name="Global Times")
        assert r.by_name("the global times") == gt
        assert r.by_url("https://www.globaltimes.cn/page/202501/1.shtml") == gt
        assert r.by_name("AFP").name == "Agence France-Presse"
        assert r.by_url("https://bernama.com/lite/news.php?id=1").name == "Bernama"
        assert r.by_url("https://secure.northernminer.com/news/x").name == "The Northern Miner"
        assert r.find(name="author", url="https://www.mining.com/?p=1").name == "MINING.COM"

    def test_mentioned_in_gives_spans(self):
        r = PublisherRegistry.load()
        text = "An invented line, says Reuters, and AFP agrees."
        found = {(p.name, text[s:e]) for p, s, e in r.mentioned_in(text)}
        assert ("Reuters", "Reuters") in found
        assert ("Agence France-Presse", "AFP") in found

    @pytest.mark.parametrize(
        ("name", "chain"),
        [
            ("Global Times", ["Global Times", "People's Daily",
                              "Central Committee of the Chinese Communist Party"]),
            ("South China Morning Post", ["South China Morning Post", "Alibaba Group"]),
            ("Reuters", ["Reuters", "Thomson Reuters", "Woodbridge Company"]),
        ],
    )  # fmt: skip
    def test_ownership_chains(self, name, chain):
        r = PublisherRegistry.load()
        assert [p.name for p in r.chain(r.by_name(name))] == chain

    def test_chain_is_cycle_safe(self):
        a = Publisher.objects.create(name="Invented A")
        b = Publisher.objects.create(name="Invented B", parent=a)
        Publisher.objects.filter(pk=a.pk).update(parent=b)
        r = PublisherRegistry.load()
        assert [p.name for p in r.chain(r.by_name("Invented A"))] == ["Invented A", "Invented B"]

    def test_unless_changed_keeps_a_registry_until_a_publisher_changes(self):
        first = PublisherRegistry.unless_changed(None)
        assert PublisherRegistry.unless_changed(first) is first
        PublisherFactory(name="Invented Harbour Gazette")  # another worker's, or a lead's
        second = PublisherRegistry.unless_changed(first)
        assert second is not first
        assert second.by_name("Invented Harbour Gazette") is not None
        assert PublisherRegistry.unless_changed(second) is second

    def test_unless_changed_reloads_a_registry_that_created_a_publisher(self):
        """A publisher it created may be rolled back with its group: never used again."""
        registry = PublisherRegistry.unless_changed(None)
        with transaction.atomic():
            registry.find_or_create(name="Invented Rolled Back Post")
            transaction.set_rollback(True)
        again = PublisherRegistry.unless_changed(registry)
        assert again is not registry
        assert again.by_name("Invented Rolled Back Post") is None

    def test_find_or_create_refuses_placeholders(self):
        r = PublisherRegistry.load()
        before = Publisher.objects.count()
        for value in ["", "author", "admin", "staff", "unknown", "n/a", "Source:"]:
            assert r.find_or_create(name=value, site_name=value) is None
        assert Publisher.objects.count() == before

    def test_find_or_create_records_an_unknown_site_not_reviewed(self):
        r = PublisherRegistry.load()
        p = r.find_or_create(name="admin", url="https://invented.blogspot.com/x")
        assert (p.name, p.domains, p.reviewed) == (
            "invented.blogspot.com",
            ["invented.blogspot.com"],
            False,
        )
        assert p.ownership == Ownership.UNKNOWN
        assert p.history.count() == 1
        q = r.find_or_create(
            site_name="Invented Gazette", url="https://www.invented-gazette.example.com/a"
        )
        assert q.name == "Invented Gazette" and not q.reviewed
        assert r.find_or_create(url="https://amp.invented-gazette.example.com/b") == q
        assert r.find_or_create(url="https://other.blogspot.com/") != p


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


HEADER = "name,kind,aliases,domains,country,ownership,parent,typology,facts_source,description\n"


@pytest.mark.django_db
class TestLoadPublishers:
    def test_idempotent_and_merges(self, tmp_path):
        path = _write(
            tmp_path, "reg.csv",
            HEADER + "Invented Holding,company,,,Nowhere,private,,,https://example.org/h,\n"
            "Invented Daily,outlet,ID|The Daily Invention,invented-daily.example.com,Nowhere,"
            "private,"
            "Invented Holding,,https://example.org/d,An invented paper\n"
            "Global Times,outlet,GT Online Invented,gt-invented.example.com,,,,,,\n",
        )  # fmt: skip
        call_command("load_publishers", path, stdout=StringIO())
        d = Publisher.objects.get(name="Invented Daily")
        assert d.parent.name == "Invented Holding" and d.aliases == ["ID", "The Daily Invention"]
        gt = Publisher.objects.get(name="Global Times")
        assert "gt-invented.example.com" in gt.domains and "globaltimes.cn" in gt.domains
        assert gt.ownership == Ownership.STATE_AFFILIATED
        assert gt.history.first().history_change_reason == "Registry file reg.csv"
        count, history = Publisher.objects.count(), Publisher.history.count()
        out = StringIO()
        call_command("load_publishers", path, stdout=out)
        assert (Publisher.objects.count(), Publisher.history.count()) == (count, history)
        assert "0 publishers created, 0 changed" in out.getvalue()

    def test_json_and_jsonl(self, tmp_path):
        j = _write(
            tmp_path,
            "a.json",
            json.dumps(
                [
                    {
                        "name": "Invented Wire",
                        "kind": "agency",
                        "domains": ["invented-wire.example.com"],
                    }
                ]
            ),
        )
        jl = _write(
            tmp_path, "b.jsonl", json.dumps({"name": "Invented Wire", "aliases": ["IW"]}) + "\n"
        )
        call_command("load_publishers", j, jl, stdout=StringIO())
        w = Publisher.objects.get(name="Invented Wire")
        assert (w.kind, w.aliases, w.domains) == ("agency", ["IW"], ["invented-wire.example.com"])
        assert w.history.count() == 1

    def test_locked_fields_are_untouched_and_set_fields_not_overwritten(self, tmp_path):
        Publisher.objects.create(
            name="Invented Locked",
            country="Here",
            ownership="unknown",
            aliases=["IL"],
            locked_fields=["ownership", "aliases"],
        )
        path = _write(tmp_path, "l.csv", HEADER + "Invented Locked,,IL2,,There,private,,,,Desc\n")
        call_command("load_publishers", path, stdout=StringIO())
        p = Publisher.objects.get(name="Invented Locked")
        assert (p.ownership, p.aliases, p.country, p.description) == (
            "unknown",
            ["IL"],
            "Here",
            "Desc",
        )

    @pytest.mark.parametrize(
        ("line", "field"),
        [(",outlet,,,,,,,,", "name"), ("Invented Bad,outlet,,,,owned,,,,", "ownership"),
         ("Invented Bad,newspaper,,,,,,,,", "kind"),
         ("Invented Bad,,,not a domain,,,,,,", "domains"),
         ("Invented Bad,,,,,,,XX,,", "typology")],
    )  # fmt: skip
    def test_bad_row_names_file_row_field_and_writes_nothing(self, tmp_path, line, field):
        path = _write(tmp_path, "bad.csv", HEADER + "Invented Good,outlet,,,,,,,,\n" + line + "\n")
        count, history = Publisher.objects.count(), Publisher.history.count()
        with pytest.raises(CommandError) as err:
            call_command("load_publishers", path, stdout=StringIO())
        assert f"bad.csv: row 3: field '{field}'" in str(err.value)
        assert (Publisher.objects.count(), Publisher.history.count()) == (count, history)

    def test_state_media_matrix_rows(self):
        r = PublisherRegistry.load()
        cd = r.by_name("China Daily")
        assert "Zhōngguó Qīngnián Bào" not in cd.aliases
        assert cd.typology == "SC" and cd.ownership == Ownership.STATE_OWNED
        assert r.by_url("www.cankaoxiaoxi.com") is not None  # a URL lacking its scheme
        assert r.by_url("https://news.cgtn.com/x").name == "CGTN"


@pytest.mark.django_db
def test_a_leads_publisher_update_locks_the_changed_fields(make_user, tmp_path):
    from sources.services import publisher_update

    lead = make_user("lead1", "lead")
    p = Publisher.objects.create(name="Invented Weekly")
    publisher_update(publisher=p, by=lead, reason="checked", ownership="private", country="")
    assert Publisher.objects.get(pk=p.pk).locked_fields == ["ownership"]
    path = _write(tmp_path, "w.csv", HEADER + "Invented Weekly,,,,,state_owned,,,,\n")
    call_command("load_publishers", path, stdout=StringIO())
    assert Publisher.objects.get(pk=p.pk).ownership == "private"


@pytest.mark.django_db
def test_publisher_list_shows_not_reviewed_and_the_typology_credit(make_user, client):
    lead = make_user("lead2", "lead")
    Publisher.objects.create(name="Invented New Site", reviewed=False)
    client.force_login(lead)
    html = client.get(reverse("sources:publisher_list")).content.decode()
    assert "new — not reviewed" in html
    assert "SC — State-controlled media" in html and "State Media Monitor / ASD" in html


@pytest.mark.parametrize(
    "value, domain, address",
    [
        ("harbourpost.example", True, True),
        ("www.harbourpost.example", True, True),
        ("harbourpost.example/business/", True, True),
        ("https://harbourpost.example/a", False, True),
        ("harbourpost.example: business news", False, True),
        ("3.127.128.221", False, True),
        ("Harbour Post", False, False),
        ("Harbour Post.", False, False),
        ("harbour post.example", False, False),
        ("-bad-.example", False, False),
    ],
)
def test_one_rule_says_what_looks_like_a_domain_or_an_address(value, domain, address):
    from sources.ingest.domains import looks_like_address, looks_like_domain

    assert looks_like_domain(value) is domain
    assert looks_like_address(value) is address
