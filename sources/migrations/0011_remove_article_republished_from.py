"""Drop `Article.republished_from`: 0010 moved its values into `Article.origin`."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sources", "0010_article_origin_holds_republication")]

    operations = [
        migrations.RemoveField(model_name="article", name="republished_from"),
        migrations.RemoveField(model_name="historicalarticle", name="republished_from"),
    ]
