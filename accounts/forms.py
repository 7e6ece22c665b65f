"""The account pages' input shapes. Rules live in accounts.services; forms only read the input
and show a service's errors next to the fields they name."""

import zoneinfo

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.contrib.auth.validators import UnicodeUsernameValidator

from carbon_site.forms import ServiceErrorsForm
from footprints.engine import countries

from .models import UserProfile


def _email_field(**kwargs) -> forms.EmailField:
    return forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        **kwargs,
    )


def _password_field(label: str, autocomplete: str, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        **kwargs,
    )


def _username_field(**kwargs) -> forms.CharField:
    return forms.CharField(
        label="Username",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        help_text="Letters, digits and @ . + - _ only.",
        **kwargs,
    )


class SignUpForm(ServiceErrorsForm):
    email = _email_field()
    username = _username_field()
    password = _password_field(
        "Password", "new-password", help_text=password_validators_help_text_html()
    )


class SignInForm(ServiceErrorsForm):
    email = _email_field()
    password = _password_field("Password", "current-password")


class EmailForm(ServiceErrorsForm):
    email = _email_field()


class SetPasswordForm(ServiceErrorsForm):
    new_password = _password_field(
        "New password", "new-password", help_text=password_validators_help_text_html()
    )
    new_password_again = _password_field("New password again", "new-password")

    def clean(self) -> dict:
        cleaned = super().clean()
        first, second = cleaned.get("new_password"), cleaned.get("new_password_again")
        if first and second and first != second:
            self.add_error("new_password_again", "The two passwords are not the same.")
        return cleaned


class PasswordChangeForm(SetPasswordForm):
    current_password = _password_field("Current password", "current-password")

    field_order = ["current_password", "new_password", "new_password_again"]


def _country_choices() -> list[tuple[str, str]]:
    return [("", "Not set"), *countries()]


def _timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class ProfileForm(ServiceErrorsForm):
    first_name = forms.CharField(
        label="First name",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    username = _username_field()
    email = _email_field(
        help_text="A new address is used once you follow the link we send to it.",
    )
    country = forms.ChoiceField(
        label="Country",
        required=False,
        choices=_country_choices,
        help_text="Sets the calculator's emission factors and comparisons.",
    )
    household_size = forms.IntegerField(
        label="People in your household",
        min_value=1,
        max_value=20,
        help_text="Home energy is shared between them.",
    )
    units = forms.ChoiceField(label="Units", choices=UserProfile.Units.choices)
    timezone = forms.ChoiceField(label="Time zone", choices=_timezone_choices)

    @classmethod
    def initial_for(cls, *, user, profile: UserProfile) -> dict:
        return {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "username": user.username,
            "email": user.email,
            "country": profile.country,
            "household_size": profile.household_size,
            "units": profile.units,
            "timezone": profile.timezone,
        }
