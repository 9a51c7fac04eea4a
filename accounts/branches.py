"""The names of the branches (collective agreements) behind the IDCC codes companies give.

Dated data with its sources: only the agreements whose code and name were checked on a
public source are named; any other code reads "IDCC 1234", never a guessed name.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CHECKED_ON = date(2026, 12, 6)

# IDCC -> (name, where the code and name were checked)
BRANCHES = {
    "0018": (
        gettext_lazy("Textile industry"),
        "https://www.doctrine.fr/l/texts/conventions-collectives/KALICONT000005635689",
    ),
    "0044": (
        gettext_lazy("Chemical industries"),
        "https://www.legifrance.gouv.fr/conv_coll/id/KALICONT000005635613",
    ),
    "0045": (
        gettext_lazy("Rubber industry"),
        "https://conventions-collectives.net/idcc/45",
    ),
    "0176": (
        gettext_lazy("Pharmaceutical industry"),
        "https://conventions-collectives.net/idcc/176",
    ),
    "0247": (
        gettext_lazy("Clothing industries"),
        "https://www.doctrine.fr/l/texts/conventions-collectives/KALICONT000005635647",
    ),
    "0292": (
        gettext_lazy("Plastics industry"),
        "https://www.legisocial.fr/conventions-collectives-nationales/292-matieres-plastiques/",
    ),
    "0669": (
        gettext_lazy("Mechanical glass manufacturing"),
        "https://conventions-collectives.net/idcc/669",
    ),
    "1388": (
        gettext_lazy("Oil industry"),
        "https://www.legifrance.gouv.fr/conv_coll/id/KALISCTA000005759709/?idConteneur=KALICONT000005635267",
    ),
    "1411": (
        gettext_lazy("Furniture manufacturing"),
        "https://conventions-collectives.net/idcc/1411",
    ),
    "1558": (
        gettext_lazy("Ceramics industries"),
        "https://conventions-collectives.net/idcc/1558",
    ),
    "3248": (
        gettext_lazy("Metal industry"),
        "https://www.legifrance.gouv.fr/conv_coll/id/KALIARTI000046314402/?idConteneur=KALICONT000046993250",
    ),
}


def branch_label(idcc: str) -> str:
    """The branch's name and code, such as "Metal industry (IDCC 3248)"; the code alone
    ("IDCC 1234") when no name was checked for it; "" for none."""
    if not idcc:
        return ""
    named = BRANCHES.get(idcc)
    if named is None:
        return _("IDCC %(code)s") % {"code": idcc}
    return _("%(name)s (IDCC %(code)s)") % {"name": named[0], "code": idcc}
