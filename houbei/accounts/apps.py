from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "houbei.accounts"
    label = "accounts"
