from carbon_site.retention import anonymous_calculations_anonymise

from ._job import JobCommand


class Command(JobCommand):
    help = "Clear the IP address, user agent and claim token of old anonymous calculations."
    job = "anonymise_calculations"
    service = staticmethod(anonymous_calculations_anonymise)
