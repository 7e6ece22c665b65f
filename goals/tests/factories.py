import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from goals.models import UserGoal


class UserGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserGoal

    user = factory.SubFactory(UserFactory)
    goal_type = UserGoal.GoalType.REDUCTION_PERCENTAGE
    category = UserGoal.Category.TOTAL
    baseline_emissions = Decimal("8000.000")
    reduction_percentage = Decimal("20.00")
    target_emissions = Decimal("6400.000")
    target_date = factory.LazyFunction(lambda: timezone.now().date() + datetime.timedelta(days=365))
