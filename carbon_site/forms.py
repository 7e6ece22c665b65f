"""What every page form shares: a service's errors shown next to the fields they name."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from carbon_site.exceptions import duplicate_field_name


class ServiceErrorsForm(forms.Form):
    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError next to the fields it names, the rest above the form."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)

    def add_duplicate_error(self, error: IntegrityError) -> None:
        """A unique value taken by a concurrent request: an error on its field, as in the API."""
        field = duplicate_field_name(error)
        if field is None:
            raise error
        self.add_error(field if field in self.fields else None, "This value is already taken.")
