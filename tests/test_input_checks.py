"""Input the database cannot store, files where none is expected, oversized requests:
a clear 400 in the user's language, never a server error, nothing stored."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Company
from diagnostics.models import Answer


def save_url(diagnostic, code="B.TWO.Q2"):
    return reverse("diagnostics:autosave", args=[diagnostic.public_id, code])


def domain_url(diagnostic, code="B"):
    return reverse("diagnostics:domain", args=[diagnostic.public_id, code])


@pytest.fixture
def member(client_for, company_a):
    client = client_for(company_a.member)
    client.cookies["django_language"] = "en"
    return client


def test_autosave_refuses_a_nul_on_first_save(member, diagnostic):
    response = member.post(
        save_url(diagnostic), {"value": "a\x00b", "version": "0"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "cannot be stored" in response.json()["error"]
    assert not Answer.objects.exists()


def test_autosave_refuses_a_nul_on_update(member, diagnostic):
    member.post(save_url(diagnostic), {"value": "first", "version": "0"})
    response = member.post(
        save_url(diagnostic), {"value": "x\x00", "version": "1"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert Answer.objects.get().value == "first"


def test_domain_page_refuses_a_nul_with_a_page_in_the_users_language(member, diagnostic):
    response = member.post(domain_url(diagnostic), {"q-B.TWO.Q2": "text\x00", "q-B.TWO.Q2-v": "0"})
    assert response.status_code == 400
    assert "cannot be stored" in response.text
    assert "Traceback" not in response.text
    assert not Answer.objects.exists()


def test_a_nul_in_a_field_name_or_the_query_string_is_refused(member, diagnostic):
    assert member.post(domain_url(diagnostic), {"q-\x00": "1"}).status_code == 400
    assert member.get(domain_url(diagnostic) + "?x=%00").status_code == 400


@pytest.mark.parametrize("bad", ['"a\\u0000"', '"\\ud800"', '{"ok\\udfff": 1}'])
def test_a_nul_or_lone_surrogate_in_a_json_body_is_refused(member, diagnostic, bad):
    response = member.post(
        save_url(diagnostic),
        '{"value": [' + bad + '], "version": 0}',
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert "cannot be stored" in response.json()["error"]
    assert not Answer.objects.exists()


def test_a_nul_on_a_public_form_is_refused(client, db):
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("accounts:signup"), {"company-name": "Acme\x00", "user-email": "a@b.example"}
    )
    assert response.status_code == 400
    assert "cannot be stored" in response.text
    assert not Company.objects.exists()


def test_a_nul_in_the_login_form_is_refused_without_error(client, db):
    response = client.post(reverse("accounts:login"), {"username": "a\x00@b.c", "password": "x"})
    assert response.status_code == 400


def test_a_file_sent_as_an_answer_is_refused_and_nothing_stored(member, diagnostic):
    upload = SimpleUploadedFile("answer.txt", b"hello", content_type="text/plain")
    response = member.post(
        save_url(diagnostic),
        {"value": upload, "version": "0"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert "does not accept files" in response.json()["error"]
    assert not Answer.objects.exists()


def test_a_file_on_the_domain_page_is_refused(member, diagnostic):
    upload = SimpleUploadedFile("answer.txt", b"hello", content_type="text/plain")
    response = member.post(domain_url(diagnostic), {"q-B.TWO.Q2": upload, "q-B.TWO.Q2-v": "0"})
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_the_message_is_french_first(client_for, company_a, diagnostic):
    response = client_for(company_a.member).post(
        save_url(diagnostic), {"value": "a\x00", "version": "0"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "caractère qui ne peut pas être enregistré" in response.json()["error"]
