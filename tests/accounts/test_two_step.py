"""Two-step sign-in: required for the head, the DSL and the coordinator; chosen by others."""

import re
from base64 import b32encode
from urllib.parse import quote

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mentoring.accounts.models import BackupCode, BackupCodeDevice
from mentoring.accounts.services import make_backup_codes
from mentoring.accounts.views import PENDING_KEY

from ..factories import DEMO_PASSWORD
from ..pages import mentions
from .second_step import code_now, phone_for

pytestmark = pytest.mark.django_db


def password_only(user):
    """A client that has passed the password step and nothing more."""
    client = Client()
    client.force_login(user)
    return client


def menu_links(page):
    """The main menu's links, as (address, words)."""
    return re.findall(
        r'<a class="nav-link[^"]*" href="([^"]*)"[^>]*>([^<]*)</a>', page.content.decode()
    )


def case_url(case):
    return reverse("case_detail", args=[case.pk])


def enter_code(client, code, next_url="/"):
    return client.post(reverse("two_factor_verify"), {"code": code, "next": next_url})


@pytest.mark.parametrize("persona", ["head", "dsl", "coordinator"])
def test_roles_that_see_every_case_must_set_up_an_app_before_anything_else(request, persona, case):
    client = password_only(request.getfixturevalue(persona))
    response = client.get(case_url(case))
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("two_factor_setup") + "?next=" + quote(case_url(case), safe="")
    )
    for url in (case_url(case), reverse("home"), reverse("case_list"), reverse("two_factor")):
        page = client.get(url, follow=True)
        assert page.redirect_chain[-1][0].startswith(reverse("two_factor_setup"))
        assert "Set up two-step sign-in" in page.content.decode()
        assert not mentions(page.content.decode(), case.pupil.legal_first_name)
        # No menu of pages that cannot be opened yet: only signing out.
        assert not menu_links(page)
        assert "Sign out" in page.content.decode()
        assert f'href="{reverse("two_factor")}"' not in page.content.decode()


@pytest.mark.parametrize("persona", ["head", "dsl", "coordinator"])
def test_with_an_app_they_must_enter_a_code_before_anything_else(request, persona, case):
    user = request.getfixturevalue(persona)
    phone_for(user)
    client = password_only(user)
    page = client.get(case_url(case), follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("two_factor_verify"))
    assert "Enter your code" in page.content.decode()
    assert not mentions(page.content.decode(), case.pupil.legal_first_name)
    assert not menu_links(page)
    # The set-up page cannot be used to put a different phone in place of theirs.
    assert client.get(reverse("two_factor_setup"))["Location"].startswith(
        reverse("two_factor_verify")
    )


def test_the_code_from_the_app_opens_the_page_asked_for(coordinator, case):
    phone = phone_for(coordinator)
    client = password_only(coordinator)
    response = enter_code(client, code_now(phone), next_url=case_url(case))
    assert response["Location"] == case_url(case)
    page = client.get(case_url(case))
    assert page.status_code == 200
    assert case.pupil.legal_first_name in page.content.decode()
    assert ("/referrals/", "Referrals") in menu_links(page)


def test_a_wrong_code_is_refused_and_a_second_try_straight_away_must_wait(coordinator, case):
    phone = phone_for(coordinator)
    client = password_only(coordinator)
    wrong = f"{(int(code_now(phone)) + 1) % 1_000_000:06d}"
    page = enter_code(client, wrong).content.decode()
    assert "That code did not work" in page
    page = enter_code(client, code_now(phone)).content.decode()
    assert "Too many wrong codes. Wait" in page
    assert client.get(case_url(case))["Location"].startswith(reverse("two_factor_verify"))


def test_a_code_already_used_cannot_be_used_again(coordinator):
    phone = phone_for(coordinator)
    code = code_now(phone)
    assert enter_code(password_only(coordinator), code).status_code == 302
    page = enter_code(password_only(coordinator), code)
    assert "That code did not work" in page.content.decode()


def test_htmx_requests_before_the_second_step_send_the_whole_page_to_it(coordinator):
    phone_for(coordinator)
    response = password_only(coordinator).get(
        reverse("case_list"), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/"
    )
    assert response["HX-Redirect"] == reverse("two_factor_verify") + "?next=%2F"


def test_signing_out_works_before_the_second_step(coordinator):
    client = password_only(coordinator)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_mentor_is_not_made_to_use_two_step_sign_in(mentor, case):
    page = password_only(mentor).get(case_url(case))
    assert page.status_code == 200
    assert case.pupil.legal_first_name in page.content.decode()


