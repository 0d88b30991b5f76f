"""Prepare a development database: the demo article imported and an admin login printed."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from imports.in_process import articles_import

DEMO_ARTICLE = Path(__file__).resolve().parents[2] / "demo" / "northwind_magnets.txt"


class Command(BaseCommand):
    help = "Import the demo article and make sure an admin login exists (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        _, results = articles_import(
            [(DEMO_ARTICLE.name, DEMO_ARTICLE.read_bytes())], by=None, origin="demo"
        )
        self.stdout.write(f"Demo article: {results[0].describe()}")
        login_file = settings.VAR_DIR / "demo-login.txt"
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None or not login_file.exists():
            password = secrets.token_urlsafe(12)
            user = user or User(username=username, email=f"{username}@example.invalid")
            user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
            login_file.write_text(f"{username}\n{password}\n", encoding="utf-8")
            login_file.chmod(0o600)
        name, password = login_file.read_text(encoding="utf-8").split()[:2]
        self.stdout.write(self.style.SUCCESS(f"Log in as {name} / {password}"))
