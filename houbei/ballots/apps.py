from django.apps import AppConfig


class BallotsConfig(AppConfig):
    name = "houbei.ballots"
    label = "ballots"

    def ready(self) -> None:
        # Registers the ``ballot-results`` exporter.
        from . import documents  # noqa: F401
