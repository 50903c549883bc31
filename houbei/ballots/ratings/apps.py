from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "houbei.ballots.ratings"
    label = "ratings"
    verbose_name = "民主测评"
