"""Publishing background work so that a broker outage never loses it or fails a request."""

import logging

from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)


def task_enqueue(task, **kwargs) -> None:
    """Publish `task` once, without retrying; if the broker is down, run it here and now."""
    # Workers log a task's arguments when they receive it; an email's arguments hold links with
    # tokens and addresses, so the log gets only the argument names.
    redacted = "{" + ", ".join(f"{name!r}: ..." for name in sorted(kwargs)) + "}"
    try:
        task.apply_async(kwargs=kwargs, retry=False, argsrepr="()", kwargsrepr=redacted)
    except (BrokerError, ConnectionError, OSError) as error:
        logger.warning("broker unavailable, running %s inline: %s", task.name, type(error).__name__)
        task.apply(kwargs=kwargs, throw=True)
