import uuid

from django.db import migrations, models


def give_keys(apps, schema_editor):
    Election = apps.get_model("ballots", "Election")
    for election in Election.objects.filter(key__isnull=True):
        election.key = uuid.uuid4()
        election.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [("ballots", "0002_rollentry")]

    operations = [
        migrations.AlterField(
            model_name="election",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "草稿"),
                    ("open", "投票中"),
                    ("closed", "已结束"),
                    ("tallied", "已计票"),
                    ("published", "已公布"),
                ],
                default="draft",
                max_length=10,
                verbose_name="状态",
            ),
        ),
        migrations.AddField(
            model_name="election",
            name="key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="election",
            name="key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
