"""manage.py export_questionnaire KEY VERSION [-o FILE]: a published version as YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diagnostics.loader import dump_questionnaire
from diagnostics.models import Questionnaire


class Command(BaseCommand):
    help = (
        "Write a published questionnaire version as YAML (to stdout by default), "
        "for instance to start the next version from it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key")
        parser.add_argument("version", type=int)
        parser.add_argument("-o", "--output", type=Path, metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        key, version = options["key"], options["version"]
        questionnaire = Questionnaire.objects.filter(key=key, version=version).first()
        if questionnaire is None:
            versions = sorted(
                Questionnaire.objects.filter(key=key).values_list("version", flat=True)
            )
            if versions:
                published = ", ".join(f"v{v}" for v in versions)
                raise CommandError(f"{key} has no version {version}; published: {published}")
            raise CommandError(f"no questionnaire with the key {key!r}")
        text = dump_questionnaire(questionnaire.spec)
        output: Path | None = options["output"]
        if output is None:
            self.stdout.write(text, ending="")
            return
        output.write_text(text, encoding="utf-8")
        self.stdout.write(f"exported {key} v{version} to {output}")
