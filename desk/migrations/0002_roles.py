"""Give the lead role the permission to adjudicate claims (workbench/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from workbench.roles import sync_roles


def sync(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0001_initial"),
        ("workbench", "0002_roles"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
