"""manage.py load_catalogue [PATH ...]: publish training catalogue versions from YAML files."""

from __future__ import annotations

from diagnostics.models import Questionnaire
from documents.commands import LoadVersionsCommand
from reports.models import Catalogue
from reports.services import DEFAULT_CATALOGUE_DIR, import_catalogue


class Command(LoadVersionsCommand):
    help = (
        "Publish training catalogue versions from YAML files (default: every *.yaml in "
        "reports/catalogue/). When questionnaires are loaded, every competency an action "
        "names must be one of theirs. Loading an unchanged file again does nothing; a file "
        "with errors loads nothing."
    )
    default_dir = DEFAULT_CATALOGUE_DIR

    def prepare(self) -> None:
        self.known = known_competencies()

    def publish(self, text: str) -> tuple[Catalogue, bool]:
        return import_catalogue(text=text, competency_codes=self.known)


def known_competencies() -> set[str] | None:
    """The competency codes of every loaded questionnaire version; None if there is none."""
    questionnaires = list(Questionnaire.objects.all())
    if not questionnaires:
        return None
    return {c.code for q in questionnaires for c in q.spec.competencies()}
