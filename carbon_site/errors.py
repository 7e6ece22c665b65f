"""Domain errors that services raise and the one API exception handler turns into answers."""


class ApplicationError(Exception):
    """A business rule said no. `message` is for people; `code` is stable for clients."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field


class NotFoundError(ApplicationError):
    """Absent or not yours: the two are never told apart."""

    status_code = 404
    default_code = "not_found"


class PermissionDeniedError(ApplicationError):
    status_code = 403
    default_code = "permission_denied"


class FeatureDisabled(ApplicationError):
    """Staff have switched this feature off (system_config): 403 `feature_disabled`.

    The API handler answers it as JSON; pages get a friendly page
    (carbon_site.maintenance.FeatureDisabledPageMiddleware).
    """

    status_code = 403
    default_code = "feature_disabled"


class ConflictError(ApplicationError):
    """A named state conflict (409)."""

    status_code = 409
    default_code = "conflict"


class FieldErrors(ApplicationError):
    """Input that cannot be used, with every problem named by its field path (nested allowed):
    `{"transportation": {"car_fuel": ["Unknown fuel 'coal'; ..."]}}`."""

    def __init__(self, errors: dict):
        super().__init__("Some answers need correcting.", code="invalid")
        self.errors = errors
