import pathlib
import shutil

import pytest

AXE = pathlib.Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.2 A and AA, and axe's best practices.
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium: `playwright install` cannot download here. The networking flags stop
    # Chromium reaching for the internet, which this machine refuses.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def login(page, live_server):
    def _login(user):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill("correct-horse-battery")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")

    return _login


# Rules that follow an id reference (aria-describedby, aria-labelledby, aria-controls): axe
# says "needs review" when the id is missing, and a screen reader then reads nothing.
AXE_REFERENCE_RULES = ("aria-",)


def axe_findings(page) -> list[str]:
    """What axe-core finds on the page as it stands: every violation of any impact, and every
    "needs review" on an aria reference.

    Evaluated through the browser's debugging protocol, so the page's Content-Security-Policy
    (no inline script) does not stop it and is not loosened for the test.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "rules => axe.run(document, {runOnly: {type: 'tag', values: rules},"
        " resultTypes: ['violations', 'incomplete']})",
        AXE_RULES,
    )
    unsure = [r for r in result["incomplete"] if r["id"].startswith(AXE_REFERENCE_RULES)]
    return [
        f"{r['id']} ({r['impact'] if r in result['violations'] else 'needs review'}): "
        f"{[n['target'] for n in r['nodes']][:3]}"
        for r in result["violations"] + unsure
    ]


@pytest.fixture
def axe(page):
    """Check the page as it stands with axe-core: nothing found (see axe_findings)."""

    def check(what: str = ""):
        found = axe_findings(page)
        assert found == [], f"axe on {what or page.url}: {found}"

    return check
