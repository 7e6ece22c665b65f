"""Single-use tokens sent by email: random, shown once, stored only as a SHA-256 hash."""

import hashlib
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class IssuedToken:
    raw: str  # goes into the email link, never into the database or a log
    digest: str  # what is stored


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue() -> IssuedToken:
    raw = secrets.token_urlsafe(32)
    return IssuedToken(raw=raw, digest=token_digest(raw))
