"""The accessibility check itself: it must see a violation when there is one."""

from __future__ import annotations

import pytest

from tests.journeys.conftest import Accessibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_check_sees_an_unlabelled_field_and_passes_a_clean_page(live_server, page):
    checker = Accessibility("self-check")
    page.goto(live_server.url + "/login/")
    checker.check(page, "login")
    assert checker.found == []
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        " '<input type=text id=x><img src=data:, width=9 height=9>')"
    )
    checker.check(page, "login-broken")
    assert {"label", "image-alt"} <= {v["rule"] for v in checker.found}
