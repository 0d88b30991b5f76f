"""What an admin does with webhooks: add an endpoint, watch a delivery's attempts, send again."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from claims import services
from tests.browser.test_reviewer_flow import log_in
from tests.factories import ClaimFactory
from tests.webhooks.conftest import receiver  # noqa: F401 — the loopback receiver fixture
from webhooks.models import Delivery, Endpoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def run_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def test_admin_adds_an_endpoint_sees_a_delivery_and_its_attempts_and_sends_it_again(
    live_server,
    roles,
    make_user,
    new_page,
    console,
    settings,
    receiver,  # noqa: F811
):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True  # the receiver is on 127.0.0.1
    admin, reviewer = make_user("ada", "admin"), make_user("rita", "reviewer")
    page = new_page()
    log_in(page, live_server, admin, then="/webhooks/")
    page.get_by_role("link", name="Add an endpoint").click()
    page.get_by_label("URL", exact=True).fill(receiver.url())
    page.get_by_label("note.added", exact=False).check()
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_role("heading", name="Signing secret")).to_be_visible()
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["note.added"]

    receiver.answers = [500, 200]
    services.note_create(claim=ClaimFactory(), by=reviewer, text="Called the plant.")
    run_worker()  # the first attempt: 500, a retry scheduled
    delivery = Delivery.objects.get()

    page.reload()
    page.get_by_role("link", name=delivery.msg_id).click()
    attempts = page.locator("#attempt-log tbody tr")
    expect(attempts).to_have_count(1)
    expect(attempts.first).to_contain_text("500")
    expect(attempts.first).to_contain_text("automatic")
    expect(page.locator("#delivery-status")).to_have_text("Pending")

    page.get_by_role("button", name="Send again").click()
    expect(page.get_by_role("status")).to_contain_text(f"Sending {delivery.msg_id} again")
    run_worker()  # the manual attempt (the retry is not due yet)
    expect(attempts).to_have_count(2)  # the panel refreshed itself
    expect(attempts.nth(1)).to_contain_text("200")
    expect(attempts.nth(1)).to_contain_text("sent again by ada")
    expect(page.locator("#delivery-status")).to_have_text("Delivered")
    assert len(receiver.requests) == 2
    assert console.csp_violations() == []
    assert console.script_errors() == []
