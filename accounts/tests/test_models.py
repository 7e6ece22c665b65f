import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.test import override_settings

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory, UserProfileFactory
from carbon_site import settings as project_settings

pytestmark = pytest.mark.django_db


def test_household_size_outside_one_to_twenty_is_refused():
    for size in (0, 21):
        with pytest.raises(IntegrityError), transaction.atomic():
            UserProfileFactory(household_size=size)


def test_emails_are_stored_lower_case_so_one_address_is_one_account():
    User.objects.create_user(email="  Alex@Example.COM ", username="alex", password="x" * 12)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="alex@example.com", username="alex2", password="x" * 12)


def test_sign_in_by_email_in_any_case():
    person = UserFactory(email="sam@example.com")
    assert authenticate(username="SAM@example.com", password=DEFAULT_PASSWORD) == person


@override_settings(PASSWORD_HASHERS=project_settings.PRODUCTION_PASSWORD_HASHERS)
def test_production_hashes_passwords_with_bcrypt_over_sha256():
    person = User.objects.create_user(
        email="long@example.com", username="long", password="p" * 72 + "suffix"
    )
    assert person.password.startswith("bcrypt_sha256$")
    # Plain bcrypt would accept the first 72 bytes alone: bcrypt-over-SHA-256 does not.
    assert not person.check_password("p" * 72)
    assert person.check_password("p" * 72 + "suffix")
