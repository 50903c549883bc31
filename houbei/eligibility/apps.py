from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "houbei.eligibility"
    label = "eligibility"

    def ready(self) -> None:
        # Registers the "eligibility" export kind.
        from . import exports  # noqa: F401
