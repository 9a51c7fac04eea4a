from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from privacy import retention


class Command(BaseCommand):
    help = "Delete what is past its retention period (closed companies, invitations, audit "
    "entries, PDFs of superseded report versions)."

    def handle(self, *args: Any, **options: Any) -> None:
        for what, count in retention.apply_retention().items():
            self.stdout.write(f"{what}: {count} deleted")
