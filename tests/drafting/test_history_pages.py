"""The public history pages: timeline, versions, comparisons, blame, Atom feed, and their immutable caching."""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ElementTree
from contextlib import contextmanager


from amendments.models import AmendmentResponse
from drafting.services import bills as services
from tests.conftest import sign_in
from tests.drafting.test_history_api import credit, proposer

ATOM = "{http://www.w3.org/2005/Atom}"
IMMUTABLE = "public, max-age=31536000, immutable"
# The words article 1 gains in version 2, as a redline marks them (the engine may attach the space either side).
INSERTED = re.compile(r"<ins>\s?en ligne\s?</ins>")
DELETED = re.compile(r"<del>\s?en ligne\s?</del>")
ARTICLE_1 = "Le maire publie les actes de la commune.\n\nIl les tient à la disposition du public."
ARTICLE_1_V2 = "Le maire publie en ligne les actes de la commune.\n\nIl les tient à la disposition du public."
ARTICLE_2 = "La présente loi entre en vigueur le 1er janvier."


def two_version_bill(api, client, admin, db) -> dict:
    """An open bill (version 1), article 1 amended by Alice's merged amendment, then published as version 2."""
    proposer(db, "alice", "Alice Martin")
    bill = api.bill(admin, title="Projet de loi numérique", articles=[
        {"number": "1", "heading": "Publicité des actes", "text": ARTICLE_1},
        {"number": "2", "text": ARTICLE_2},
    ])
    article_id = bill["articles"][0]["id"]
    response = client.post(f"/api/v1/articles/{article_id}/versions", headers=admin.headers,
                           json={"expected_version": 1, "message": "Publication en ligne", "text": ARTICLE_1_V2})
    assert response.status_code == 201, response.text
    [amendment_id] = credit(db, article_id, 2, [("alice", ARTICLE_1_V2, 1)])
    response = client.post(f"/api/v1/bills/{bill['slug']}/versions", headers=admin.headers,
                           json={"label": "Texte après consultation", "message": "Intègre les amendements retenus"})
    assert response.status_code == 201, response.text
    return {"slug": bill["slug"], "article_id": article_id, "other_id": bill["articles"][1]["id"],
            "amendment_id": amendment_id}


@contextmanager
def counting_queries(app):
    """Counts the SQL statements the app runs inside the block."""
    counter = {"n": 0}
    with app.state.db.recorded_statements() as seen:
        yield counter
        counter["n"] = len(seen)


def test_bill_history_lists_versions_and_who_merged_what_with_links(api, client, admin, db):
    bill = two_version_bill(api, client, admin, db)
    slug, article_id = bill["slug"], bill["article_id"]

    page = client.get(f"/bills/{slug}/history")

    assert page.status_code == 200
    body = page.text
    assert f'href="/bills/{slug}/versions/1"' in body and f'href="/bills/{slug}/versions/2"' in body
    assert "Texte après consultation" in body and "Intègre les amendements retenus" in body
    assert f'href="/bills/{slug}/diff?from=1&amp;to=2"' in body
    assert f'href="/articles/{article_id}/versions/2"' in body
    assert "Publication en ligne" in body
    assert f'href="/amendments/{bill["amendment_id"]}"' in body and "Alice Martin" in body
    assert f'href="/articles/{article_id}/compare?from=1&amp;to=2"' in body
    # The initial text is one entry linking every article's first version.
    assert f'href="/articles/{bill["other_id"]}/versions/1"' in body
    assert 'type="application/atom+xml"' in body
    # Newest first: the second publication comes before the edit it published.
    assert body.index('id="bill-version-2"') < body.index(f'id="article-{article_id}-v2"') < body.index('id="initial"')


def test_bill_version_page_shows_every_article_as_published(api, client, admin, db):
    bill = two_version_bill(api, client, admin, db)
    slug = bill["slug"]
    client.post(f"/api/v1/articles/{bill['other_id']}/versions", headers=admin.headers,
                json={"expected_version": 1, "message": "Plus tard", "text": "Entrée en vigueur différée."})

    first, second = client.get(f"/bills/{slug}/versions/1"), client.get(f"/bills/{slug}/versions/2")

    assert first.status_code == second.status_code == 200
    assert "Le maire publie les actes" in first.text and "publie en ligne" not in first.text
    assert "Le maire publie en ligne les actes" in second.text
    assert "1er janvier" in second.text and "différée" not in second.text  # not published yet
    assert "Publicité des actes" in second.text
    assert f'href="/bills/{slug}/diff?from=1&amp;to=2"' in second.text
    assert client.get(f"/bills/{slug}/versions/3").status_code == 404


def test_bill_diff_page_shows_redlines_and_folds_unchanged_articles(api, client, admin, db):
    bill = two_version_bill(api, client, admin, db)

    page = client.get(f"/bills/{bill['slug']}/diff?from=1&to=2")

    assert page.status_code == 200
    assert INSERTED.search(page.text)
    assert re.search(r"<details class=\"unchanged-articles\">\s*<summary>1 ", page.text)
    assert 'class="article-change change-modified"' in page.text
    assert 'name="from"' in page.text and 'method="get"' in page.text
    side = client.get(f"/bills/{bill['slug']}/diff?from=1&to=2&view=side")
    assert 'redline-side' in side.text and INSERTED.search(side.text)
    backwards = client.get(f"/bills/{bill['slug']}/diff?from=2&to=1")
    assert DELETED.search(backwards.text)


