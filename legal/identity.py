"""Who publishes the site, from settings: the legal notice, the privacy notice and the
accessibility statement all name them. Each deployment sets its own (README, "Legal
pages"); what is missing is listed so that pages and `manage.py check` can say so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings

from .accessibility import Audit, Conformity, conformity

# The settings the legal notice needs (loi n° 2004-575, LCEN): the publisher, the director
# of publication and the host; and who answers about personal data (RGPD, article 13).
REQUIRED = (
    "PUBLISHER_NAME",
    "PUBLISHER_ADDRESS",
    "PUBLISHER_PHONE",
    "PUBLISHER_EMAIL",
    "PUBLICATION_DIRECTOR",
    "HOST_NAME",
    "HOST_ADDRESS",
    "HOST_PHONE",
)


@dataclass(frozen=True)
class Identity:
    name: str
    address: str
    phone: str
    email: str
    registration: str
    director: str
    host_name: str
    host_address: str
    host_phone: str
    privacy_contact: str  # the DPO's address, else the publisher's
    site_url: str
    audit: Audit
    accessibility_plan_url: str

    def conformity(self, today: date) -> Conformity:
        return conformity(self.audit, today)


def identity() -> Identity:
    return Identity(
        name=settings.PUBLISHER_NAME,
        address=settings.PUBLISHER_ADDRESS,
        phone=settings.PUBLISHER_PHONE,
        email=settings.PUBLISHER_EMAIL,
        registration=settings.PUBLISHER_REGISTRATION,
        director=settings.PUBLICATION_DIRECTOR,
        host_name=settings.HOST_NAME,
        host_address=settings.HOST_ADDRESS,
        host_phone=settings.HOST_PHONE,
        privacy_contact=settings.PRIVACY_CONTACT or settings.PUBLISHER_EMAIL,
        site_url=settings.SITE_URL,
        audit=Audit(
            day=settings.ACCESSIBILITY_AUDIT_DATE,
            rate=settings.ACCESSIBILITY_AUDIT_RATE,
            auditor=settings.ACCESSIBILITY_AUDITOR,
        ),
        accessibility_plan_url=settings.ACCESSIBILITY_PLAN_URL,
    )


def missing_settings() -> list[str]:
    return [name for name in REQUIRED if not getattr(settings, name, "").strip()]
