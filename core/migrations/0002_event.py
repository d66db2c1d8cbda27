

import django.core.serializers.json
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='Event',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('company_id', models.BigIntegerField(verbose_name='company')),
                ('seq', models.BigIntegerField(blank=True, null=True, verbose_name='sequence')),
                ('position', models.BigIntegerField(blank=True, null=True, unique=True)),
                ('type', models.CharField(max_length=40, verbose_name='type')),
                ('topic', models.CharField(blank=True, db_index=True, default='', max_length=40)),
                ('data', models.JSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder)),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='at')),
            ],
            options={
                'verbose_name': 'event',
                'verbose_name_plural': 'events',
                'ordering': ['id'],
                'indexes': [models.Index(condition=models.Q(('seq__isnull', True)), fields=['id'], name='event_unsequenced'), models.Index(fields=['company_id', 'type', '-id'], name='event_company_type')],
                'constraints': [models.UniqueConstraint(fields=('company_id', 'seq'), name='event_company_seq_unique')],
            },
        ),
    ]
