from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "houbei.organisation"
    label = "organisation"
