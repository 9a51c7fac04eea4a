from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core import signing
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .validators import validate_idcc, validate_naf, validate_siret

if TYPE_CHECKING:
    from collections.abc import Iterable


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)

    def active_advisors(self) -> models.QuerySet[User]:
        """The skills operator's advisors who can follow companies, by name (an erased
        person is no longer an advisor)."""
        return self.filter(is_advisor=True, is_active=True).order_by("full_name", "pk")


REMINDERS_SALT = "accounts.reassessment-reminders"


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    is_advisor = models.BooleanField(
        _("advisor"),
        default=False,
        help_text=_("Staff of the skills operator who follows a portfolio of companies."),
    )
    # The field's name stays from when it covered re-assessments only.
    reassessment_reminders = models.BooleanField(
        _("e-mail me reminders"),
        default=True,
        help_text=_(
            "The company's administrators are reminded to assess again a year after a "
            "diagnostic, and to file the funding request of an accepted training a month "
            "before its quarter."
        ),
    )
    is_staff = models.BooleanField(_("operator admin"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set when the person deleted their account: the row stays, without name or e-mail,
    # so the answers they gave stay with the company as a former member's.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def reminders_token(self) -> str:
        """The token of the link that stops the re-assessment reminders without logging
        in (signed with the secret key, tied to this user)."""
        return signing.dumps(self.pk, salt=REMINDERS_SALT)

    def stop_reminders(self) -> None:
        self.reassessment_reminders = False
        self.save(update_fields=["reassessment_reminders"])

    @classmethod
    def from_reminders_token(cls, token: str) -> User | None:
        try:
            pk = signing.loads(token, salt=REMINDERS_SALT)
        except signing.BadSignature:
            return None
        return cls.objects.filter(pk=pk, erased_at__isnull=True).first()

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class HeadcountBand(models.TextChoices):
    B1_9 = "1_9", _("1 to 9 employees")
    B10_49 = "10_49", _("10 to 49 employees")
    B50_249 = "50_249", _("50 to 249 employees")
    B250_499 = "250_499", _("250 to 499 employees")
    B500_PLUS = "500_plus", _("500 employees or more")

    @classmethod
    def ceiling(cls, band: str) -> int | None:
        """The most employees a company of `band` has (None: no upper bound)."""
        upper = band.split("_")[-1]
        return int(upper) if upper.isdigit() else None


class Region(models.TextChoices):
    """The regions of France, keyed by their INSEE code."""

    ARA = "84", "Auvergne-Rhône-Alpes"
    BFC = "27", "Bourgogne-Franche-Comté"
    BRE = "53", "Bretagne"
    CVL = "24", "Centre-Val de Loire"
    COR = "94", "Corse"
    GES = "44", "Grand Est"
    HDF = "32", "Hauts-de-France"
    IDF = "11", "Île-de-France"
    NOR = "28", "Normandie"
    NAQ = "75", "Nouvelle-Aquitaine"
    OCC = "76", "Occitanie"
    PDL = "52", "Pays de la Loire"
    PAC = "93", "Provence-Alpes-Côte d’Azur"
    GUA = "01", "Guadeloupe"
    MTQ = "02", "Martinique"
    GUF = "03", "Guyane"
    REU = "04", "La Réunion"
    MAY = "06", "Mayotte"


# The sections of the French activity nomenclature (NAF rév. 2), by their first and last
# two-digit division: the letter benchmarks and the observatory group companies by.
NAF_SECTIONS: tuple[tuple[str, int, int], ...] = (
    ("A", 1, 3),
    ("B", 5, 9),
    ("C", 10, 33),
    ("D", 35, 35),
    ("E", 36, 39),
    ("F", 41, 43),
    ("G", 45, 47),
    ("H", 49, 53),
    ("I", 55, 56),
    ("J", 58, 63),
    ("K", 64, 66),
    ("L", 68, 68),
    ("M", 69, 75),
    ("N", 77, 82),
    ("O", 84, 84),
    ("P", 85, 85),
    ("Q", 86, 88),
    ("R", 90, 93),
    ("S", 94, 96),
    ("T", 97, 98),
    ("U", 99, 99),
)


def naf_section(division: str) -> str:
    """The NAF section letter of a two-digit division ("25" → "C"); "" when unknown."""
    if not division[:2].isdigit():
        return ""
    number = int(division[:2])
    return next((letter for letter, low, high in NAF_SECTIONS if low <= number <= high), "")


class CompanyQuerySet(models.QuerySet["Company"]):
    def open(self) -> CompanyQuerySet:
        """Companies not closed: a closed company disappears from every page at once."""
        return self.filter(closed_at__isnull=True)

    def for_member(self, user: User) -> CompanyQuerySet:
        return self.open().filter(memberships__user=user)

    def for_advisor(self, user: User) -> CompanyQuerySet:
        if not user.is_advisor:
            return self.none()
        return self.open().filter(advisors=user)


class Company(models.Model):
    public_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier")
    )
    siret = models.CharField("SIRET", max_length=14, unique=True, validators=[validate_siret])
    name = models.CharField(_("company name"), max_length=200)
    naf_code = models.CharField(
        _("NAF code"), max_length=6, validators=[validate_naf], help_text=_("For example 25.62B")
    )
    headcount_band = models.CharField(_("headcount"), max_length=10, choices=HeadcountBand.choices)
    region = models.CharField(_("region"), max_length=2, choices=Region.choices)
    idcc = models.CharField(
        _("collective agreement (IDCC)"),
        max_length=4,
        blank=True,
        validators=[validate_idcc],
        help_text=_(
            "The 4-digit code of your collective agreement, on your payslips (3248 for the "
            "metal industry). Funding may depend on it; leave blank if you do not know it."
        ),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Closed by an admin: hidden at once, deleted with all its data after a grace period
    # (privacy.services.apply_retention).
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    advisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="portfolio",
        blank=True,
        limit_choices_to={"is_advisor": True},
        verbose_name=_("advisors"),
    )

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(siret__regex=r"^[0-9]{14}$"), name="company_siret_14_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(headcount_band__in=HeadcountBand.values),
                name="company_headcount_band_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(region__in=Region.values), name="company_region_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(idcc="") | models.Q(idcc__regex=r"^[0-9]{4}$"),
                name="company_idcc_4_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def sector(self) -> str:
        """The NAF division (two digits), used for conditions and benchmarks."""
        return self.naf_code[:2]

    @property
    def naf_section(self) -> str:
        """The NAF section letter (C for manufacturing), the benchmarks' sector."""
        return naf_section(self.naf_code[:2])

    def admins(self) -> Iterable[User]:
        return User.objects.filter(
            memberships__company=self, memberships__role=Membership.Role.ADMIN
        )

    def following_advisors(self) -> models.QuerySet[User]:
        """The skills operator's advisors who follow the company and can be written to:
        flagged advisor, active, not erased; by name."""
        return self.advisors.filter(
            is_advisor=True, is_active=True, erased_at__isnull=True
        ).order_by("full_name", "pk")


class MembershipQuerySet(models.QuerySet["Membership"]):
    def admins(self) -> MembershipQuerySet:
        return self.filter(role=Membership.Role.ADMIN)


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")

    public_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("company")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("joined"))

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["company__name", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "company"], name="membership_unique_pair"),
            models.CheckConstraint(
                condition=models.Q(role__in=["admin", "member"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An e-mailed invitation to join a company. Only a hash of the token is stored."""

    public_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public identifier")
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("company")
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(
        _("role"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    token_hash = models.CharField(
        max_length=64, unique=True, editable=False, verbose_name=_("token fingerprint")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created"))
    expires_at = models.DateTimeField(verbose_name=_("expires"))
    accepted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("accepted"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked"))

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "company",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.company}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and not self.is_expired
            and self.company.closed_at is None
        )


class Session(AbstractBaseSession):
    """A login session, as Django's, with its user's id in a column of its own: the
    request's first statement reads the session, its user and their memberships together
    (accounts.sessions). The session data stays the authority on who is logged in; the
    column only says which rows to read with it."""

    user_id = models.BigIntegerField(null=True, db_index=True, editable=False)

    @classmethod
    def get_session_store_class(cls) -> type:
        from .sessions.db import SessionStore

        return SessionStore
