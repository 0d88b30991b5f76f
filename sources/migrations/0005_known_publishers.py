"""The publisher registry's starting rows: the outlets the samples name and the wire services.

Facts only, each row with where it comes from (the organisation's own "about" pages and
statutes as summarised in their Wikipedia articles, read 2025). Reliability stays F ("cannot
be judged") everywhere: grading is for leads. Rows are created or completed by name, so the
migration is idempotent and never overwrites what a lead already set: aliases and domains
are merged, country/ownership/parent/description are filled only where empty or unknown.
Every row written gets a history record.

Ownership uses the registry's five values; where none fits exactly the choice is explained:

- Global Times — state-affiliated; published by People's Daily (its English edition was
  launched in 2009 by Huanqiu Shibao, the People's Daily tabloid). China. globaltimes.cn.
- People's Daily — state-owned; the official newspaper of the Central Committee of the
  Chinese Communist Party. China. people.com.cn.
- Central Committee of the Chinese Communist Party — recorded as state-owned: a party organ,
  not a company; in the registry's vocabulary the party-state is the owner at the top of the
  chain. China.
- The Korea Herald — private; published by Herald Corporation (Herald Media). South Korea.
  koreaherald.com. Herald Corporation — private. heraldcorp.com.
- Rare Earth Exchanges — private; a US trade newsletter/website on the rare earth industry
  (its own "about" page). rareearthexchanges.com.
- Reuters — private; the news agency of Thomson Reuters (a listed company, majority-held by
  the Thomson family's Woodbridge Company). reuters.com. Thomson Reuters — private; Canada.
- Agence France-Presse (AFP) — recorded as public_broadcaster: an autonomous body under
  French public law (statute of 10 January 1957) whose statute guarantees editorial
  independence, funded in part by the French state for its public-interest mission. It is
  neither state-owned (no shareholder; the state does not direct it) nor private;
  "public broadcaster" is the registry value for a publicly funded, statutorily independent
  outlet. France. afp.com.
- Associated Press (AP) — private: a not-for-profit cooperative owned by its member news
  organisations. United States. apnews.com, ap.org.
- Xinhua News Agency — state-owned; a ministry-level institution directly under the State
  Council of the People's Republic of China (recorded as its parent, state-owned). China.
  xinhuanet.com, news.cn.
- Kyodo News — private: a not-for-profit cooperative (general incorporated association) of
  Japanese newspapers and NHK. Japan. kyodonews.net.
- Yonhap News Agency — recorded as state-affiliated: designated the national news agency by
  the 2003 News Agency Promotion Act, largest shareholder the government-appointed News
  Agency Promotion Association, and publicly subsidised; not a public broadcaster. South
  Korea. yna.co.kr.
- Chinese state-affiliated media (unspecified) — state-affiliated; China. A registry entry for
  pages that say they republish Chinese state media without naming the outlet (the
  disclaimer of the Rare Earth Exchanges sample); `Article.republished_from` points at it.

On PostgreSQL the migration also adds a GIN (jsonb_path_ops) index on
`sources_article.fingerprint`, used to find syndication candidates at import
(workbench/search.py `fingerprint_candidates`).
"""

from django.db import migrations
from django.utils import timezone

REASON = "Registry data (sources migration 0005)"

