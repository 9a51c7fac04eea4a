"""manage.py load_questionnaire [PATH ...]: publish questionnaire versions from YAML files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diagnostics.loader import QuestionnaireError
from diagnostics.services import DEFAULT_QUESTIONNAIRES_DIR, import_questionnaire


class Command(BaseCommand):
    help = (
        "Publish questionnaire versions from YAML files (default: every *.yaml in "
        "diagnostics/questionnaires/). Loading an unchanged file again does nothing; "
        "a file with errors loads nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, metavar="PATH")

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["paths"] or sorted(DEFAULT_QUESTIONNAIRES_DIR.glob("*.yaml"))
        if not paths:
            raise CommandError(f"no *.yaml file in {DEFAULT_QUESTIONNAIRES_DIR}")
        failed = [path.name for path in paths if not self.load(path)]
        if failed:
            raise CommandError(f"not loaded: {', '.join(failed)}")

    def load(self, path: Path) -> bool:
        """Load one file (in its own transaction); False, with the errors printed, if it fails."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.stderr.write(f"{path.name}: cannot read the file: {exc}")
            return False
        try:
            questionnaire, created = import_questionnaire(text=text)
        except QuestionnaireError as exc:
            for error in exc.errors:
                self.stderr.write(f"{path.name}: {error}")
            return False
        status = "loaded" if created else "unchanged"
        self.stdout.write(f"{status} {questionnaire.key} v{questionnaire.version}")
        return True
