from django.apps import AppConfig


class BallotsConfig(AppConfig):
    name = "houbei.ballots"
    label = "ballots"
