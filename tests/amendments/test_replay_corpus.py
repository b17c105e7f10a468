"""Real histories replayed through the JSON API, and the competing rewrites of République numérique's Article 9.

Replay: every article of ../shared/corpus/article_histories starts as its first real text; each later
real text (null texts, where the article was absent, are skipped) is proposed as an amendment by a
citizen and merged by the bill's author with ``POST /articles/{id}/versions {"merge": [id]}``; the
head must then be that real text, verbatim.

Article 9: the corpus file gives 108 proposed "versions" of the article, but all 108 ``after`` texts
are one and the same text (the Etalab export repeats the article's new L. 533-4 in every version;
the citizens' actual wording is only described in their ``comment``). Proposed through the API, the
identical proposals therefore co-sign one amendment (CONTRACT §2) instead of competing: merging
it leaves no other amendment to rebase. The test computes everything from the data, so it says so
rather than assuming it, and still checks the rebase invariants on whatever the data gives.
A second test gives Article 9 the competing rewrites its most supported proposers describe in their
comments (written out by hand from those comments, on the real text), and rebases them for real.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict

from sqlalchemy import select

from amendments import engine
from amendments.models import AmendmentEvent
from tests.amendments.test_desk_api import citizens
from tests.conftest import corpus_path

PROPOSERS = 5


def histories() -> list[tuple[str, list[tuple[str, str]]]]:
    """(name, [(text, change)]) for each real article history, absent (null) texts left out."""
    root = corpus_path("article_histories")
    found = []
    for path in sorted(root.glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        versions = [(v["text"], v.get("change") or "") for v in data["versions"] if v["text"] is not None]
        found.append((f"{path.parent.name}/{path.stem}", versions))
    return found


def _propose(client, account, article_id: int, text: str, explanation: str):
    return client.post(f"/api/v1/articles/{article_id}/amendments",
                       json={"text": text, "explanation": explanation or "Version suivante."},
                       headers=account.headers)


def test_replaying_every_real_article_history_gives_each_version_verbatim(api, admin, client, db):
    stories = histories()
    assert len(stories) >= 55
    bill = api.bill(admin, slug="histoires-reelles", title="Histoires réelles", articles=[
        {"number": name.split("/")[1][:40], "text": versions[0][0]} for name, versions in stories
    ])
    assert [a["text"] for a in bill["articles"]] == [versions[0][0] for _, versions in stories]
    proposers = citizens(db, *(f"citoyen{n}" for n in range(PROPOSERS)))
    mismatches, merged, skipped = [], 0, Counter()
    for index, ((name, versions), article) in enumerate(zip(stories, bill["articles"])):
        head, number = versions[0][0], 1
        for text, change in versions[1:]:
            if text == head:
                skipped["same as the previous text"] += 1
                continue
            if not text.strip():  # emptied to white space: no text to propose (CONTRACT §6), a repeal
                skipped["emptied to white space"] += 1
                continue
            proposal = _propose(client, proposers[(index + number) % PROPOSERS], article["id"], text, change)
            assert proposal.status_code == 201, f"{name}: {proposal.text}"
            response = client.post(f"/api/v1/articles/{article['id']}/versions",
                                   json={"expected_version": number, "message": change[:500],
                                         "merge": [proposal.json()["id"]]},
                                   headers=admin.headers)
            assert response.status_code == 201, f"{name}: {response.text}"
            number += 1
            merged += 1
            if response.json()["text"] != text:
                mismatches.append((name, number))
            head = text
        stored = client.get(f"/api/v1/articles/{article['id']}").json()
        if (stored["text"], stored["version"]) != (head, number):
            mismatches.append((name, "head"))
    assert mismatches == []
    assert merged >= 200, (merged, skipped)
    # each replayed version, read back, is the real text and credits the amendment that carried it
    sample = bill["articles"][0]["id"]
    versions = client.get(f"/api/v1/articles/{sample}/versions").json()
    real = [text for text, _ in stories[0][1]]
    assert [v["text"] for v in versions] == [t for i, t in enumerate(real) if i == 0 or t != real[i - 1]]
    assert all(len(v["merged_amendments"]) == 1 for v in versions[1:])


def _article9() -> dict:
    return json.loads(corpus_path("consultation_republique_numerique", "article9_versions.json")
                      .read_text(encoding="utf-8"))


def _own_change(old: str, new: str) -> Counter:
    """The words a change deletes (-1) and inserts (1), net, whatever way the diff groups them."""
    words = {op: Counter(token for o, text in engine.diff_words(old, new) if o == op
                         for token in engine.tokenize(text) if not token.isspace())
             for op in (engine.DELETE, engine.INSERT)}
    deleted, inserted = words[engine.DELETE] - words[engine.INSERT], words[engine.INSERT] - words[engine.DELETE]
    return Counter({(-1, w): n for w, n in deleted.items()}) + Counter({(1, w): n for w, n in inserted.items()})


def test_article_9_rewrites_merge_the_most_supported_and_rebase_the_others(api, admin, client, db, capsys):
    data = _article9()
    original = data["original_article"]["body_text"].replace("\r\n", "\n").replace("\r", "\n")
    versions = data["versions"]
    assert len(versions) == 108
    bill = api.bill(admin, slug="republique-numerique-article-9", title="République numérique",
                    articles=[{"number": "9", "heading": "Accès aux travaux de la recherche", "text": original}])
    article = bill["articles"][0]["id"]
    assert client.get(f"/api/v1/articles/{article}").json()["text"] == original

    authors = sorted({v["author"] for v in versions})
    accounts = dict(zip(authors, citizens(db, *authors)))
    amendment_of: dict[int, int] = {}  # corpus version id -> amendment id
    for version in versions:
        response = _propose(client, accounts[version["author"]], article, version["after"],
                             (version["comment"] or "")[:5000])
        assert response.status_code in (200, 201), response.text
        amendment_of[version["id"]] = response.json()["id"]

    # identical texts on one base co-sign one amendment: as many amendments as distinct texts
    distinct_texts = {v["after"] for v in versions}
    amendments = sorted(set(amendment_of.values()))
    assert len(amendments) == len(distinct_texts)
    listed = client.get(f"/api/v1/articles/{article}/amendments", params={"status": "open"}).json()
    assert sorted(a["id"] for a in listed) == amendments
    signers = {a["id"]: {a["author"], *a["cosigners"]} for a in listed}
    by_text = defaultdict(set)
    for version in versions:
        by_text[amendment_of[version["id"]]].add(version["author"])
    assert signers == by_text

    # the most supported: the most "agree" votes the corpus gives its versions (total - against - mixed)
    support = Counter()
    for version in versions:
        agree = int(version["votes_total"]) - int(version["votes_nok"]) - int(version["votes_mitige"])
        support[amendment_of[version["id"]]] += agree
    winner = max(amendments, key=lambda i: (support[i], -i))
    before = {a["id"]: a for a in listed}
    response = client.post(f"/api/v1/articles/{article}/versions",
                           json={"expected_version": 1, "message": "Rédaction la plus soutenue", "merge": [winner]},
                           headers=admin.headers)
    assert response.status_code == 201, response.text
    head = response.json()["text"]
    assert head == before[winner]["text"]

    others = [i for i in amendments if i != winner]
    after = {i: client.get(f"/api/v1/amendments/{i}").json() for i in others}
    clean = [i for i in others if after[i]["status"] == "open"]
    conflict = [i for i in others if after[i]["status"] == "conflict"]
    superseded = [i for i in others if after[i]["status"] == "accepted"]
    assert len(clean) + len(conflict) + len(superseded) == len(others)
    for i in clean:  # stays open on the new head, its own change intact
        assert after[i]["base_version"] == 2
        assert _own_change(head, after[i]["text"]) == _own_change(original, before[i]["text"])
    for i in conflict:  # keeps its old base and text
        assert (after[i]["base_version"], after[i]["text"]) == (1, before[i]["text"])
    with db.session(write=False) as session:
        kinds = Counter(session.scalars(select(AmendmentEvent.kind).where(AmendmentEvent.amendment_id.in_(others))))
    assert (kinds["rebased"], kinds["conflict"], kinds["superseded"]) == (len(clean), len(conflict), len(superseded))
    with capsys.disabled():
        print(f"\nArticle 9: {len(versions)} versions by {len(authors)} citizens, {len(distinct_texts)} distinct "
              f"text(s) -> {len(amendments)} amendment(s); merged n° {winner} (support {support[winner]}); "
              f"others: {len(clean)} rebased cleanly, {len(conflict)} in conflict, {len(superseded)} superseded")


# The changes the most supported proposers of Article 9 describe in their comments, on the real text:
# corpus version id -> (what to replace, by what), applied to the article as the consultation published it.
EMBARGO = ("douze mois pour les sciences, la technique et la médecine et de vingt-quatre mois",
           "six mois pour les sciences, la technique et la médecine et de douze mois")
NO_COMMERCIAL_BAN = (" Cette mise à disposition ne peut donner lieu à aucune exploitation commerciale.", "")
REWRITES = {
    449: [EMBARGO, NO_COMMERCIAL_BAN],  # shorter embargo, no ban on commercial use (1633 for)
    717: [(", issu d’une activité de recherche financée au moins pour moitié par des fonds publics,", ",")],
    569: [("sous une forme numérique,", "sous une forme numérique, notamment dans une archive ouverte,"),
          ("Elles ne s’appliquent pas aux contrats en cours.", "Elles s’appliquent aux contrats en cours."),
          NO_COMMERCIAL_BAN],
    839: [("au terme d’un délai de douze mois pour les sciences, la technique et la médecine et de vingt-quatre "
           "mois pour les sciences humaines et sociales, à compter de date de la première publication",
           "dès la date de la première publication")],  # immediate deposit: the same words as 449
    571: [("\xa0»", " Le droit de fouille de textes et de données sur ces écrits ne peut être restreint.\xa0»")],
    298: [EMBARGO],  # align on the European embargo: exactly part of 449
}


def _rewrite(text: str, changes) -> str:
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def test_article_9_competing_rewrites_from_the_proposers_comments_rebase_on_the_most_supported(
        api, admin, client, db, capsys):
    data = _article9()
    original = data["original_article"]["body_text"].replace("\r\n", "\n").replace("\r", "\n")
    by_id = {v["id"]: v for v in data["versions"]}
    bill = api.bill(admin, slug="article-9-reecritures", title="République numérique",
                    articles=[{"number": "9", "text": original}])
    article = bill["articles"][0]["id"]
    authors = sorted({by_id[i]["author"] for i in REWRITES})
    accounts = dict(zip(authors, citizens(db, *authors)))
    proposed = {}
    for version_id, changes in REWRITES.items():
        response = _propose(client, accounts[by_id[version_id]["author"]], article, _rewrite(original, changes),
                            by_id[version_id]["title"])
        assert response.status_code == 201, response.text
        proposed[version_id] = response.json()

    merged = client.post(f"/api/v1/articles/{article}/versions",
                         json={"expected_version": 1, "message": "Embargo raccourci", "merge": [proposed[449]["id"]]},
                         headers=admin.headers)
    assert merged.status_code == 201, merged.text
    head = merged.json()["text"]
    assert head == _rewrite(original, REWRITES[449])
    after = {i: client.get(f"/api/v1/amendments/{proposed[i]['id']}").json() for i in REWRITES if i != 449}
    outcome = {i: a["status"] for i, a in after.items()}
    # 717 and 571 touch other words; 839 rewrites the embargo words too; 298 is part of 449's change;
    # 569 also deletes the sentence 449 deletes (the same change, taken once) besides its own words
    assert {i: outcome[i] for i in (717, 571, 839, 298)} == {717: "open", 571: "open", 839: "conflict",
                                                              298: "accepted"}
    assert outcome[569] == "open"  # see test_the_same_deletion_made_by_both_sides_is_taken_once_...
    clean = [i for i in REWRITES if outcome.get(i) == "open"]
    made = _own_change(original, head)
    for i in clean:  # each keeps exactly its own change, less what the head already made
        assert after[i]["base_version"] == 2
        assert _own_change(head, after[i]["text"]) == _own_change(original, proposed[i]["text"]) - made
        assert after[i]["text"] == _rewrite(head, [c for c in REWRITES[i] if c != NO_COMMERCIAL_BAN])
    for i in (i for i in REWRITES if outcome.get(i) == "conflict"):  # keeps its base and text
        assert (after[i]["base_version"], after[i]["text"]) == (1, proposed[i]["text"])

    # the clean ones merge together on top of the winner: every change is there, once
    final = client.post(f"/api/v1/articles/{article}/versions",
                        json={"expected_version": 2, "message": "Reprise des propositions compatibles",
                              "merge": [proposed[i]["id"] for i in clean]}, headers=admin.headers)
    assert final.status_code == 201, final.text
    expected = _rewrite(head, [c for i in clean for c in REWRITES[i] if c != NO_COMMERCIAL_BAN])
    assert final.json()["text"] == expected
    with capsys.disabled():
        print(f"\nArticle 9 rewrites from the comments: merged n° 449; {sum(s == 'open' for s in outcome.values())} "
              f"rebased cleanly, {sum(s == 'conflict' for s in outcome.values())} in conflict, "
              f"{sum(s == 'accepted' for s in outcome.values())} already made by the merge")


def test_the_same_deletion_made_by_both_sides_is_taken_once_whatever_its_alignment():
    original = _article9()["original_article"]["body_text"].replace("\r\n", "\n")
    head, ours = _rewrite(original, REWRITES[449]), _rewrite(original, REWRITES[569])
    result = engine.merge3(original, ours, head)
    assert result.clean, [(c.base, c.ours, c.theirs) for c in result.conflicts]
    assert result.text == _rewrite(head, REWRITES[569][:2])
