from django.apps import AppConfig


class PublishingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from claims.exports.formats import claimreview_publications
        from publishing.claimreview import publications

        # The ClaimReview export takes a published fact-check's summary, rating, sign-off
        # date and public page from here (claims/ does not know this app's tables).
        claimreview_publications(publications)
