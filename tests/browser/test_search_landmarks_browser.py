"""The search page through axe-core, every impact counted (the suite's axe run stops at serious): the
page's search form and the header's are two search landmarks, told apart by the page form's name."""
from __future__ import annotations

import pytest

from tests.browser.accessibility import AXE, axe_context, describe

pytestmark = pytest.mark.browser


def _violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary).slice(0, 5)}));
    }""")


def test_the_search_page_has_no_accessibility_violation_at_all(browser, live_server):
    author = live_server.create_user(live_server.unique("cabinet"), role="admin")
    live_server.create_bill(author, title=f"Projet {live_server.unique('recherche')}",
                            articles=[{"number": "1", "text": "Les administrations publient leurs données."}])
    context = axe_context(browser, live_server)
    page = context.new_page()
    failures = []
    for path in ("/search", "/search?q=données", "/search?q=introuvablezzz"):
        answer = page.goto(path)
        assert answer is not None and answer.ok, path
        if path == "/search?q=données":
            assert page.locator(".search-result").count() >= 1
        assert page.get_by_role("search", name="Recherche").count() == 1
        violations = _violations(page)
        if violations:
            failures.append(describe(path, violations))
    context.close()
    assert not failures, "\n".join(failures)
