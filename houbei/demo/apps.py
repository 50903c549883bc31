from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "houbei.demo"
    label = "demo"
    verbose_name = "演示与运行"
