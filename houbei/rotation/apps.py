from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RotationConfig(AppConfig):
    name = "houbei.rotation"
    label = "rotation"
    verbose_name = _("双向选择与轮岗锻炼")
