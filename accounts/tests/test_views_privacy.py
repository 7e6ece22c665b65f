"""The privacy page, the data download and account deletion in the browser."""

import io
import json
import zipfile

import pytest
from django.core import mail

from accounts.models import User
from accounts.tests.factories import UserFactory
from footprints.tests.factories import CarbonFootprintFactory

pytestmark = pytest.mark.django_db


def test_privacy_page_says_what_is_stored_and_for_how_long(client, settings):
    settings.AUDIT_LOG_RETENTION_DAYS = 400
    response = client.get("/privacy/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "<title>Privacy" in html
    assert "400 days, then archived" in html
    assert "Backups and archives" in html


def test_export_page_downloads_a_zip_of_everything(client, user):
    CarbonFootprintFactory(user=user)
    client.force_login(user)
    page = client.get("/accounts/export/")
    assert page.status_code == 200
    assert "Download my data (ZIP)" in page.content.decode()
    response = client.post("/accounts/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    export = json.loads(archive.read("export.json"))
    assert export["user"][0]["email"] == user.email
    assert len(export["footprints"]) == 1


def test_an_unverified_user_is_asked_to_verify_before_downloading(client):
    person = UserFactory(is_verified=False)
    client.force_login(person)
    assert "Confirm your email address first" in client.get("/accounts/export/").content.decode()
    response = client.post("/accounts/export/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/export/"
    assert response["Content-Type"].startswith("text/html")


def test_export_and_delete_pages_need_a_signed_in_user(client):
    for path in ("/accounts/export/", "/accounts/delete/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_deleting_needs_the_accounts_own_email_typed(client, user):
    client.force_login(user)
    response = client.post("/accounts/delete/", {"email": "someone.else@example.com"})
    assert response.status_code == 200
    assert "This is not the email address of your account." in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_deleting_erases_the_account_signs_out_and_emails_a_confirmation(
    client, user, django_capture_on_commit_callbacks
):
    CarbonFootprintFactory(user=user)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/delete/", {"email": user.email.upper()}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Your account and all its data have been deleted." in response.content.decode()
    assert not User.objects.filter(pk=user.pk).exists()
    assert response.wsgi_request.user.is_authenticated is False
    assert mail.outbox[-1].subject == "Your carbon_site account has been deleted"


def test_staff_export_a_persons_data_from_admin_and_it_is_audited(client, staff_user, user):
    from auditlog.models import LogEntry

    client.force_login(staff_user)
    response = client.post(
        "/admin/accounts/user/", {"action": "export_data", "_selected_action": [user.pk]}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    entry = LogEntry.objects.filter(additional_data__event="staff_exported_data").get()
    assert entry.actor == staff_user and entry.object_id == user.pk


def test_staff_erase_accounts_from_admin_and_it_is_audited(client, staff_user, user):
    from auditlog.models import LogEntry

    CarbonFootprintFactory(user=user)
    client.force_login(staff_user)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "erase_accounts", "_selected_action": [user.pk, staff_user.pk]},
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert User.objects.filter(pk=staff_user.pk).exists()  # never oneself
    entry = LogEntry.objects.filter(additional_data__event="staff_erased_account").get()
    assert entry.actor == staff_user
    assert entry.additional_data["user_uuid"] == str(user.uuid)
    assert user.email not in str(entry.additional_data) + entry.object_repr
