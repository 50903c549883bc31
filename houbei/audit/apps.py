from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "houbei.audit"
    label = "audit"
