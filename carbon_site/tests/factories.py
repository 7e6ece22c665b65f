import factory

from carbon_site.models import SystemConfig


class SystemConfigFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SystemConfig

    key = factory.Sequence(lambda n: f"setting_{n}")
    value = factory.LazyFunction(lambda: {"enabled": True})
    description = "A setting for tests."
