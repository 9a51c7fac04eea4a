"""`{% public_url %}` (accounts/templatetags/links.py) gives what `reverse()` gives."""

from __future__ import annotations

import uuid

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix

from accounts.templatetags.links import public_url

NAMES = ("diagnostics:overview", "diagnostics:results", "reports:plan", "advisors:company")


@pytest.mark.parametrize("name", NAMES)
def test_gives_what_reverse_gives(name):
    for public_id in (uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)):
        assert public_url(name, public_id) == reverse(name, args=[public_id])
        assert public_url(name, str(public_id)) == reverse(name, args=[public_id])


def test_follows_the_script_prefix():
    public_id = uuid.uuid4()
    try:
        set_script_prefix("/autodiag/")
        assert public_url("diagnostics:results", public_id) == reverse(
            "diagnostics:results", args=[public_id]
        )
        assert public_url("diagnostics:results", public_id).startswith("/autodiag/")
    finally:
        set_script_prefix("/")
    assert public_url("diagnostics:results", public_id).startswith("/diagnostics/")


def test_refuses_what_is_not_a_public_id():
    with pytest.raises(ValueError, match="badly formed"):
        public_url("diagnostics:results", "../admin")


def test_the_tag_renders_the_address():
    public_id = uuid.uuid4()
    html = Template("{% load links %}{% public_url 'reports:plan' pid %}").render(
        Context({"pid": public_id})
    )
    assert html == reverse("reports:plan", args=[public_id])
