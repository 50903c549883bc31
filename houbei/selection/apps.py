from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "houbei.selection"
    label = "selection"
