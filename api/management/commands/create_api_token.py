"""`manage.py create_api_token USERNAME [--expires DAYS] [--name NAME]`: print a new token.

The token is the last line of the output (scripts read it with `tail -1`); it is shown once.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api.tokens import TokenRefused, api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print it (its last line)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--expires", type=int, metavar="DAYS", help="Days until it expires.")
        parser.add_argument("--name", default="command line", help="What the token is for.")

    def handle(self, *args, username, expires, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"USERNAME: there is no user {username!r}.")
        if not user.is_active:
            raise CommandError(f"USERNAME: {username!r} is not active: the token would not work.")
        try:
            new = api_token_create(user=user, name=name, expires_days=expires)
        except TokenRefused as exc:
            raise CommandError(str(exc)) from exc
        until = new.token.expires_at.isoformat() if new.token.expires_at else "never"
        self.stdout.write(f"Token {new.token.prefix} for {username}, expires {until}:")
        self.stdout.write(new.secret)
