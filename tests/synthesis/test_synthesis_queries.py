"""The synthesis costs the same number of SQL statements for a bill of one article and one small debate
as for a bill of eight articles with hundreds of arguments, votes and amendments (its JSON and its page)."""
from __future__ import annotations

import hashlib
from collections import Counter

from sqlalchemy import select

from amendments.models import Amendment, Vote
from amendments.services import tallies
from drafting.models import Article, User
from drafting.seeding.argmap import seed_argument_map
from tests.test_query_counts import MAX_STATEMENTS, PARAMETER_LIST

VALUES = ("agree", "mixed", "disagree")


def articles(n: int) -> list[dict]:
    return [{"number": str(i + 1), "text": f"Texte de l'article {i + 1}."} for i in range(n)]


def debate(db, bill: dict, arguments: int, start: int) -> None:
    """``arguments`` arguments on each article (in kept positions), every author voting on each article and
    proposing one amendment, on which the next author votes."""
    ids = [a["id"] for a in bill["articles"]]
    for n, article_id in enumerate(ids):
        seed_argument_map(db, article_id, arguments, start=start + n * arguments)
    with db.session() as session:
        people = list(session.scalars(select(User.id).where(User.username.like("carte-%")).order_by(User.id)
                                      .offset(start).limit(arguments * len(ids))))
        for i, person in enumerate(people):
            for article_id in ids:
                session.add(Vote(user_id=person, article_id=article_id, value=VALUES[(i + article_id) % 3]))
        bill_id = session.get(Article, ids[0]).bill_id
        for i, person in enumerate(people[::10]):
            text = f"Texte proposé {start} {i}."
            amendment = Amendment(bill_id=bill_id, article_id=ids[i % len(ids)], kind="modify", author_id=person,
                                  title=f"Proposition {i}", status="open", base_version=1, text=text,
                                  text_digest=hashlib.sha256(text.encode()).hexdigest())
            session.add(amendment)
            session.flush()
            session.add(Vote(user_id=people[(i * 10 + 1) % len(people)], amendment_id=amendment.id,
                             value=VALUES[i % 3]))
        session.flush()
        tallies.rebuild(session)


def statements(client, app, path: str) -> list[str]:
    client.get(path)  # warm caches (templates, compiled statements)
    with app.state.db.recorded_statements() as seen:
        response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    return [PARAMETER_LIST.sub("(...)", statement) for statement in seen]


def test_the_synthesis_costs_the_same_statements_however_many_articles_and_arguments(client, app, db, api, admin):
    small = api.bill(admin, title="Petit projet", articles=articles(1))
    large = api.bill(admin, title="Grand projet", articles=articles(8))
    debate(db, small, 10, start=0)
    debate(db, large, 60, start=10)
    found = client.get(f"/api/v1/bills/{large['slug']}/synthesis").json()
    assert found["arguments"] == 8 * 60 and len(found["articles"]) == 8
    assert found["votes"] == 8 * 8 * 60 + 8 * 60 // 10  # everyone on every article, one vote per amendment
    for suffix in ("/api/v1/bills/{slug}/synthesis", "/bills/{slug}/synthesis"):
        few = statements(client, app, suffix.format(slug=small["slug"]))
        many = statements(client, app, suffix.format(slug=large["slug"]))
        extra = Counter(many) - Counter(few)
        assert len(many) == len(few), (suffix, [s[:160] for s in extra])
        assert len(many) <= MAX_STATEMENTS
