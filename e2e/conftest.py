"""Fixtures for the browser tests: one Chromium for the whole run, a fresh browser context
(cookies, viewport) per visitor, Django's live server on a transactional database, and emails
written to files by Django's file backend.

Every page a visitor opens is watched: a console error (a CSP violation is one: "Refused to load
... because it violates the following Content Security Policy directive"), an uncaught script
error or a request that leaves the site fails the test that caused it.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The machine's network is closed: without the background-networking flags Chromium keeps
# knocking at refused connections (updates, sync, field trials) and slows every page down.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 375, "height": 812},
}
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
TIMEOUT_MS = 10_000
# Asked for by the browser itself, not by a page: the site has no favicon yet, so Chromium's
# request for one logs a 404 in the console on the first page of every visit.
KNOWN_MISSING = {"/favicon.ico"}

# Chromium reports a CSP violation in the console too; this says which directive and what was
# blocked, whatever the console's wording. An init script runs outside the page's CSP.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.href}:${event.lineNumber}`);
});
"""

# Where the page is wider than the window, and which elements stick out.
LAYOUT_PROBE = """
() => {
  const width = window.innerWidth;
  const wide = [];
  if (document.documentElement.scrollWidth > width) {
    for (const element of document.querySelectorAll("body *")) {
      const box = element.getBoundingClientRect();
      if (box.width > 0 && box.right > width + 0.5) {
        const classes = typeof element.className === "string" && element.className.trim()
          ? "." + element.className.trim().split(/\\s+/).join(".") : "";
        wide.push(`${element.tagName.toLowerCase()}${element.id ? "#" + element.id : ""}`
          + `${classes} (right edge ${Math.round(box.right)} px)`);
      }
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width,
          wide: wide.slice(0, 10)};
}
"""

# A table wider than its box must scroll in a region people reach with the keyboard
# (tabindex="0", role="region", a name); otherwise its columns are simply cut off.
TABLE_PROBE = """
() => {
  const cut = [];
  for (const table of document.querySelectorAll("main table")) {
    const box = table.parentElement;
    if (!table.getClientRects().length || table.scrollWidth <= box.clientWidth + 1) continue;
    const named = box.hasAttribute("aria-label") || box.hasAttribute("aria-labelledby");
    if (!(box.getAttribute("tabindex") === "0" && box.getAttribute("role") === "region" && named)) {
      const name = `table${table.id ? "#" + table.id : ""}`;
      cut.push(`${name} (${table.scrollWidth} px in ${box.clientWidth})`);
    }
  }
  return cut;
}
"""

# Chart text as it is drawn: an SVG scales its text with its width, so a chart squeezed onto a
# phone can shrink its labels below what people can read.
CHART_TEXT_PROBE = """
() => {
  const small = [];
  for (const svg of document.querySelectorAll("main svg[viewBox]")) {
    const shown = svg.getBoundingClientRect().width;
    if (!shown) continue;
    const scale = shown / svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll("text")) {
      const px = parseFloat(getComputedStyle(text).fontSize) * scale;
      if (px < SMALLEST) small.push(`"${text.textContent.trim()}" at ${px.toFixed(1)} px`);
    }
  }
  return small.slice(0, 5);
}
"""
SMALLEST_CHART_TEXT_PX = 11.5


@pytest.fixture(scope="session")
def _async_unsafe() -> Iterator[None]:
    """Playwright's sync API runs an asyncio loop in this thread, so Django would refuse the
    test's own database queries as "called from an async context". Allowed for these tests
    only, while the browser is open."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser(_async_unsafe):
    """Debian's Chromium (never a Playwright download), headless, one for the whole run."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"The e2e tests need Chromium at {CHROMIUM}: run scripts/ensure-chromium.sh "
            "(as root it installs Debian's chromium), or set CHROMIUM_PATH.",
            pytrace=False,
        )
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture(autouse=True)
def _e2e_settings(settings, live_server, tmp_path) -> None:
    """The live server (transactional database) with emails written to files, links in them
    pointing at it, and no rate limits: a journey signs up and in more often than a person."""
    settings.RATELIMIT_ENABLE = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.SITE_URL = live_server.url


# --- A visitor: one browser context, one page, watched ---------------------------------------


