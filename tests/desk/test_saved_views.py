"""Saved views: a queue URL saved with a name, private or shared, with history; watching one
tells the watcher when an import (or `check_saved_views`) finds new claims matching it, counted
with the queue's own filter code."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from claims.models import Claim, ClaimKind
from desk.models import SavedView, SavedViewWatch
from desk.services import (
    saved_view_delete,
    saved_view_save,
    saved_view_watch_set,
    saved_views_check,
    saved_views_visible,
)
from imports.in_process import articles_import
from notifications.models import Notification
from tests.conftest import sample_path
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db


def _new_claims(n: int, *, kind=ClaimKind.STATEMENT) -> list[Claim]:
    article = ArticleFactory(text=" ".join(f"S{i} is so." for i in range(n)))
    out = []
    for i in range(n):
        start = article.text.index(f"S{i} is so.")
        out.append(ClaimFactory(article=article, start=start, end=start + 8, kind=kind))
    return out


def test_a_view_keeps_the_filter_without_its_page_cursor(desk):
    view = saved_view_save(
        name="  Quotes   to check ",
        filter="/claims/?kind=quote&after=abc&q=tonnes",
        shared=False,
        by=desk["ann"],
    )
    assert view.name == "Quotes to check"
    assert view.query == "kind=quote&q=tonnes"
    assert view.get_absolute_url() == "/claims/?kind=quote&q=tonnes"
    record = view.history.get()
    assert record.history_user == desk["ann"] and record.history_change_reason == "saved"


def test_a_bad_filter_or_no_name_is_refused_naming_the_field(desk):
    with pytest.raises(ValidationError) as e:
        saved_view_save(name="x", filter="status=bogus", shared=False, by=desk["ann"])
    assert "status: unknown bogus" in e.value.message_dict["query"][0]
    with pytest.raises(ValidationError) as e:
        saved_view_save(name="  ", filter="", shared=False, by=desk["ann"])
    assert e.value.message_dict == {"name": ["Give the view a name."]}


def test_saving_a_name_again_replaces_it_with_history(desk):
    first = saved_view_save(name="Mine", filter="kind=quote", shared=False, by=desk["ann"])
    again = saved_view_save(name="Mine", filter="kind=headline", shared=True, by=desk["ann"])
    assert again.pk == first.pk and (again.query, again.shared) == ("kind=headline", True)
    assert [h.history_change_reason for h in again.history.order_by("history_id")] == [
        "saved",
        "saved again",
    ]


def test_private_views_are_their_owners_shared_ones_everyones(desk):
    private = saved_view_save(name="Ann's", filter="", shared=False, by=desk["ann"])
    shared = saved_view_save(name="Desk", filter="kind=quote", shared=True, by=desk["ann"])
    assert set(saved_views_visible(desk["ann"])) == {private, shared}
    assert list(saved_views_visible(desk["bob"])) == [shared]
    with pytest.raises(PermissionDenied):
        saved_view_watch_set(saved_view=private, by=desk["bob"], watching=True)
    with pytest.raises(PermissionDenied):
        saved_view_delete(saved_view=shared, by=desk["bob"])
    pk = shared.pk
    saved_view_delete(saved_view=shared, by=desk["ann"])
    assert not SavedView.objects.filter(pk=pk).exists()
    deleted = SavedView.history.filter(id=pk).latest()  # kept in its history
    assert deleted.history_type == "-" and deleted.history_user == desk["ann"]


def test_save_this_view_on_the_queue_saves_and_goes_back_to_it(client, desk):
    client.force_login(desk["ann"])
    page = client.get("/claims/?kind=quote&o=-id").content.decode()
    assert 'action="/desk/views/save/"' in page
    assert 'name="filter" value="kind=quote&amp;o=-id"' in page
    response = client.post(
        "/desk/views/save/", {"name": "Newest quotes", "filter": "kind=quote&o=-id", "shared": "1"}
    )
    assert response.status_code == 302 and response["Location"] == "/claims/?kind=quote&o=-id"
    assert SavedView.objects.get().shared
    refused = client.post("/desk/views/save/", {"name": "Bad", "filter": "o=nonsense"})
    assert refused.status_code == 400
    assert "cannot order by" in refused.content.decode()


def test_the_saved_views_page_and_menu_list_what_one_may_open(
    client, desk, django_assert_num_queries
):
    for i in range(3):
        saved_view_save(name=f"Shared {i}", filter="kind=quote", shared=True, by=desk["ann"])
    saved_view_save(name="Bob's own", filter="", shared=False, by=desk["bob"])
    client.force_login(desk["cy"])
    page = client.get("/desk/views/").content.decode()
    assert page.count("Shared ") >= 3 and "Bob's own" not in page
    with django_assert_num_queries(4):  # session, user, views, watches
        menu = client.get("/desk/views/", headers={"HX-Request": "true"}).content.decode()
    assert menu.strip().startswith('<ul class="saved-view-menu"')
    assert menu.count('href="/claims/?kind=quote"') == 3


def test_an_import_tells_watchers_of_views_that_gained_claims(
    desk, admin_user, django_capture_on_commit_callbacks
):
    everything = saved_view_save(name="Everything open", filter="", shared=True, by=desk["lead"])
    nothing = saved_view_save(
        name="Disclaimers", filter="kind=disclaimer&q=zzzunlikely", shared=True, by=desk["lead"]
    )
    saved_view_watch_set(saved_view=everything, by=desk["ann"], watching=True)
    saved_view_watch_set(saved_view=nothing, by=desk["ann"], watching=True)
    path = sample_path("01")
    with django_capture_on_commit_callbacks(execute=True):
        batch, _ = articles_import([(path.name, path.read_bytes())], by=admin_user, origin="t")
    new = Claim.objects.triageable().filter(article__import_batch=batch, status="unreviewed")
    [told] = Notification.objects.filter(kind="watched_view")
    assert told.user == desk["ann"]
    assert told.text == f"Saved view “Everything open” gained {new.count()} claims"
    assert told.url == "/claims/"
    assert saved_views_check() == []  # the mark moved: nothing gained twice


def test_check_saved_views_counts_only_new_matching_claims(desk):
    _new_claims(2)
    quotes = saved_view_save(name="Quotes", filter="kind=quote", shared=False, by=desk["bob"])
    saved_view_watch_set(saved_view=quotes, by=desk["bob"], watching=True)
    _new_claims(3, kind=ClaimKind.QUOTE)
    _new_claims(4)  # statements: not in the view
    out = StringIO()
    call_command("check_saved_views", stdout=out)
    assert out.getvalue().strip() == "1 watched view(s) gained claims."
    [told] = Notification.objects.all()
    assert told.user == desk["bob"] and told.text == "Saved view “Quotes” gained 3 claims"
    call_command("check_saved_views", stdout=StringIO())
    assert Notification.objects.count() == 1
    saved_view_watch_set(saved_view=quotes, by=desk["bob"], watching=False)
    assert not SavedViewWatch.objects.exists()


def test_a_view_made_private_stops_telling_other_watchers(desk):
    view = saved_view_save(name="Quotes", filter="kind=quote", shared=True, by=desk["ann"])
    saved_view_watch_set(saved_view=view, by=desk["bob"], watching=True)
    saved_view_save(name="Quotes", filter="kind=quote", shared=False, by=desk["ann"])
    _new_claims(2, kind=ClaimKind.QUOTE)
    assert saved_views_check() == []