def test_article_history_shows_each_version_with_its_amendments_and_changes(api, client, admin, db):
    bill = two_version_bill(api, client, admin, db)
    article_id = bill["article_id"]

    page = client.get(f"/articles/{article_id}/history")

    assert page.status_code == 200
    body = page.text
    assert 'id="v1"' in body and 'id="v2"' in body
    assert "Publication en ligne" in body and "Texte initial" in body
    assert f'href="/amendments/{bill["amendment_id"]}"' in body and "Alice Martin" in body
    assert "« Proposition de alice »" in body
    assert INSERTED.search(body)
    assert f'action="/articles/{article_id}/compare"' in body


def test_article_compare_page_shows_ins_and_del_between_any_two_versions(api, client, admin, db):
    bill = two_version_bill(api, client, admin, db)
    article_id = bill["article_id"]

    forward = client.get(f"/articles/{article_id}/compare?from=1&to=2")
    backward = client.get(f"/articles/{article_id}/compare?from=2&to=1")

    assert forward.status_code == backward.status_code == 200
    assert INSERTED.search(forward.text) and "<del>" not in forward.text
    assert DELETED.search(backward.text)
    assert "Il les tient à la disposition du public." in forward.text  # context alinéa
    assert client.get(f"/articles/{article_id}/compare?from=1&to=7").status_code == 404
    assert client.get(f"/articles/{article_id}/compare?from=1&to={2**40}").status_code == 404
    assert client.get(f"/articles/{article_id}/versions/{2**40}").status_code == 404
    assert client.get(f"/articles/{article_id}/compare?from=un&to=2").status_code == 400


def test_comparisons_without_both_versions_redirect_to_the_latest_change(api, client, admin, db):
    bill = two_version_bill(api, client, admin, db)
    slug, article_id = bill["slug"], bill["article_id"]

    cases = {
        f"/bills/{slug}/diff": f"/bills/{slug}/diff?from=1&to=2",
        f"/bills/{slug}/diff?to=1": f"/bills/{slug}/diff?from=1&to=1",
        f"/articles/{article_id}/compare": f"/articles/{article_id}/compare?from=1&to=2",
        f"/articles/{article_id}/compare?from=2&view=side": f"/articles/{article_id}/compare?from=2&to=2&view=side",
    }
    for url, target in cases.items():
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 302, url
        assert response.headers["location"] == target
    draft = api.bill(admin, title="Brouillon", open_=False)
    unpublished = client.get(f"/bills/{draft['slug']}/diff", follow_redirects=False)
    assert unpublished.status_code == 200 and "Aucune version publiée." in unpublished.text


def test_blame_page_marks_every_passage_of_the_head_with_its_version_and_proposer(api, client, admin, db):
    bill = two_version_bill(api, client, admin, db)
    article_id = bill["article_id"]

    page = client.get(f"/articles/{article_id}/blame")

    assert page.status_code == 200
    spans = re.findall(r'<span class="blame" data-version="(\d+)" data-amendment="(\d*)" data-author="([^"]+)"'
                       r' title="[^"]*">(.*?)</span>', page.text, re.S)
    text = "".join(html.unescape(content.replace("<br>", "")) for *_, content in spans)
    assert text == ARTICLE_1_V2
    credited = [(version, amendment, author, content.strip()) for version, amendment, author, content in spans
                if version == "2"]
    assert credited == [("2", str(bill["amendment_id"]), "alice", "en ligne")]
    assert {author for version, _, author, _ in spans if version == "1"} == {"admin"}
    # The legend names the amendment and its proposer, and who merged it.
    assert 'id="blame-v2-a' in page.text and "Alice Martin" in page.text and "Cabinet du ministre" in page.text
    old = client.get(f"/articles/{article_id}/blame?version=1")
    assert old.status_code == 200 and 'data-version="2"' not in old.text
    assert client.get(f"/articles/{article_id}/blame?version=3").status_code == 404
    assert client.get(f"/articles/{article_id}/blame?version={2**40}").status_code == 404
    assert client.get(f"/articles/{article_id}/blame?version=deux").status_code == 400


