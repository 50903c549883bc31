from django.apps import AppConfig


class RosterConfig(AppConfig):
    """Excel roster import and list export. An app of its own so that its management
    commands are found and its upload record has a home."""

    name = "houbei.people.roster"
    label = "roster"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the "roster" exporter with houbei.core.exports.
        from . import exports  # noqa: F401
