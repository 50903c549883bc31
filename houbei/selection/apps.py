from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "houbei.selection"
    label = "selection"

    def ready(self) -> None:
        # Registers the ``pool`` exporter (``houbei export pool --cycle YEAR``).
        from . import documents  # noqa: F401