def test_atom_feed_lists_new_versions_and_public_answers_newest_first(api, client, admin, db):
    bill = two_version_bill(api, client, admin, db)
    with db.session() as session:
        staff = services.get_user(session, "admin")
        session.add(AmendmentResponse(amendment_id=bill["amendment_id"], kind="respond", author_id=staff.id,
                                      body="Merci : retenu & intégré <tel quel>."))

    response = client.get(f"/bills/{bill['slug']}/feed.atom")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles[0].startswith("Réponse à l'amendement")
    assert "Texte après consultation" in titles and "Version 1" in titles
    assert any(t.startswith("Article 1, version 2") for t in titles)
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{required}"), (required, titles)
        assert entry.find(f"{ATOM}author/{ATOM}name").text
        assert entry.find(f"{ATOM}link").get("href").startswith("http")
    answer = entries[0].find(f"{ATOM}content")
    assert answer.text == "Merci : retenu & intégré <tel quel>."
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)
    redline = next(e for e in entries if e.findtext(f"{ATOM}title").startswith("Article 1")).find(f"{ATOM}content")
    assert redline.get("type") == "html" and INSERTED.search(redline.text)
    draft = api.bill(admin, title="Brouillon", open_=False)
    empty = ElementTree.fromstring(client.get(f"/bills/{draft['slug']}/feed.atom").content)
    assert empty.tag == f"{ATOM}feed" and empty.findall(f"{ATOM}entry") == [] and empty.findtext(f"{ATOM}updated")


def test_versions_and_named_diffs_are_immutable_with_a_strong_etag_and_304(api, client, admin, db):
    bill = two_version_bill(api, client, admin, db)
    slug, article_id = bill["slug"], bill["article_id"]
    client.cookies.clear()
    urls = [f"/bills/{slug}/versions/2", f"/bills/{slug}/diff?from=1&to=2",
            f"/articles/{article_id}/compare?from=1&to=2", f"/articles/{article_id}/versions/2"]
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200, url
        assert first.headers["cache-control"] == IMMUTABLE
        assert "set-cookie" not in first.headers  # a shared cache must not hand out anyone's cookie
        assert "HX-Request" in first.headers["vary"] and "Cookie" in first.headers["vary"]
        etag = first.headers["etag"]
        assert re.fullmatch(r'"[0-9a-f]+"', etag)
        assert client.get(url).headers["etag"] == etag
        assert client.get(url).content == first.content
        for sent in (etag, f"W/{etag}", f'"other", {etag}'):
            again = client.get(url, headers={"If-None-Match": sent})
            assert again.status_code == 304, (url, sent)
            assert again.content == b"" and again.headers["etag"] == etag
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
        assert client.get(url + ("&" if "?" in url else "?") + "lang=en").headers["etag"] != etag
    # Pages that change with the next version are not cached for good.
    for url in (f"/bills/{slug}/history", f"/articles/{article_id}/history", f"/articles/{article_id}/blame"):
        assert "immutable" not in client.get(url).headers.get("cache-control", "")


def test_a_signed_in_reader_gets_a_private_copy_with_a_working_sign_out(api, client, admin, db):
    bill = two_version_bill(api, client, admin, db)
    api.user("lectrice", display_name="Lectrice assidue")
    sign_in(client, api.db, "lectrice")

    page = client.get(f"/bills/{bill['slug']}/versions/2")

    assert page.status_code == 200
    assert page.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert "Lectrice assidue" in page.text
    token = client.cookies.get("navette_csrf")
    assert f'value="{token}"' in page.text  # the sign-out form carries the reader's own token
    url = f"/bills/{bill['slug']}/versions/2"
    assert client.get(url, headers={"If-None-Match": page.headers["etag"]}).status_code == 304
    client.cookies.clear()
    anonymous = client.get(url, headers={"If-None-Match": page.headers["etag"]})
    assert anonymous.status_code == 200 and "Lectrice assidue" not in anonymous.text


def test_htmx_comparison_gets_the_fragment_only(api, client, admin, db):
    bill = two_version_bill(api, client, admin, db)
    url = f"/articles/{bill['article_id']}/compare?from=1&to=2"

    full, fragment = client.get(url), client.get(url, headers={"HX-Request": "true"})

    assert "<html" in full.text and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<section id="comparison"')
    assert INSERTED.search(fragment.text)
    assert fragment.headers["etag"] != full.headers["etag"]
    bill_fragment = client.get(f"/bills/{bill['slug']}/diff?from=1&to=2", headers={"HX-Request": "true"})
    assert bill_fragment.text.lstrip().startswith('<section id="comparison"')


def test_history_pages_use_a_bounded_number_of_queries(api, client, admin, db):
    bill = two_version_bill(api, client, admin, db)
    slug, article_id = bill["slug"], bill["article_id"]
    urls = [f"/bills/{slug}/history", f"/articles/{article_id}/history", f"/articles/{article_id}/blame",
            f"/bills/{slug}/feed.atom", f"/bills/{slug}/versions/2"]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with counting_queries(client.app) as counter:
                assert client.get(url).status_code == 200, url
            found.append(counter["n"])
        return found

    before = counts()
    for n in range(2, 6):
        text = f"Le maire publie en ligne les actes de la commune, version {n + 1}."
        client.post(f"/api/v1/articles/{article_id}/versions", headers=admin.headers,
                    json={"expected_version": n, "message": f"Retouche {n}", "text": text})
        credit(db, article_id, n + 1, [("alice", text, n)])
        client.post(f"/api/v1/bills/{slug}/versions", headers=admin.headers, json={"label": f"Version {n + 1}"})
    assert counts() == before
