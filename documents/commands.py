"""The base of the `load_*` management commands that publish document versions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from .models import PublishedVersion
from .parsing import DocumentError


class LoadVersionsCommand(BaseCommand):
    """Publish versions from YAML files (default: every *.yaml of `default_dir`).

    Each file loads in its own transaction; a file with errors loads nothing and its errors
    are printed with their place. Subclasses set `default_dir` and implement `publish`.
    """

    default_dir: Path

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, metavar="PATH")

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["paths"] or sorted(
            self.default_dir.glob("*.yaml"), key=publication_order
        )
        if not paths:
            raise CommandError(f"no *.yaml file in {self.default_dir}")
        self.prepare()
        failed = [path.name for path in paths if not self.load(path)]
        if failed:
            raise CommandError(f"not loaded: {', '.join(failed)}")

    def prepare(self) -> None:
        """Read what every file is checked against (once per run)."""

    def publish(self, text: str) -> tuple[PublishedVersion, bool]:
        raise NotImplementedError

    def load(self, path: Path) -> bool:
        """Load one file; False, with the errors printed, if it fails."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.stderr.write(f"{path.name}: cannot read the file: {exc}")
            return False
        try:
            row, created = self.publish(text)
        except DocumentError as exc:
            for error in exc.errors:
                self.stderr.write(f"{path.name}: {error}")
            return False
        status = "loaded" if created else "unchanged"
        self.stdout.write(f"{status} {row.key} v{row.version}")
        return True


def publication_order(path: Path) -> tuple[str, int]:
    """Files of one document in version order: `name.yaml` (version 1), then
    `name-v2.yaml`, ..., `name-v10.yaml`, so that the newest version is published last
    (the latest published version is the one in use)."""
    match = re.fullmatch(r"(.+)-v([0-9]+)", path.stem)
    return (match.group(1), int(match.group(2))) if match else (path.stem, 1)
