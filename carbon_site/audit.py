"""Who did it: the audit log's actor for requests that authenticate after the middleware ran."""

from auditlog.context import auditlog_value


def audit_actor_set(user) -> None:
    """Record `user` as the actor of the audit entries written during the current request.

    auditlog's middleware opens the request's audit context before DRF has authenticated a JWT,
    so it sees an anonymous user. The context's data is read when each entry is saved, so naming
    the actor here, once DRF knows who it is, covers every write the view makes.
    """
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    context["actor"] = user
