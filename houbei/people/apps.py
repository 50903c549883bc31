from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "houbei.people"
    label = "people"
