from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "houbei.api"
    label = "api"
