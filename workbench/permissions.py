"""View decorators: log in first, then a permission, or a 403 that says why (never a no-op)."""

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from workbench.roles import ROLES


def refusal(perms: Iterable[str]) -> str:
    """Say what the missing `perms` ("app.codename") allow, and which roles have them all.

    "You are not allowed to import articles: that needs the admin role."
    """
    perms = list(perms)
    names = []
    for perm in perms:
        app_label, codename = perm.split(".", 1)
        name = (
            Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            .values_list("name", flat=True)
            .first()
        )
        # "Can import articles" → "import articles"
        names.append(name.removeprefix("Can ") if name else perm)
    roles = [role for role, granted in ROLES.items() if set(perms) <= set(granted)]
    either = ", ".join(roles[:-1]) + " or " + roles[-1] if len(roles) > 1 else "".join(roles)
    who = f": that needs the {either} role" if roles else ""
    return f"You are not allowed to {' and '.join(names)}{who}."


def require_perm(*perms: str) -> Callable:
    """Require login (redirect to it) and every permission in `perms` (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perms(perms):
                missing = [p for p in perms if not request.user.has_perm(p)]
                raise PermissionDenied(refusal(missing))
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator
