"""Every page, run through axe-core in a real browser: no serious or critical accessibility violation
(contrast, labels, landmarks, headings, names of links and buttons), signed in where the page needs it."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import axe_context, describe, rule_violations, serious_violations

pytestmark = pytest.mark.browser

FIRST = "Les administrations publient leurs données en ligne dans un délai de deux mois."
SECOND = "Les données publiées sont gratuites.\n\nElles sont mises à jour chaque année."
# minor rules (which serious_violations lets through) that every page passes, kept so
MINOR_RULES = ["empty-table-header"]


def _a_bill_with_everything(live_server):
    """A bill with a published second version, an open, a rejected and a deleting amendment, an argument
    (so a position) and a report: one of each thing a page shows."""
    from amendments.services import arguments, desk, moderation, participation, proposing
    from drafting.models import Article, User
    from drafting.services import bills

    author = live_server.create_user(live_server.unique("cabinet"), role="admin", display_name="Cabinet")
    moderator = live_server.create_user(live_server.unique("moderatrice"), role="moderator")
    citizen = live_server.create_user(live_server.unique("camille"), display_name="Camille Martin")
    bill = live_server.create_bill(author, title=f"Projet de loi {live_server.unique('axe')}", articles=[
        {"number": "1", "heading": "Objet", "text": FIRST}, {"number": "2", "text": SECOND}])
    with live_server.db.session() as session:
        staff = session.get(User, author.id)
        person = session.get(User, citizen.id)
        first, second = (session.get(Article, article.id) for article in bill.articles)
        merged = proposing.propose_amendment(session, person, first, text=FIRST.replace("deux", "trois"),
                                             explanation="Deux mois ne suffisent pas.", title="Trois mois")
        desk.publish_article_version(session, staff, first, expected_version=1, message="Trois mois",
                                     text=None, merge=[merged.amendment.id])
        bills.publish_bill_version(session, staff, bills.get_bill(session, bill.slug), "Version 2", "Trois mois")
        opened = proposing.propose_amendment(session, person, second, text=SECOND.replace("gratuites", "libres"),
                                             explanation="Libres plutôt que gratuites.", title="Données libres")
        refused = proposing.propose_amendment(session, person, second, text=SECOND.replace("année", "mois"),
                                              explanation="Plus souvent.", title="Chaque mois")
        desk.reject_amendment(session, staff, refused.amendment, "Trop coûteux pour les communes.")
        deletion = proposing.propose_deletion(session, person, second, explanation="Inutile.", title="Supprimer")
        target = participation.get_target(session, "article", first.id)
        argument = arguments.add_argument(session, person, target, "for", "La transparence renforce la confiance.")
        moderation.report(session, person, "argument", argument.argument.id, "Hors sujet")
        ids = {"open": opened.amendment.id, "rejected": refused.amendment.id, "deletion": deletion.amendment.id,
               "argument": argument.argument.id}
    return author, moderator, citizen, bill, ids


def test_every_page_has_no_serious_accessibility_violation(browser, live_server):
    author, moderator, citizen, bill, ids = _a_bill_with_everything(live_server)
    first, second = (article.id for article in bill.articles)
    public = [
        "/", bill.path, bill.article_path(0), bill.article_path(1), f"/amendments/{ids['open']}",
        f"/amendments/{ids['rejected']}", f"/amendments/{ids['deletion']}", f"{bill.path}/history",
        f"{bill.path}/diff?from=1&to=2", f"{bill.path}/versions/1", f"/articles/{first}/history",
        f"/articles/{first}/blame", f"/articles/{first}/compare?from=1&to=2", f"/articles/{first}/versions/1",
        f"/articles/{first}/arguments", f"{bill.path}/trash", "/search?q=données", "/register", "/login", "/login/code",
        "/schema", "/no-such-page", f"{bill.path}/synthesis",
    ]
    as_citizen = ["/me", "/me/changes", f"{bill.article_path(1)}/propose", f"/reports/new?target=argument&id={ids['argument']}"]
    as_author = [f"{bill.path}/review", f"{bill.path}/desk", f"/articles/{second}/merge", f"{bill.path}/settings",
                 "/bills/new", "/admin/roles", f"{bill.path}/participants/new"]
    as_moderator = ["/moderation", f"/moderation/argument/{ids['argument']}"]
    organization = live_server.create_user(live_server.unique("syndicat"), organization="Syndicat des éditeurs",
                                           declared_interests="Édition scientifique")

    failures = []
    for who, paths in ((None, public), (citizen, as_citizen), (author, as_author), (moderator, as_moderator),
                       (organization, ["/me"])):
        context = axe_context(browser, live_server)
        if who is not None:
            context.add_cookies([live_server.session_cookie(who.username)])
        page = context.new_page()
        if who is None:
            page.goto(bill.article_path(0))
            paths = [*paths, page.locator(".position-label a").first.get_attribute("href")]
        for path in paths:
            answer = page.goto(path)
            assert answer is not None and (answer.ok or path == "/no-such-page"), f"{path}: {answer and answer.status}"
            violations = serious_violations(page) + rule_violations(page, MINOR_RULES)
            if violations:
                failures.append(describe(path, violations))
        if who is author:  # the printable sign-in sheet is the answer to the enrolment form
            page.goto(f"{bill.path}/participants/new")
            page.get_by_label("Nom affiché").fill("Madeleine Roux")
            page.get_by_role("button", name="Créer le compte et le code").click()
            expect(page.locator("body")).to_contain_text("Madeleine Roux")
            violations = serious_violations(page)
            if violations:
                failures.append(describe("the sign-in sheet", violations))
        context.close()
    assert not failures, "\n".join(failures)
