"""manage.py load_questionnaire [PATH ...]: publish questionnaire versions from YAML files."""

from __future__ import annotations

from diagnostics.models import Questionnaire
from diagnostics.services import DEFAULT_QUESTIONNAIRES_DIR, import_questionnaire
from documents.commands import LoadVersionsCommand


class Command(LoadVersionsCommand):
    help = (
        "Publish questionnaire versions from YAML files (default: every *.yaml in "
        "diagnostics/questionnaires/). Loading an unchanged file again does nothing; "
        "a file with errors loads nothing."
    )
    default_dir = DEFAULT_QUESTIONNAIRES_DIR

    def publish(self, text: str) -> tuple[Questionnaire, bool]:
        return import_questionnaire(text=text)
