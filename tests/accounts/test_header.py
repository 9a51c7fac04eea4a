"""The site's header on every page (accounts/templatetags/site.py): what each person sees,
the company switch and the language switch, everything from the request escaped."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

HOSTILE = '<b>Dupont & "Fils"</b> l\'atelier'
ESCAPED = "&lt;b&gt;Dupont &amp; &quot;Fils&quot;&lt;/b&gt; l&#x27;atelier"


def header(html: str) -> str:
    return re.search(r"<header.*?</header>", html, re.S).group(0)


def nav_links(html: str) -> list[str]:
    return re.findall(r'class="nav-link" href="([^"]+)"', header(html))


def test_visitor_gets_log_in_and_the_language_switch(client):
    html = header(client.get(reverse("accounts:login")).text)
    assert f'href="{reverse("accounts:login")}">Se connecter</a>' in html
    assert nav_links(html) == []
    assert f'action="{reverse("accounts:logout")}"' not in html
    assert '<option value="fr" lang="fr" selected>Français</option>' in html
    assert html.count('name="csrfmiddlewaretoken"') == 1


def test_member_sees_their_company_and_their_name_escaped(client_for, company_a):
    company_a.company.name = HOSTILE
    company_a.company.save()
    company_a.member.full_name = HOSTILE
    company_a.member.save()
    html = header(client_for(company_a.member).get(reverse("diagnostics:list")).text)
    assert nav_links(html) == [reverse("diagnostics:list"), reverse("accounts:members")]
    assert f'<span class="small text-body-secondary">{ESCAPED}</span>' in html
    assert f'href="{reverse("accounts:profile")}">{ESCAPED}</a>' in html
    assert HOSTILE not in html
    assert 'id="company-switch"' not in html
    assert f'action="{reverse("accounts:logout")}"' in html
    assert html.count('name="csrfmiddlewaretoken"') == 2  # log out, language


def test_member_of_two_companies_gets_the_switch_with_the_current_one_selected(
    client_for, company_a
):
    other = CompanyFactory(name=HOSTILE)
    MembershipFactory(user=company_a.member, company=other, role=Membership.Role.MEMBER)
    client = client_for(company_a.member)
    html = header(client.get(reverse("diagnostics:list")).text)
    options = re.findall(r'<option value="([0-9a-f-]{36})"( selected)?>([^<]*)</option>', html)
    names = sorted([(company_a.company.name, str(company_a.company.public_id)), (ESCAPED, "")])
    assert [name for _, _, name in options] == [name for name, _ in names]
    selected = [value for value, chosen, _ in options if chosen]
    assert len(selected) == 1
    client.post(reverse("accounts:switch_company"), {"company": str(other.public_id)})
    html = header(client.get(reverse("diagnostics:list")).text)
    assert re.search(rf'<option value="{other.public_id}" selected>{re.escape(ESCAPED)}<', html)


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"is_advisor": True}, ["advisors:portfolio", "observatory:needs"]),
        ({"is_staff": True}, ["admin:index", "operations:pipeline", "observatory:needs"]),
        (
            {"is_advisor": True, "is_staff": True},
            ["advisors:portfolio", "admin:index", "operations:pipeline", "observatory:needs"],
        ),
    ],
)
def test_advisors_and_staff_get_their_links(client_for, db, flags, expected):
    user = UserFactory(**flags)
    html = client_for(user).get(reverse("accounts:profile")).text
    assert nav_links(html) == [reverse(name) for name in expected]


def test_the_language_switch_returns_to_the_page_with_its_query_escaped(client_for, company_a):
    client = client_for(company_a.admin)
    html = header(client.get(reverse("diagnostics:list") + '?page=2&x="<y>').text)
    assert 'name="next" value="/diagnostics/?page=2&amp;x=%22%3Cy%3E"' in html
    client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    html = header(client.get(reverse("diagnostics:list")).text)
    assert '<option value="en" lang="en" selected>English</option>' in html
    assert ">Members</a>" in html
    assert ">Log out</button>" in html
    assert 'aria-label="Main navigation"' in html


def test_a_page_rendered_without_a_request_has_the_visitors_header(db):
    with translation.override("fr"):
        html = header(render_to_string("404.html"))
    assert ">Se connecter</a>" in html
    assert "csrfmiddlewaretoken" not in html
    assert 'name="next" value=""' in html