def test_a_mentor_who_turned_it_on_is_asked_for_a_code(mentor, case):
    phone_for(mentor)
    response = password_only(mentor).get(case_url(case))
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_the_real_sign_in_form_leads_to_the_code_page(coordinator):
    phone = phone_for(coordinator)
    client = Client()
    response = client.post(
        reverse("login"), {"username": "coordinator", "password": DEMO_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_verify"))
    assert enter_code(client, code_now(phone))["Location"] == "/"
    assert client.get("/").status_code == 200


# --- Setting up the app ---------------------------------------------------------------------


def shown_key(page):
    return re.search(r'id="authenticator-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")


def test_setting_up_an_app_with_a_real_code(head, case):
    client = password_only(head)
    page = client.get(reverse("two_factor_setup") + "?next=" + case_url(case)).content.decode()
    assert 'src="data:image/svg+xml' in page  # the QR code, drawn by the app itself
    assert "https://" not in re.search(r'<img src="([^"]+)"', page).group(1)
    key = client.session[PENDING_KEY]
    assert shown_key(page) == b32encode(bytes.fromhex(key)).decode()
    code = f"{totp(bytes.fromhex(key)):06d}"

    response = client.post(reverse("two_factor_setup"), {"code": code, "next": case_url(case)})
    assert response["Location"] == reverse("backup_codes") + "?next=" + quote(case_url(case), "")
    device = TOTPDevice.objects.get(user=head)
    assert device.confirmed and device.key == key

    # The backup codes are shown once, then never again.
    page = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "They are shown only now" in page
    again = client.get(reverse("backup_codes")).content.decode()
    assert not any(code in again for code in codes)
    assert "You have <strong>10</strong> unused backup codes" in again

    # Verified by the new app: the case is open.
    page = client.get(case_url(case))
    assert page.status_code == 200 and case.pupil.legal_first_name in page.content.decode()


def test_a_wrong_code_at_set_up_keeps_nothing(head):
    client = password_only(head)
    client.get(reverse("two_factor_setup"))
    key = bytes.fromhex(client.session[PENDING_KEY])
    wrong = f"{(totp(key) + 1) % 1_000_000:06d}"
    page = client.post(reverse("two_factor_setup"), {"code": wrong}).content.decode()
    assert "That code did not match" in page
    assert not TOTPDevice.objects.filter(user=head).exists()
    assert client.get("/")["Location"].startswith(reverse("two_factor_setup"))


def test_moving_to_a_new_phone_replaces_the_old_one(client_for, head):
    old = phone_for(head)
    client = client_for(head)
    client.get(reverse("two_factor_setup"))
    key = client.session[PENDING_KEY]
    # Wait for a fresh time step if needed: the code must differ from any the old phone used.
    code = f"{totp(bytes.fromhex(key)):06d}"
    assert client.post(reverse("two_factor_setup"), {"code": code}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=head).values_list("key", flat=True)) == [key]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def test_anyone_may_turn_it_on_from_the_two_step_page(client_for, mentor):
    page = client_for(mentor).get(reverse("two_factor")).content.decode()
    assert "Two-step sign-in is <strong>off</strong>" in page
    assert reverse("two_factor_setup") in page


# --- Backup codes ---------------------------------------------------------------------------


def test_backup_codes_are_stored_only_as_hashes(dsl):
    codes = make_backup_codes(user=dsl)
    hashes = list(BackupCode.objects.filter(device__user=dsl).values_list("code_hash", flat=True))
    assert len(hashes) == 10
    for code, code_hash in zip(codes, hashes, strict=True):
        plain = code.replace("-", "")
        assert code_hash.startswith("pbkdf2_sha256$")
        assert plain not in code_hash and code not in code_hash
        assert check_password(plain, code_hash)


def test_a_backup_code_works_once_in_place_of_the_app(dsl, case):
    phone_for(dsl)
    codes = make_backup_codes(user=dsl)
    client = password_only(dsl)
    # Typed as printed, with its dash, or in capitals with a space: all the same code.
    response = enter_code(client, codes[3].upper().replace("-", " "), next_url=case_url(case))
    assert response["Location"] == case_url(case)
    page = client.get(case_url(case)).content.decode()
    assert "You used a backup code: 9 left." in page
    assert case.pupil.legal_first_name in page
    assert BackupCodeDevice.objects.get(user=dsl).unused == 9

    page = enter_code(password_only(dsl), codes[3]).content.decode()
    assert "That code did not work" in page


def test_a_new_set_of_backup_codes_replaces_the_old(client_for, coordinator):
    client = client_for(coordinator)
    old = make_backup_codes(user=coordinator)
    response = client.post(reverse("backup_codes"))
    assert response["Location"] == reverse("backup_codes")
    page = client.get(reverse("backup_codes")).content.decode()
    new = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert enter_code(password_only(coordinator), new[0]).status_code == 302
    page = enter_code(password_only(coordinator), old[0]).content.decode()
    assert "That code did not work" in page


def test_new_backup_codes_need_a_verified_session(mentor):
    client = password_only(mentor)
    response = client.post(reverse("backup_codes"), follow=True)
    assert "Set up an authenticator app first." in response.content.decode()
    assert not BackupCode.objects.filter(device__user=mentor).exists()
