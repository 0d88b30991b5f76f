"""Writes of notifications: tell users, mark read, watch, e-mail (at once or as a digest)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from notifications.models import EmailMode, Notification, NotificationSetting, Watch
from workbench.models import User


def email_mode(user: User) -> str:
    setting = NotificationSetting.objects.filter(user=user).first()
    return setting.email if setting is not None else EmailMode.DAILY


def _site(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def _send(user: User, notifications: list[Notification], *, subject: str) -> bool:
    """E-mail `notifications` to `user` (nothing without an address); True when sent."""
    if not user.email or not notifications:
        return False
    lines = [f"- {n.text}" + (f"\n  {_site(n.url)}" if n.url else "") for n in notifications]
    send_mail(subject, "\n".join(lines) + "\n", None, [user.email])
    return True


@transaction.atomic
def notify(*, users: Iterable[User], kind: str, text: str, url: str = "") -> list[Notification]:
    """Tell each of `users` (once each) `text`; e-mail those who want it immediately."""
    made = []
    for user in {u.pk: u for u in users}.values():
        notification = Notification.objects.create(user=user, kind=kind, text=text[:300], url=url)
        made.append(notification)
        if email_mode(user) == EmailMode.IMMEDIATE and _send(
            user, [notification], subject=f"[Claim workbench] {text[:80]}"
        ):
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
    return made


@transaction.atomic
def notifications_mark_read(*, by: User, ids: Iterable[int] | None = None) -> int:
    """Mark `by`'s notifications read (all unread ones without `ids`); return how many."""
    rows = Notification.objects.filter(user=by, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


@transaction.atomic
def notification_setting_set(*, by: User, email: str) -> NotificationSetting:
    """Set how `by` wants e-mail: none, immediately or a daily digest."""
    if email not in EmailMode.values:
        raise ValueError(f"email: {email!r} is not one of {', '.join(EmailMode.values)}.")
    setting, _ = NotificationSetting.objects.update_or_create(user=by, defaults={"email": email})
    return setting


@transaction.atomic
def watch_set(*, claim, by: User, watching: bool) -> bool:
    """Watch (or stop watching) a claim; return whether `by` now watches it."""
    if watching:
        Watch.objects.get_or_create(user=by, claim=claim)
    else:
        Watch.objects.filter(user=by, claim=claim).delete()
    return watching


def digest_send(*, now=None) -> int:
    """E-mail each daily-digest user what they were not e-mailed yet; return e-mails sent.

    Each user's batch is marked e-mailed in the transaction that sends it: a failure leaves
    it for the next run, and nobody gets the same notification twice.
    """
    now = now or timezone.now()
    pending: dict[int, list[Notification]] = defaultdict(list)
    immediate_or_none = NotificationSetting.objects.exclude(email=EmailMode.DAILY)
    rows = (
        Notification.objects.undigested()
        .exclude(user__in=immediate_or_none.values("user"))
        .select_related("user")
    )
    for notification in rows:
        pending[notification.user_id].append(notification)
    sent = 0
    for items in pending.values():
        user = items[0].user
        with transaction.atomic():
            if _send(user, items, subject=f"[Claim workbench] {len(items)} notifications"):
                sent += 1
            # Marked either way: a user without an address has nothing waiting for later.
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
    return sent
