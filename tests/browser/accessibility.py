"""Running axe-core (vendored: tests/browser/vendor/axe.min.js, MPL-2.0, never from a CDN) on a page.

``axe_context(browser, live_server)`` opens a context that bypasses the Content-Security-Policy, for the
axe test only: the policy refuses the injected script, as it should. ``serious_violations(page)`` runs
axe on the page as it stands and returns the serious and critical violations, each with the elements.
"""
from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_context(browser, live_server, *, timeout_ms: int = 10_000):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", bypass_csp=True)
    context.set_default_timeout(timeout_ms)
    return context


def serious_violations(page) -> list[dict]:
    """axe's serious and critical violations on ``page`` (WCAG 2.1 A and AA rules and best practices)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary).slice(0, 5)}));
    }""")
    return [violation for violation in result if violation["impact"] in BLOCKING]


def rule_violations(page, rules: list[str]) -> list[dict]:
    """axe's violations of the given rules on ``page``, whatever their impact (those that
    ``serious_violations`` lets through, being minor, checked where a page is known to pass them)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async (rules) => {
        const result = await axe.run(document, {runOnly: {type: "rule", values: rules}, resultTypes: ["violations"]});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary).slice(0, 5)}));
    }""", rules)


def describe(page_path: str, violations: list[dict]) -> str:
    lines = [f"{page_path}:"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.extend(f"      {node}" for node in violation["nodes"])
    return "\n".join(lines)
