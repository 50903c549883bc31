from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RotationsConfig(AppConfig):
    name = "houbei.rotations"
    label = "rotations"
    verbose_name = _("双向选择与轮岗锻炼")

    def ready(self) -> None:
        # Registers the ``assignments`` exporter (``houbei export assignments``).
        from . import exports  # noqa: F401
