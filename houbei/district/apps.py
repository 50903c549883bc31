from django.apps import AppConfig


class DistrictConfig(AppConfig):
    name = "houbei.district"
    label = "district"
    verbose_name = "全区概况"
