import pytest
from django.core.management import call_command

from accounts.models import User
from footprints.selectors import footprint_stats

pytestmark = pytest.mark.django_db


def test_demo_load_makes_two_years_of_improving_history_and_can_run_again():
    call_command("demo_load", stdout=None)
    call_command("demo_load", stdout=None)
    demo = User.objects.get(email="demo@example.com")
    stats = footprint_stats(user=demo)
    assert stats["count"] == 24
    assert stats["change_since_first"]["kg"] < 0
    assert demo.goals.count() == 1
    assert demo.check_password("carbon demo 2026")
