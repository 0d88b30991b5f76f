"""Create (or update) a user with one of the workbench roles."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from workbench.roles import ADMIN, ROLES


class Command(BaseCommand):
    help = "Create a user with a role (reviewer, lead or admin); prints the password if generated."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLES), default="reviewer")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Default: a generated one, printed once.")

    @transaction.atomic
    def handle(self, *args, username, role, email, password, **options):
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username)
        generated = password is None
        password = password or secrets.token_urlsafe(12)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(f"--password: {' '.join(exc.messages)}") from exc
        user.email = email or user.email
        user.set_password(password)
        # Admins manage users and imports in Django's admin too.
        user.is_staff = user.is_superuser = role == ADMIN
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        verb = "Created" if created else "Updated"
        shown = password if generated else "(as given)"
        self.stdout.write(self.style.SUCCESS(f"{verb} {role} {username}, password: {shown}"))
