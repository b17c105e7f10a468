"""Amendment pages through HTTP (issue 3): proposing with and without JavaScript, the redline, the list."""
from __future__ import annotations

import html as html_module
import re

import pytest
from sqlalchemy import select

from amendments.services import participation
from amendments.models import Amendment, ModerationDecision, Vote
from drafting.models import User
from drafting.web.request import SESSION_COOKIE
from tests.conftest import sign_in
from tests.amendments.test_amendments_api import QuickApi, quick_account

BASE = "\n".join(f"Alinéa {n} : les données publiques sont ouvertes." for n in range(1, 9))
CHANGED = BASE.replace("Alinéa 5 : les données publiques", "Alinéa 5 : les données publiques et privées")
SCRIPT = "<script>alert('navette')</script>"
INSERTED = re.compile(r"<ins>\s*et privées\s*</ins>")


@pytest.fixture
def api(api):
    return QuickApi(api)


@pytest.fixture
def admin(api):
    return api.user("admin", role="admin", display_name="Cabinet du ministre")


@pytest.fixture
def bill(api, admin):
    return api.bill(admin, articles=[{"number": "1", "heading": "Ouverture", "text": BASE},
                                     {"number": "2", "text": "Un décret précise les modalités."}])


@pytest.fixture
def article(bill):
    return bill["articles"][0]


def new_session(client, api, username, **fields):
    """A browser session for a new account (the login form itself is tested with accounts)."""
    quick_account(api.db, username, **fields)
    sign_in(client, api.db, username)


def post_form(client, url, data, **kwargs):
    return client.post(url, data={**data, "_csrf_token": client.cookies.get("navette_csrf")},
                       follow_redirects=False, **kwargs)


def urls(bill, article):
    base = f"/bills/{bill['slug']}/articles/{article['id']}"
    return {"article": base, "propose": f"{base}/propose", "preview": f"{base}/propose/preview",
            "create": f"{base}/amendments"}


def textarea(html, name):
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    return found.group(1) if found else None


def unescape(html):
    return html_module.unescape(html)


def live_scripts(html):
    """The <script> elements of a page other than the site's own static files (htmx, the desk's)."""
    return [tag for tag in re.findall(r"<script\b[^>]*>", html, re.I)
            if not re.fullmatch(r'<script src="/static/(htmx\.min|desk)\.js" defer>', tag)]


# --- proposing ---------------------------------------------------------------------------------

def test_article_page_links_to_proposing_and_the_editor_starts_from_the_current_text(client, api, bill, article):
    page = client.get(urls(bill, article)["article"])
    assert "Proposer une modification" in page.text
    assert f'href="{urls(bill, article)["propose"]}"' in page.text
    anonymous = client.get(urls(bill, article)["propose"], follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    new_session(client, api, "alice")
    editor = client.get(urls(bill, article)["propose"])
    assert editor.status_code == 200
    assert unescape(textarea(editor.text, "text")) == BASE
    assert f'hx-post="{urls(bill, article)["preview"]}"' in editor.text
    assert 'hx-trigger="keyup changed delay:400ms"' in editor.text and 'hx-target="#preview"' in editor.text
    assert f'action="{urls(bill, article)["preview"]}"' in editor.text  # without JavaScript: the preview page
    assert 'name="base_version" value="1"' in editor.text


def test_live_preview_answers_the_redline_fragment_to_htmx(client, api, bill, article):
    new_session(client, api, "alice")
    form = {"kind": "modify", "base_version": "1", "text": CHANGED}
    response = post_form(client, urls(bill, article)["preview"], form, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and INSERTED.search(response.text)
    assert "HX-Request" in response.headers["vary"]
    assert "début d'insertion" in unescape(response.text)  # told apart by more than colour
    assert "alinéas inchangés" in response.text  # long unchanged runs folded
    same = post_form(client, urls(bill, article)["preview"], {"kind": "modify", "base_version": "1", "text": BASE},
                     headers={"HX-Request": "true"})
    assert "<ins>" not in same.text and "identique" in same.text


def test_without_javascript_the_form_posts_to_a_preview_page_then_confirms(client, api, bill, article):
    new_session(client, api, "alice")
    form = {"kind": "modify", "base_version": "1", "text": CHANGED, "title": "Données privées",
            "explanation": "Les données **privées** aussi."}
    preview = post_form(client, urls(bill, article)["preview"], form)
    assert preview.status_code == 200 and "<!doctype html>" in preview.text
    assert INSERTED.search(preview.text)
    assert f'formaction="{urls(bill, article)["create"]}"' in preview.text
    assert "Confirmer et déposer la proposition" in preview.text
    assert unescape(textarea(preview.text, "text")) == CHANGED
    created = post_form(client, urls(bill, article)["create"], form)
    assert created.status_code == 303
    assert re.fullmatch(r"/amendments/\d+", created.headers["location"])
    page = client.get(created.headers["location"])
    assert page.status_code == 200
    assert INSERTED.search(page.text) and "<h1>Données privées</h1>" in page.text
    assert "<strong>privées</strong>" in page.text  # the explanation is Markdown
    assert "rédigée sur la version 1" in page.text and "0 co-signataire" in page.text
    listed = client.get(urls(bill, article)["article"]).text
    assert f'href="{created.headers["location"]}"' in listed and "Données privées" in listed


def test_invalid_proposal_shows_the_form_again_with_the_reason(client, api, bill, article):
    new_session(client, api, "alice")
    response = post_form(client, urls(bill, article)["create"], {"kind": "modify", "base_version": "1", "text": BASE,
                                                                 "title": "Rien"})
    assert response.status_code == 400
    assert 'class="error"' in response.text and "identique" in response.text
    assert 'value="Rien"' in response.text
    too_long = post_form(client, urls(bill, article)["create"], {"kind": "modify", "text": "x" * 100_001})
    assert too_long.status_code == 400 and "100000" in too_long.text


def test_deletion_and_new_article_are_proposed_from_the_article_page(client, api, bill, article):
    new_session(client, api, "alice")
    deletion_page = client.get(urls(bill, article)["propose"] + "?kind=delete")
    assert deletion_page.status_code == 200 and "<del>" in deletion_page.text
    assert textarea(deletion_page.text, "text") is None
    deleted = post_form(client, urls(bill, article)["create"], {"kind": "delete", "base_version": "1",
                                                                "explanation": "Superflu."})
    assert deleted.status_code == 303
    deletion = client.get(deleted.headers["location"]).text
    assert "Suppression de l&#39;article" in deletion and "<del>Alinéa 1" in deletion and "<ins>" not in deletion
    insert_page = client.get(urls(bill, article)["propose"] + "?kind=insert")
    assert textarea(insert_page.text, "text") == "" and 'name="heading"' in insert_page.text
    inserted = post_form(client, urls(bill, article)["create"], {"kind": "insert", "heading": "Évaluation",
                                                                 "text": "Un rapport est remis.", "explanation": ""})
    assert inserted.status_code == 303
    insertion = client.get(inserted.headers["location"]).text
    assert "Nouvel article" in insertion and "<ins>Un rapport est remis.</ins>" in insertion
    assert "après l&#39;article 1" in insertion
    listed = client.get(urls(bill, article)["article"]).text
    assert deleted.headers["location"] in listed and inserted.headers["location"] in listed


def test_identical_proposal_from_a_page_cosigns_and_says_so(client, api, bill, article):
    new_session(client, api, "alice")
    first = post_form(client, urls(bill, article)["create"], {"kind": "modify", "base_version": "1", "text": CHANGED})
    new_session(client, api, "bob", display_name="Bob Martin")
    again = post_form(client, urls(bill, article)["create"], {"kind": "modify", "base_version": "1", "text": CHANGED})
    assert again.status_code == 303 and again.headers["location"] == first.headers["location"] + "?cosigned=1"
    page = client.get(again.headers["location"]).text
    assert "vous en êtes désormais co-signataire" in page
    assert "1 co-signataire" in page and "1 co-signataires" not in page and "Bob Martin" in page
    article_page = client.get(urls(bill, article)["article"]).text
    assert "1 co-signataire" in article_page and "1 co-signataires" not in article_page


# --- the amendment page ------------------------------------------------------------------------

def test_amendment_page_shows_the_proposer_organization_and_declared_interests(client, api, bill, article):
    new_session(client, api, "assoc", display_name="Association Données", organization="Association Données",
            declared_interests="Défense des libertés numériques")
    created = post_form(client, urls(bill, article)["create"], {"kind": "modify", "base_version": "1", "text": CHANGED})
    page = client.get(created.headers["location"]).text
    assert "org-badge" in page and "Défense des libertés numériques" in page
    assert "Statut : ouvert" in page


def test_script_payloads_are_shown_as_text_everywhere(client, api, bill, article):
    new_session(client, api, "mallory", display_name=SCRIPT)
    form = {"kind": "modify", "base_version": "1", "text": BASE + "\n" + SCRIPT, "title": SCRIPT,
            "explanation": SCRIPT + "\n\n[lien](javascript:alert(1))"}
    preview = post_form(client, urls(bill, article)["preview"], form)
    created = post_form(client, urls(bill, article)["create"], form)
    inserted = post_form(client, urls(bill, article)["create"], {"kind": "insert", "heading": SCRIPT, "text": SCRIPT,
                                                                 "title": SCRIPT})
    pages = [preview.text, client.get(created.headers["location"]).text,
             client.get(created.headers["location"] + "?view=side").text,
             client.get(inserted.headers["location"]).text, client.get(urls(bill, article)["article"]).text]
    for html in pages:
        assert "&lt;script&gt;" in html
        assert live_scripts(html) == []
        assert 'href="javascript:' not in html


def test_side_by_side_view_pairs_the_alineas(client, api, bill, article):
    new_session(client, api, "alice")
    created = post_form(client, urls(bill, article)["create"], {"kind": "modify", "base_version": "1", "text": CHANGED})
    page = client.get(created.headers["location"] + "?view=side").text
    assert '<table class="redline redline-side">' in page
    table = page[page.index('<table class="redline redline-side">'):]  # the wording above quotes the text too
    changed_row = table[table.index("Alinéa 5") - 200:]
    row = re.search(r'<td class="old">(.*?)</td>\s*<td class="new">(.*?)</td>', changed_row, re.S)
    assert "<ins>" not in row.group(1) and INSERTED.search(row.group(2))


def test_proposer_withdraws_from_the_page_and_others_cannot(client, api, bill, article):
    new_session(client, api, "alice")
    alice_session = client.cookies.get(SESSION_COOKIE)
    created = post_form(client, urls(bill, article)["create"], {"kind": "modify", "base_version": "1", "text": CHANGED})
    location = created.headers["location"]
    assert "Retirer ma proposition" in client.get(location).text
    new_session(client, api, "bob")
    assert "Retirer ma proposition" not in client.get(location).text
    assert post_form(client, f"{location}/withdraw", {}).status_code == 403
    client.cookies.set(SESSION_COOKIE, alice_session)
    withdrawn = post_form(client, f"{location}/withdraw", {})
    assert withdrawn.status_code == 303 and withdrawn.headers["location"] == location
    page = client.get(location).text
    assert "Statut : retiré" in page and "Retirer ma proposition" not in page
    assert post_form(client, f"{location}/withdraw", {}).status_code == 409


def test_article_page_sorts_and_filters_its_amendments(client, api, bill, article):
    new_session(client, api, "alice")
    ids = []
    for n in range(3):
        created = post_form(client, urls(bill, article)["create"], {"kind": "modify", "text": BASE + f"\nAjout {n}.",
                                                                    "title": f"Ajout {n}"})
        ids.append(int(created.headers["location"].rsplit("/", 1)[1]))
    post_form(client, f"/amendments/{ids[1]}/withdraw", {})
    for voter in ("bob", "carol"):
        account = api.user(voter)
        with api.db.session() as session:
            user_id = session.scalar(select(User.id).where(User.username == account.username))
            participation.cast_vote(session, session.get(User, user_id),
                                    participation.get_target(session, "amendment", ids[0]), "agree")
    page = client.get(urls(bill, article)["article"]).text
    assert page.index("Ajout 2") < page.index("Ajout 1") < page.index("Ajout 0")  # newest first
    by_votes = client.get(urls(bill, article)["article"] + "?amendment_sort=votes").text
    assert by_votes.index("Ajout 0") < by_votes.index("Ajout 2")
    assert "2 d&#39;accord" in by_votes  # HTML-escaped apostrophe
    withdrawn = client.get(urls(bill, article)["article"] + "?amendment_status=withdrawn").text
    assert "Ajout 1" in withdrawn and "Ajout 0" not in withdrawn and "Ajout 2" not in withdrawn
    nonsense = client.get(urls(bill, article)["article"] + "?amendment_status=lost&amendment_sort=x")
    assert nonsense.status_code == 200 and "Ajout 0" in nonsense.text


def test_hidden_amendment_page_keeps_its_id_but_not_its_text(client, api, bill, article, db):
    new_session(client, api, "alice")
    created = post_form(client, urls(bill, article)["create"], {"kind": "modify", "text": CHANGED, "title": "Secret"})
    amendment_id = int(created.headers["location"].rsplit("/", 1)[1])
    with db.session() as session:
        moderator_id = session.scalar(select(User.id).where(User.username == "admin"))
        decision = ModerationDecision(target_type="amendment", target_id=amendment_id, bill_id=bill["id"],
                                      action="hide", reason="Hors sujet", moderator_id=moderator_id)
        session.add(decision)
        session.flush()
        session.get(Amendment, amendment_id).hidden_by_id = decision.id
    page = client.get(created.headers["location"])
    assert page.status_code == 200 and "Hors sujet" in page.text
    assert "et privées" not in page.text and "Secret" not in page.text
    assert created.headers["location"] not in client.get(urls(bill, article)["article"]).text


def test_proposing_needs_an_open_consultation_and_a_signed_in_user(client, api, admin, bill, article):
    anonymous = client.post(urls(bill, article)["create"], data={"kind": "modify", "text": CHANGED,
                                                                 "_csrf_token": client.cookies.get("navette_csrf", "")},
                            follow_redirects=False)
    assert anonymous.status_code in (401, 403)  # 403 when the CSRF cookie is missing too
    client.get(urls(bill, article)["article"])
    assert post_form(client, urls(bill, article)["create"], {"kind": "modify", "text": CHANGED}).status_code == 401
    new_session(client, api, "alice")
    no_token = client.post(urls(bill, article)["create"], data={"kind": "modify", "text": CHANGED},
                           follow_redirects=False)
    assert no_token.status_code == 403  # CSRF
    client.post(f"/api/v1/bills/{bill['slug']}/status", json={"status": "closed"}, headers=admin.headers)
    assert post_form(client, urls(bill, article)["create"], {"kind": "modify", "text": CHANGED}).status_code == 409
    assert client.get(urls(bill, article)["propose"]).status_code == 409
    assert "Proposer une modification" not in client.get(urls(bill, article)["article"]).text
    assert client.get("/amendments/9999").status_code == 404


def test_pages_are_translated_to_english(client, api, bill, article):
    new_session(client, api, "alice")
    page = client.get(urls(bill, article)["article"] + "?lang=en").text
    assert "Propose an amendment" in page and "Proposed amendments" in page
