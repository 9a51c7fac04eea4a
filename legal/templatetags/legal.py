"""The footer of every page: the legal pages and the accessibility status, which the RGAA
asks to show from every page."""

from __future__ import annotations

from django import template
from django.utils import timezone

from ..identity import identity

register = template.Library()


@register.inclusion_tag("legal/footer.html")
def legal_footer() -> dict:
    return {"status": identity().conformity(timezone.localdate())}