@dataclass
class Visitor:
    """A person at a browser of a given width, with the checks every page must pass."""

    page: Page
    viewport: str
    base_url: str
    problems: list[str] = field(default_factory=list)

    # What the browser reports.
    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        location = message.location or {}
        where = location.get("url") or self.page.url
        if where.removeprefix(self.base_url) in KNOWN_MISSING:
            return
        self.problems.append(f"console error on {where}: {message.text}")

    def _on_page_error(self, error) -> None:
        self.problems.append(f"uncaught script error on {self.page.url}: {error}")

    def _on_request(self, request) -> None:
        url = request.url
        if not (url.startswith(self.base_url) or url.startswith(("data:", "blob:", "about:"))):
            self.problems.append(f"request leaving the site from {self.page.url}: {url}")

    def assert_no_problems(self) -> None:
        """Fail on whatever the browser reported since the last look (each only once)."""
        problems, self.problems[:] = list(self.problems), []
        assert not problems, "The browser reported:\n" + "\n".join(problems)

    # Moving around.
    def open(self, path: str):
        response = self.page.goto(path)
        assert response is not None, f"{path}: no response"
        assert response.ok, f"{path}: HTTP {response.status}"
        return response

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    # What the person sees.
    def sees(self, heading: str | re.Pattern) -> None:
        """The page's one h1 reads `heading`; it fits the window; the browser is happy."""
        expect(self.page.get_by_role("heading", level=1)).to_have_text(heading)
        self.check_layout()
        self.assert_no_problems()

    def check_layout(self) -> None:
        """No sideways scrolling: the page is no wider than the window (375 px on a phone), a
        table too wide for its box scrolls in a keyboard-reachable region, chart text is
        readable."""
        probe = self.page.evaluate(LAYOUT_PROBE)
        assert probe["scrollWidth"] <= probe["innerWidth"], (
            f"{self.path} scrolls sideways at {probe['innerWidth']} px: the page is "
            f"{probe['scrollWidth']} px wide. Sticking out: {', '.join(probe['wide'])}"
        )
        cut = self.page.evaluate(TABLE_PROBE)
        assert not cut, (
            f"{self.path}: a table is wider than its box and cannot be scrolled from the "
            f"keyboard: {', '.join(cut)}"
        )
        small = self.page.evaluate(
            CHART_TEXT_PROBE.replace("SMALLEST", str(SMALLEST_CHART_TEXT_PX))
        )
        assert not small, f"{self.path}: chart text too small to read: {', '.join(small)}"

    def told(self, text: str) -> None:
        """A message at the top of the page (Django's messages framework) says `text`."""
        expect(self.page.locator(".messages")).to_contain_text(text)

    def shot(self, name: str) -> Path:
        """A full-page screenshot: var/screenshots/<viewport>/<name>.png."""
        path = SCREENSHOTS / self.viewport / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True, animations="disabled")
        return path


@pytest.fixture
def browse(browser, live_server) -> Iterator[Callable[..., Visitor]]:
    """browse("desktop" | "phone") -> a new Visitor with its own cookies. Whatever the browser
    reported and no step looked at yet fails the test at the end."""
    opened: list[tuple[object, Visitor]] = []

    def open_visitor(viewport: str = "desktop") -> Visitor:
        context = browser.new_context(
            viewport=VIEWPORTS[viewport],
            base_url=live_server.url,
            locale="en-GB",  # Accept-Language: the calculator's country defaults to GB
            timezone_id="UTC",
            accept_downloads=True,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        visitor = Visitor(page=page, viewport=viewport, base_url=live_server.url)
        page.on("console", visitor._on_console)
        page.on("pageerror", visitor._on_page_error)
        page.on("request", visitor._on_request)
        opened.append((context, visitor))
        return visitor

    expect.set_options(timeout=TIMEOUT_MS)
    yield open_visitor
    for context, _ in opened:
        context.close()
    for _, visitor in opened:
        visitor.assert_no_problems()


# --- Emails the site sent --------------------------------------------------------------------


@dataclass(frozen=True)
class SentEmail:
    to: str
    subject: str
    text: str

    def link(self, path_pattern: str) -> str:
        """The first link in the plain-text body whose path matches `path_pattern`."""
        match = re.search(rf"https?://[^\s/]+{path_pattern}", self.text)
        assert match, (
            f"No link matching {path_pattern!r} in the email {self.subject!r}:\n{self.text}"
        )
        return match.group(0)


class Mailbox:
    """The emails Django's file backend wrote (one .log file per connection, each message
    followed by a line of 79 dashes)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def all(self) -> list[SentEmail]:
        sent = []
        if not self.folder.exists():
            return sent
        for path in sorted(self.folder.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
            for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if not raw.strip():
                    continue
                message = email.message_from_bytes(raw, policy=email.policy.default)
                body = message.get_body(preferencelist=("plain",))
                sent.append(
                    SentEmail(
                        to=str(message["To"]),
                        subject=str(message["Subject"]),
                        text=body.get_content() if body is not None else "",
                    )
                )
        return sent

    def wait_for(self, *, to: str, subject_contains: str, timeout: float = 5.0) -> SentEmail:
        """The latest email to `to` whose subject contains the words: sent after the commit of
        the request that asked for it, so give it a moment."""
        deadline = time.monotonic() + timeout
        while True:
            found = [
                sent
                for sent in self.all()
                if to in sent.to and subject_contains.lower() in sent.subject.lower()
            ]
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                subjects = [(sent.to, sent.subject) for sent in self.all()]
                raise AssertionError(
                    f"No email to {to} about {subject_contains!r}; sent: {subjects}"
                )
            time.sleep(0.1)


@pytest.fixture
def mailbox(settings, _e2e_settings) -> Mailbox:
    return Mailbox(Path(settings.EMAIL_FILE_PATH))
