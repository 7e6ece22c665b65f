import uuid

import factory
from django.utils import timezone

from accounts.models import User, UserProfile, UserSession

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    username = factory.Sequence(lambda n: f"person{n}")
    first_name = "Alex"
    last_name = "Green"
    is_verified = True
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class UserProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserProfile

    user = factory.SubFactory(UserFactory)
    country = "GB"
    household_size = 2


class UserSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserSession

    user = factory.SubFactory(UserFactory)
    kind = UserSession.Kind.API
    refresh_jti = factory.LazyFunction(lambda: uuid.uuid4().hex)
    device_name = "Pixel 9"
    user_agent = "carbon_site-android/1.0"
    ip_address = "203.0.113.7"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=7))
