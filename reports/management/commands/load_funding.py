"""manage.py load_funding [PATH ...]: publish funding rules versions from YAML files."""

from __future__ import annotations

from documents.commands import LoadVersionsCommand
from reports.funding import DEFAULT_DIR
from reports.models import FundingRules


class Command(LoadVersionsCommand):
    help = (
        "Publish funding rules versions from YAML files (default: every *.yaml in "
        "reports/funding/). Loading an unchanged file again does nothing; a file with errors "
        "loads nothing."
    )
    default_dir = DEFAULT_DIR

    def publish(self, text: str) -> tuple[FundingRules, bool]:
        return FundingRules.publish(text=text)
