from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A reviewer, lead or admin; a custom model from the first migration so it can grow."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username
