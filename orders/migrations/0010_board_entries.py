

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_notifications_become_events'),
        ('orders', '0009_verbose_names'),
    ]

    operations = [
        migrations.CreateModel(
            name='BoardEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('distance_km', models.FloatField()),
                ('deadline', models.DateTimeField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('factory', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.company')),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='board_entries', to='orders.job')),
            ],
            options={
                'verbose_name': 'board entry',
                'verbose_name_plural': 'board entries',
                'indexes': [models.Index(fields=['factory', 'distance_km', 'deadline', 'job'], name='board_entry_order')],
                'constraints': [models.UniqueConstraint(fields=('factory', 'job'), name='board_entry_unique')],
            },
        ),
    ]