# name, ownership, country, parent, aliases, domains, description
PUBLISHERS = [
    (
        "Central Committee of the Chinese Communist Party",
        "state_owned",
        "China",
        None,
        ["CPC Central Committee", "Central Committee of the Communist Party of China"],
        [],
        "The party organ that publishes People's Daily.",
    ),
    (
        "State Council of the People's Republic of China",
        "state_owned",
        "China",
        None,
        ["State Council", "China's State Council"],
        ["gov.cn"],
        "China's cabinet; Xinhua is a ministry-level institution under it.",
    ),
    (
        "People's Daily",
        "state_owned",
        "China",
        "Central Committee of the Chinese Communist Party",
        ["People’s Daily", "Renmin Ribao", "人民日报"],
        ["people.com.cn", "en.people.cn", "peopledaily.com.cn"],
        "Official newspaper of the Central Committee of the Chinese Communist Party.",
    ),
    (
        "Global Times",
        "state_affiliated",
        "China",
        "People's Daily",
        ["GT", "Huanqiu Shibao", "环球时报", "Global Times Online"],
        ["globaltimes.cn"],
        "English-language daily published by People's Daily (launched 2009).",
    ),
    (
        "Herald Corporation",
        "private",
        "South Korea",
        None,
        ["Herald Corp.", "Herald Media", "Herald Corp"],
        ["heraldcorp.com"],
        "Publisher of The Korea Herald.",
    ),
    (
        "The Korea Herald",
        "private",
        "South Korea",
        "Herald Corporation",
        ["Korea Herald"],
        ["koreaherald.com"],
        "English-language daily published by Herald Corporation.",
    ),
    (
        "Rare Earth Exchanges",
        "private",
        "United States",
        None,
        ["RareEarthExchanges", "Rare Earth Exchanges Forum"],
        ["rareearthexchanges.com"],
        "Trade newsletter on the rare earth industry; republishes state-media items with a "
        "disclaimer.",
    ),
    (
        "Thomson Reuters",
        "private",
        "Canada",
        None,
        ["Thomson Reuters Corporation"],
        ["thomsonreuters.com"],
        "Listed information company; owner of Reuters.",
    ),
    (
        "Reuters",
        "private",
        "United Kingdom",
        "Thomson Reuters",
        ["Reuters News"],
        ["reuters.com"],
        "International news agency of Thomson Reuters.",
    ),
    (
        "Agence France-Presse",
        "public_broadcaster",
        "France",
        None,
        ["AFP", "Agence France Presse"],
        ["afp.com"],
        "Autonomous body under French public law (1957 statute), partly state-funded; "
        "recorded as public broadcaster (see sources migration 0005).",
    ),
    (
        "Associated Press",
        "private",
        "United States",
        None,
        ["AP", "The Associated Press"],
        ["apnews.com", "ap.org"],
        "Not-for-profit cooperative owned by its member news organisations.",
    ),
    (
        "Xinhua",
        "state_owned",
        "China",
        "State Council of the People's Republic of China",
        ["Xinhua News Agency", "新华社", "Xinhuanet"],
        ["xinhuanet.com", "news.cn"],
        "China's state news agency, a ministry-level institution under the State Council.",
    ),
    (
        "Kyodo News",
        "private",
        "Japan",
        None,
        ["Kyodo", "共同通信"],
        ["kyodonews.net", "kyodonews.jp"],
        "Not-for-profit cooperative news agency of Japanese newspapers and NHK.",
    ),
    (
        "Yonhap",
        "state_affiliated",
        "South Korea",
        None,
        ["Yonhap News Agency", "연합뉴스"],
        ["yna.co.kr"],
        "National news agency designated by the 2003 News Agency Promotion Act; largest "
        "shareholder the government-appointed News Agency Promotion Association.",
    ),
    (
        "Chinese state-affiliated media (unspecified)",
        "state_affiliated",
        "China",
        None,
        ["Chinese state media", "Chinese state-affiliated media"],
        [],
        "Origin named by pages that republish Chinese state media without naming the outlet.",
    ),
]


def _merge(existing: list, new: list) -> list:
    seen = {str(v).casefold() for v in existing}
    return [*existing, *(v for v in new if v.casefold() not in seen)]


def load(apps, schema_editor):
    Publisher = apps.get_model("sources", "Publisher")
    History = apps.get_model("sources", "HistoricalPublisher")
    by_name = {}
    for name, ownership, country, parent, aliases, domains, description in PUBLISHERS:
        publisher = Publisher.objects.filter(name=name).first()
        created = publisher is None
        if created:
            publisher = Publisher(name=name, ownership=ownership, reliability="F")
        before = (
            publisher.ownership,
            publisher.country,
            publisher.parent_id,
            list(publisher.aliases or []),
            list(publisher.domains or []),
            publisher.description,
        )
        if publisher.ownership == "unknown":
            publisher.ownership = ownership
        publisher.country = publisher.country or country
        if parent and publisher.parent_id is None:
            publisher.parent = by_name[parent]
        publisher.aliases = _merge(list(publisher.aliases or []), aliases)
        publisher.domains = _merge(list(publisher.domains or []), domains)
        publisher.description = publisher.description or description
        after = (
            publisher.ownership,
            publisher.country,
            publisher.parent_id,
            publisher.aliases,
            publisher.domains,
            publisher.description,
        )
        if created or before != after:
            publisher.save()
            History.objects.create(
                id=publisher.pk,
                name=publisher.name,
                aliases=publisher.aliases,
                domains=publisher.domains,
                country=publisher.country,
                ownership=publisher.ownership,
                parent_id=publisher.parent_id,
                reliability=publisher.reliability,
                description=publisher.description,
                created_at=publisher.created_at,
                updated_at=publisher.updated_at,
                history_date=timezone.now(),
                history_type="+" if created else "~",
                history_change_reason=REASON,
            )
        by_name[name] = publisher


def gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS article_fingerprint_gin ON sources_article "
            "USING gin (fingerprint jsonb_path_ops)"
        )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_fingerprint_gin")


class Migration(migrations.Migration):
    dependencies = [("sources", "0004_import_files_and_syndication")]

    operations = [
        # Data only: unapplying leaves the rows to the leads who may have graded them.
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(gin_index, drop_gin_index),
    ]
