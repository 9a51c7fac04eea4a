"""manage.py load_catalogue [PATH ...]: publish training catalogue versions from YAML files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diagnostics.models import Questionnaire
from reports.catalogue import CatalogueError
from reports.services import DEFAULT_CATALOGUE_DIR, import_catalogue


class Command(BaseCommand):
    help = (
        "Publish training catalogue versions from YAML files (default: every *.yaml in "
        "reports/catalogue/). When questionnaires are loaded, every competency an action "
        "names must be one of theirs. Loading an unchanged file again does nothing; a file "
        "with errors loads nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, metavar="PATH")

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["paths"] or sorted(DEFAULT_CATALOGUE_DIR.glob("*.yaml"))
        if not paths:
            raise CommandError(f"no *.yaml file in {DEFAULT_CATALOGUE_DIR}")
        codes = known_competencies()
        failed = [path.name for path in paths if not self.load(path, codes)]
        if failed:
            raise CommandError(f"not loaded: {', '.join(failed)}")

    def load(self, path: Path, codes: set[str] | None) -> bool:
        """Load one file (in its own transaction); False, with the errors printed, if it fails."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.stderr.write(f"{path.name}: cannot read the file: {exc}")
            return False
        try:
            catalogue, created = import_catalogue(text=text, competency_codes=codes)
        except CatalogueError as exc:
            for error in exc.errors:
                self.stderr.write(f"{path.name}: {error}")
            return False
        status = "loaded" if created else "unchanged"
        self.stdout.write(f"{status} {catalogue.key} v{catalogue.version}")
        return True


def known_competencies() -> set[str] | None:
    """The competency codes of every loaded questionnaire version; None if there is none."""
    questionnaires = list(Questionnaire.objects.all())
    if not questionnaires:
        return None
    return {c.code for q in questionnaires for c in q.spec.competencies()}
