"""Anonymous results kept in the browser session, so signing up or in can claim them.

The session holds `{calculation_uuid: claim_token}`; the token itself is what proves the visitor
made the calculation (only its hash is stored with the footprint).
"""

SESSION_KEY = "claim_tokens"
MAX_KEPT = 50


def session_claim_remember(request, *, calculation_uuid, claim_token: str) -> None:
    kept = dict(request.session.get(SESSION_KEY, {}))
    kept[str(calculation_uuid)] = claim_token
    request.session[SESSION_KEY] = dict(list(kept.items())[-MAX_KEPT:])


def session_claim_tokens(request) -> dict[str, str]:
    """Every kept `{calculation_uuid: claim_token}`."""
    return dict(request.session.get(SESSION_KEY, {}))


def session_claim_token(request, calculation_uuid) -> str | None:
    return session_claim_tokens(request).get(str(calculation_uuid))


def session_claims_forget(request, calculation_uuids) -> None:
    kept = session_claim_tokens(request)
    for calculation_uuid in calculation_uuids:
        kept.pop(str(calculation_uuid), None)
    request.session[SESSION_KEY] = kept
