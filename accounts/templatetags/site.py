"""The site's header, built in Python: it is on every page, and the template engine
spent about 0.8 ms on it (some eighty nodes: links reversed on every page, conditions,
translations), a large share of a light page. Here the links and labels are worked out
once per process and language, and what changes with the request (the person, their
companies, the CSRF token, the page's address) goes through `html.escape`, what Django's
own escaping calls. The markup is the one the base template had."""

from __future__ import annotations

from functools import cache
from html import escape
from typing import TYPE_CHECKING, Any

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.access import current_membership

if TYPE_CHECKING:
    from django.http import HttpRequest

register = template.Library()

# The language switch names each language in itself.
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


@cache
def _fixed(language: str, script_prefix: str) -> dict[str, str]:
    """Links and labels, for a language (and the site's address prefix, which reverse()
    follows); the active language is `language` when this is first called for it."""
    links = {
        "home": "home",
        "list": "diagnostics:list",
        "members": "accounts:members",
        "portfolio": "advisors:portfolio",
        "pipeline": "operations:pipeline",
        "administration": "admin:index",
        "observatory": "observatory:needs",
        "switch": "accounts:switch_company",
        "profile": "accounts:profile",
        "logout": "accounts:logout",
        "login": "accounts:login",
        "set_language": "accounts:set_language",
    }
    fixed = {key: escape(reverse(name)) for key, name in links.items()}
    labels = {
        "main_nav": _("Main navigation"),
        "diagnostics": _("Diagnostics"),
        "members_label": _("Members"),
        "portfolio_label": _("My portfolio"),
        "pipeline_label": _("Report pipeline"),
        "administration_label": _("Administration"),
        "observatory_label": _("Observatory"),
        "company": _("Company"),
        "switch_label": _("Switch"),
        "log_out": _("Log out"),
        "log_in": _("Log in"),
        "language": _("Language"),
        "ok": _("OK"),
    }
    fixed.update({key: escape(str(label)) for key, label in labels.items()})
    return fixed


def _nav_item(href: str, label: str) -> str:
    return f'<li class="nav-item"><a class="nav-link" href="{href}">{label}</a></li>'


def header_html(request: HttpRequest | None, csrf_token: object = None) -> str:
    """The header for `request` (None: a page rendered without one, as anonymous). Its
    forms carry `csrf_token` when given: the page's own (the `csrf_token` of its context,
    which its `{% csrf_token %}` tags show), so that a page masks its token once."""
    language = get_language()
    f = _fixed(language, get_script_prefix())
    user = getattr(request, "user", None)
    if request is not None and not csrf_token:
        csrf_token = get_token(request)
    csrf = (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(csrf_token))}">'
        if request is not None
        else ""
    )
    nav: list[str] = []
    tools: list[str] = []
    if user is not None and user.is_authenticated:
        membership = current_membership(request)
        memberships = getattr(request, "_memberships", [])
        if membership:
            nav += [
                _nav_item(f["list"], f["diagnostics"]),
                _nav_item(f["members"], f["members_label"]),
            ]
        if user.is_advisor:
            nav.append(_nav_item(f["portfolio"], f["portfolio_label"]))
        if user.is_staff:
            nav.append(_nav_item(f["administration"], f["administration_label"]))
            nav.append(_nav_item(f["pipeline"], f["pipeline_label"]))
        if user.is_advisor or user.is_staff:
            nav.append(_nav_item(f["observatory"], f["observatory_label"]))
        if len(memberships) > 1:
            options = "".join(
                f'<option value="{escape(str(m.company.public_id))}"'
                f"{' selected' if membership and m.pk == membership.pk else ''}>"
                f"{escape(m.company.name)}</option>"
                for m in memberships
            )
            tools.append(
                f'<form method="post" action="{f["switch"]}" class="d-flex gap-1">{csrf}'
                f'<label class="visually-hidden" for="company-switch">{f["company"]}</label>'
                '<select id="company-switch" name="company" class="form-select form-select-sm">'
                f"{options}</select>"
                f'<button class="btn btn-sm btn-outline-secondary" type="submit">'
                f"{f['switch_label']}</button></form>"
            )
        elif membership:
            tools.append(
                f'<span class="small text-body-secondary">{escape(membership.company.name)}</span>'
            )
        tools.append(
            f'<a class="btn btn-sm btn-link" href="{f["profile"]}">{escape(user.full_name)}</a>'
            f'<form method="post" action="{f["logout"]}">{csrf}'
            f'<button class="btn btn-sm btn-outline-secondary" type="submit">{f["log_out"]}'
            "</button></form>"
        )
    else:
        tools.append(
            f'<a class="btn btn-sm btn-outline-primary" href="{f["login"]}">{f["log_in"]}</a>'
        )
    path = request.get_full_path() if request is not None else ""
    languages = "".join(
        f'<option value="{code}" lang="{code}"{" selected" if code == language else ""}>'
        f"{LANGUAGE_NAMES.get(code, code)}</option>"
        for code, _name in settings.LANGUAGES
    )
    tools.append(
        f'<form method="post" action="{f["set_language"]}" class="d-flex gap-1">{csrf}'
        f'<input type="hidden" name="next" value="{escape(path)}">'
        f'<label class="visually-hidden" for="language-switch">{f["language"]}</label>'
        '<select id="language-switch" name="language" class="form-select form-select-sm">'
        f"{languages}</select>"
        f'<button class="btn btn-sm btn-outline-secondary" type="submit">{f["ok"]}</button></form>'
    )
    return (
        '<header class="border-bottom bg-white">\n'
        f'<nav class="navbar navbar-expand-md container px-3" aria-label="{f["main_nav"]}">\n'
        f'<a class="navbar-brand fw-bold text-primary-emphasis" href="{f["home"]}">Autodiag</a>\n'
        f'<ul class="navbar-nav flex-row flex-wrap gap-3 me-auto">{"".join(nav)}</ul>\n'
        f'<div class="d-flex flex-wrap align-items-center gap-2">{"".join(tools)}</div>\n'
        "</nav>\n</header>"
    )


@register.simple_tag(takes_context=True)
def site_header(context: Any) -> SafeString:
    """The header of the page being rendered (its request)."""
    header = header_html(context.get("request"), context.get("csrf_token"))
    return mark_safe(header)  # noqa: S308 - built from escaped values
