"""manage.py check_report_files: the ready PDFs whose file the storage no longer has."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from reports.models import Report


class Command(BaseCommand):
    help = (
        "List the PDF versions marked ready whose file the media storage no longer has "
        "(after a storage incident, a restore from a backup or a move to another storage): "
        "company, diagnostic, version and file name. Exits with status 1 when one is "
        "missing, so that a scheduled run can alert. Changes nothing: the download page of "
        "such a version says that its file is lost and offers a new version. One storage "
        "request per file."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reports = (
            Report.objects.filter(status=Report.Status.READY)
            .exclude(file="")
            .select_related("company", "diagnostic")
            .order_by("company__name", "diagnostic_id", "number")
        )
        checked = missing = 0
        for report in reports.iterator(chunk_size=500):
            try:
                present = report.file.storage.exists(report.file.name)
            except OSError as exc:
                raise CommandError(f"The media storage does not answer: {exc}") from exc
            checked += 1
            if not present:
                missing += 1
                self.stdout.write(
                    f"{report.company.name} (SIRET {report.company.siret}), diagnostic "
                    f"{report.diagnostic.public_id}, version {report.number}: "
                    f"{report.file.name} is missing"
                )
        self.stdout.write(f"{checked} PDF file(s) checked, {missing} missing.")
        if missing:
            raise CommandError(f"{missing} PDF file(s) missing from the media storage.")
