from django.core.management.base import BaseCommand
from django.db import transaction

from orders.services.board import board_rebuild_all


class Command(BaseCommand):
    help = "Rebuild every factory's grab board from the open jobs (after an upgrade). 从开放订单重建所有工厂的抢单板。"

    def handle(self, *args, **options):
        with transaction.atomic():
            total = board_rebuild_all()
        self.stdout.write(f"抢单板已重建：共 {total} 条。 Boards rebuilt: {total} entries.")
