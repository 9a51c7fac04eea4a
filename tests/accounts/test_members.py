from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Company, Invitation, Membership
from tests.factories import MembershipFactory

MEMBERS = reverse("accounts:members")
INVITE = reverse("accounts:invite")


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


# What the removal page posts.
CONFIRM = {"confirm": "1"}


def test_member_sees_colleagues_but_no_admin_forms(client_for, company_a):
    response = client_for(company_a.member).get(MEMBERS)
    assert response.status_code == 200
    assert company_a.admin.full_name in response.text
    assert 'action="/company/members/invite/"' not in response.text


def test_admin_sees_invite_form(client_for, company_a):
    response = client_for(company_a.admin).get(MEMBERS)
    assert response.status_code == 200
    assert 'action="/company/members/invite/"' in response.text


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(MEMBERS)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_admin_invites_and_mail_is_enqueued_after_commit(
    client_for, company_a, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr("accounts.tasks.send_invitation.delay", lambda *a: sent.append(a))
    client = client_for(company_a.admin)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(INVITE, {"email": "New.Person@Test.example", "role": "member"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "new.person@test.example"
    assert invitation.company == company_a.company
    assert len(callbacks) == 1
    assert sent == [(invitation.pk, "fr")]


@pytest.mark.quality("S2")
def test_company_slipped_into_the_form_is_ignored(client_for, company_a, company_b):
    client = client_for(company_a.admin)
    client.post(
        INVITE,
        {"email": "x@test.example", "role": "member", "company": str(company_b.company.public_id)},
    )
    assert Invitation.objects.get().company == company_a.company


def test_member_cannot_invite(client_for, company_a):
    response = client_for(company_a.member).post(
        INVITE, {"email": "x@test.example", "role": "member"}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address", "role": "member"}, "valid email"),
        ({"email": "x@test.example", "role": "owner"}, "valid choice"),
    ],
)
def test_invite_bad_input_is_refused(client_for, company_a, en, data, message):
    response = client_for(company_a.admin).post(INVITE, data)
    assert response.status_code == 400
    assert message in response.text
    assert not Invitation.objects.exists()


def test_inviting_a_member_again_is_refused(client_for, company_a, en):
    response = client_for(company_a.admin).post(
        INVITE, {"email": company_a.member.email, "role": "member"}
    )
    assert response.status_code == 400
    assert "already a member" in response.text


def test_second_pending_invitation_is_refused(client_for, company_a, en):
    client = client_for(company_a.admin)
    client.post(INVITE, {"email": "x@test.example", "role": "member"})
    response = client.post(INVITE, {"email": "X@test.example", "role": "admin"})
    assert response.status_code == 400
    assert "already pending" in response.text
    assert Invitation.objects.count() == 1


def test_invite_wrong_method(client_for, company_a):
    assert client_for(company_a.admin).get(INVITE).status_code == 405


def test_admin_revokes_invitation(client_for, company_a):
    client = client_for(company_a.admin)
    client.post(INVITE, {"email": "x@test.example", "role": "member"})
    invitation = Invitation.objects.get()
    response = client.post(reverse("accounts:revoke_invitation", args=[invitation.public_id]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert not invitation.is_usable


@pytest.mark.quality("S1")
def test_outsider_cannot_revoke_another_companys_invitation(client_for, company_a, outsider):
    client_for(company_a.admin).post(INVITE, {"email": "x@test.example", "role": "member"})
    invitation = Invitation.objects.get()
    client = client_for(outsider)
    response = client.post(reverse("accounts:revoke_invitation", args=[invitation.public_id]))
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_admin_changes_a_role(client_for, company_a):
    target = Membership.objects.get(user=company_a.member)
    response = client_for(company_a.admin).post(
        reverse("accounts:change_role", args=[target.public_id]), {"role": "admin"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == "admin"


def test_last_admin_cannot_step_down(client_for, company_a, en):
    own = Membership.objects.get(user=company_a.admin)
    client = client_for(company_a.admin)
    response = client.post(
        reverse("accounts:change_role", args=[own.public_id]), {"role": "member"}, follow=True
    )
    assert "at least one administrator" in response.text
    own.refresh_from_db()
    assert own.role == "admin"


def test_last_admin_cannot_be_removed(client_for, company_a, en):
    own = Membership.objects.get(user=company_a.admin)
    response = client_for(company_a.admin).post(
        reverse("accounts:remove_member", args=[own.public_id]), CONFIRM, follow=True
    )
    assert "last administrator" in response.text
    assert Membership.objects.filter(pk=own.pk).exists()


def test_removing_someone_asks_first_and_says_what_it_does(client_for, company_a, en):
    """One click on "Remove" leads to a page naming the person and what removing does; a
    post without that page's confirmation removes no one."""
    target = Membership.objects.get(user=company_a.member)
    client = client_for(company_a.admin)
    members = client.get(MEMBERS).text
    confirm_page = reverse("accounts:remove_member", args=[target.public_id])
    assert f'href="{confirm_page}"' in members
    page = client.get(confirm_page).text
    assert f"Remove {company_a.member.full_name} from" in page
    assert "will no longer see the company" in page
    assert 'name="confirm" value="1"' in page
    response = client.post(confirm_page)
    assert response.status_code == 200  # the confirmation page again
    assert Membership.objects.filter(pk=target.pk).exists()


def test_the_last_administrator_is_told_why_before_anything(client_for, company_a, en):
    own = Membership.objects.get(user=company_a.admin)
    page = (
        client_for(company_a.admin)
        .get(reverse("accounts:remove_member", args=[own.public_id]))
        .text
    )
    assert "data-last-admin" in page
    assert 'name="confirm"' not in page


def test_a_member_cannot_open_the_removal_page(client_for, company_a):
    target = Membership.objects.get(user=company_a.admin)
    url = reverse("accounts:remove_member", args=[target.public_id])
    assert client_for(company_a.member).get(url).status_code == 403


def test_admin_removes_a_member(client_for, company_a):
    target = Membership.objects.get(user=company_a.member)
    response = client_for(company_a.admin).post(
        reverse("accounts:remove_member", args=[target.public_id]), CONFIRM
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=target.pk).exists()


@pytest.mark.quality("S1")
def test_a_removed_member_loses_access_on_the_next_request(client, company_a, diagnostic):
    from django.test import Client

    overview = reverse("diagnostics:overview", args=[diagnostic.public_id])
    client.force_login(company_a.member)
    assert client.get(overview).status_code == 200
    target = Membership.objects.get(user=company_a.member)
    admin = Client()
    admin.force_login(company_a.admin)
    admin.post(reverse("accounts:remove_member", args=[target.public_id]), CONFIRM)
    assert client.get(overview).status_code == 404
    assert client.get(MEMBERS).status_code == 302


def test_an_admin_may_leave_when_another_admin_remains(client_for, company_a):
    MembershipFactory(company=company_a.company, role="admin")
    own = Membership.objects.get(user=company_a.admin)
    response = client_for(company_a.admin).post(
        reverse("accounts:remove_member", args=[own.public_id]), CONFIRM
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_member_cannot_change_roles(client_for, company_a):
    own = Membership.objects.get(user=company_a.member)
    response = client_for(company_a.member).post(
        reverse("accounts:change_role", args=[own.public_id]), {"role": "admin"}
    )
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.role == "member"


@pytest.mark.quality("S1")
def test_outsider_cannot_touch_another_companys_member(client_for, company_a, outsider):
    target = Membership.objects.get(user=company_a.member)
    client = client_for(outsider)
    assert (
        client.post(reverse("accounts:remove_member", args=[target.public_id]), CONFIRM).status_code
        == 404
    )
    assert (
        client.post(
            reverse("accounts:change_role", args=[target.public_id]), {"role": "admin"}
        ).status_code
        == 404
    )
    assert Membership.objects.filter(pk=target.pk, role="member").exists()


def test_bad_role_value_changes_nothing(client_for, company_a):
    target = Membership.objects.get(user=company_a.member)
    client_for(company_a.admin).post(
        reverse("accounts:change_role", args=[target.public_id]), {"role": "superuser"}
    )
    target.refresh_from_db()
    assert target.role == "member"


def test_company_profile_edit(client_for, company_a, en):
    client = client_for(company_a.admin)
    url = reverse("accounts:company_profile")
    assert client.get(url).status_code == 200
    bad = client.post(
        url, {"name": "X", "naf_code": "nope", "headcount_band": "1_9", "region": "11"}
    )
    assert bad.status_code == 400
    assert "NAF" in bad.text
    ok = client.post(
        url, {"name": "Nouveau nom", "naf_code": "2562a", "headcount_band": "1_9", "region": "11"}
    )
    assert ok.status_code == 302
    company_a.company.refresh_from_db()
    assert (company_a.company.name, company_a.company.naf_code) == ("Nouveau nom", "25.62A")


def test_company_profile_keeps_an_idcc_of_4_digits(client_for, company_a, en):
    client = client_for(company_a.admin)
    url = reverse("accounts:company_profile")
    data = {"name": "Forge", "naf_code": "25.62A", "headcount_band": "10_49", "region": "11"}
    bad = client.post(url, {**data, "idcc": "32a8"})
    assert bad.status_code == 400
    assert "An IDCC (collective agreement code) has exactly 4 digits" in bad.text
    company_a.company.refresh_from_db()
    assert company_a.company.idcc == ""
    assert client.post(url, {**data, "idcc": "292"}).status_code == 302
    company_a.company.refresh_from_db()
    assert company_a.company.idcc == "0292"
    assert client.post(url, {**data, "idcc": ""}).status_code == 302
    company_a.company.refresh_from_db()
    assert company_a.company.idcc == ""


def test_the_idcc_message_is_in_french(client_for, company_a):
    client = client_for(company_a.admin)
    data = {"name": "Forge", "naf_code": "25.62A", "headcount_band": "10_49", "region": "11"}
    response = client.post(reverse("accounts:company_profile"), {**data, "idcc": "32a8"})
    assert response.status_code == 400
    assert "Un code IDCC (convention collective) comporte exactement 4 chiffres" in response.text


def test_the_database_refuses_a_malformed_idcc(company_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.filter(pk=company_a.company.pk).update(idcc="12")


def test_member_cannot_edit_company_profile(client_for, company_a):
    assert client_for(company_a.member).get(reverse("accounts:company_profile")).status_code == 403


def test_switching_company(client_for, company_a, company_b):
    MembershipFactory(user=company_a.member, company=company_b.company)
    client = client_for(company_a.member)
    response = client.post(
        reverse("accounts:switch_company"), {"company": company_b.company.public_id}
    )
    assert response.status_code == 302
    assert company_b.company.name in client.get(reverse("home")).text


@pytest.mark.quality("S1")
def test_switching_to_a_foreign_company_is_404(client_for, company_a, company_b):
    client = client_for(company_a.member)
    response = client.post(
        reverse("accounts:switch_company"), {"company": company_b.company.public_id}
    )
    assert response.status_code == 404
    assert company_a.company.name in client.get(reverse("home")).text


@pytest.mark.quality("S1")
@pytest.mark.parametrize("value", ["abc", "", "1" * 40, "00000000-0000-0000-0000-00000000000g"])
def test_switching_to_what_is_no_company_id_is_404_and_changes_nothing(
    client_for, company_a, company_b, value
):
    """A forged value (not a company id at all) is answered like a company that is not
    the user's, not with a server error; the current company stays. (A NUL character is
    refused before any view: config.input_checks.)"""
    MembershipFactory(user=company_a.member, company=company_b.company)
    client = client_for(company_a.member)
    response = client.post(reverse("accounts:switch_company"), {"company": value})
    assert response.status_code == 404
    assert company_a.company.name in client.get(reverse("home")).text
