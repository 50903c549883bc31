from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "houbei.core"
    label = "core"
