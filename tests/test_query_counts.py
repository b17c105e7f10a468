"""Pages and JSON issue a constant number of SQL statements, however big the debate grows.

Each test reads a route with 5 amendments, arguments, votes, co-signers and sources, then again
after the debate grew to 60 of each, counting the statements sent by the app's engines (a
``before_cursor_execute`` listener): the two counts must be equal, and under a fixed bound.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

import pytest

from amendments.services import tallies
from amendments.models import (
    Amendment,
    AmendmentCosigner,
    AmendmentEvent,
    AmendmentResponse,
    Argument,
    ArgumentSupporter,
    ModerationDecision,
    Source,
    UsefulMark,
    Vote,
)
from drafting.services import accounts
from drafting.models import User
from drafting.web.request import SESSION_COOKIE

SMALL, LARGE = 5, 60
# Generous: what matters is that the count stays the same; this only catches runaway pages.
MAX_STATEMENTS = 40
VALUES = ("agree", "mixed", "disagree")
# "IN (?, ?, ?)" and "IN (%(p_1)s, ...)" differ only by their number of parameters.
PARAMETER_LIST = re.compile(r"\((?:\?|%\(\w+\)s)(?:, (?:\?|%\(\w+\)s))*\)")


def counting(app):
    """The statements the app's read and write engines send while the block runs."""
    return app.state.db.recorded_statements()


@dataclass
class Debate:
    """A bill whose first article and first amendment gather a debate that ``grow`` enlarges."""

    db: object
    slug: str
    article_ids: list[int]
    admin_id: int
    reader_id: int
    amendment_id: int = 0
    size: int = 0
    people: list[int] = field(default_factory=list)

    def person(self, session, i: int) -> int:
        while len(self.people) <= i:
            n = len(self.people)
            user = User(username=f"participant-{n:03d}", display_name=f"Participant {n}",
                        kind="organization" if n % 7 == 0 else "citizen",
                        organization_name=f"Association {n}" if n % 7 == 0 else None,
                        declared_interests="Intérêts déclarés" if n % 7 == 0 else None)
            session.add(user)
            session.flush()
            self.people.append(user.id)
        return self.people[i]

    def grow(self, n: int) -> None:
        """Bring every growing part of the debate to ``n`` items."""
        with self.db.session() as session:
            first, second = self.article_ids[0], self.article_ids[1]
            for i in range(self.size, n):
                author = self.person(session, i)
                for article_id in (first, second):
                    text = f"Texte proposé numéro {i} pour l'article {article_id}."
                    amendment = Amendment(
                        bill_id=self._bill_id(session), article_id=article_id, kind="modify", author_id=author,
                        title=f"Proposition {i}", explanation=f"Exposé des motifs **{i}**", status="open",
                        base_version=1, text=text, text_digest=hashlib.sha256(text.encode()).hexdigest(),
                    )
                    session.add(amendment)
                    session.flush()
                    if not self.amendment_id:
                        self.amendment_id = amendment.id
                    session.add(AmendmentEvent(amendment_id=amendment.id, kind="proposed", actor_id=author,
                                               to_version=1))
                    if i % 3 == 0:
                        session.add(AmendmentResponse(amendment_id=amendment.id, body=f"Réponse {i}",
                                                      kind="respond", author_id=self.admin_id))
                    session.add(Vote(user_id=author, amendment_id=amendment.id, value=VALUES[i % 3]))
                    session.add(Vote(user_id=self.reader_id, amendment_id=amendment.id, value=VALUES[i % 3]))
                session.add(Vote(user_id=author, article_id=first, value=VALUES[i % 3]))
                session.add(Vote(user_id=author, article_id=second, value=VALUES[(i + 1) % 3]))
                if author != self._author_of(session, self.amendment_id):
                    session.add(AmendmentCosigner(amendment_id=self.amendment_id, user_id=author))
                    session.add(Vote(user_id=author, amendment_id=self.amendment_id, value=VALUES[i % 3]))
                for target in ({"article_id": first}, {"amendment_id": self.amendment_id}):
                    self._argument(session, target, i, author)
                session.add(Source(amendment_id=self.amendment_id, title=f"Source {i}",
                                   url=f"https://example.org/{i}", author_id=author))
                session.add(Source(article_id=first, title=f"Source {i}", url=f"https://example.org/a{i}",
                                   author_id=author))
            session.flush()
            tallies.rebuild(session)  # written straight to the tables: counted as after a bulk load
            self.size = n

    def _bill_id(self, session) -> int:
        from drafting.models import Bill

        return session.query(Bill.id).filter(Bill.slug == self.slug).scalar()

    def _author_of(self, session, amendment_id: int) -> int:
        return session.get(Amendment, amendment_id).author_id

    def _argument(self, session, target: dict, i: int, author: int) -> None:
        body = f"Argument numéro {i} : la transparence renforce la confiance ({list(target)[0]})."
        similar = None
        if i % 4 == 3:  # a near-duplicate of the previous one
            similar = session.query(Argument.id).filter_by(**target).order_by(Argument.id.desc()).limit(1).scalar()
        argument = Argument(stance="for" if i % 2 else "against", body=body, folded=body.lower(), author_id=author,
                            similar_to_id=similar, **target)
        session.add(argument)
        session.flush()
        session.add(UsefulMark(argument_id=argument.id, user_id=self.reader_id))
        session.add(UsefulMark(argument_id=argument.id, user_id=author))
        if i % 2 == 0:
            session.add(ArgumentSupporter(argument_id=argument.id, user_id=self.reader_id))
        if i % 5 == 4:  # moderators hide some: they leave lists but must not cost a query each
            decision = ModerationDecision(target_type="argument", target_id=argument.id, bill_id=self._bill_id(session),
                                          action="hide", reason="Hors sujet", moderator_id=self.admin_id)
            session.add(decision)
            session.flush()
            argument.hidden_by_id = decision.id


@pytest.fixture
def settings(settings):
    """The JSON documents' cache off: a hit sends nothing, and what is counted is building the answer
    (tests/drafting/test_documents.py checks the hits)."""
    return dataclasses.replace(settings, document_cache_entries=0)


@pytest.fixture
def debate(client, db) -> Debate:
    """The bill is created and opened through the API; accounts without passwords keep argon2 out of it."""
    with db.session() as session:
        admin = User(username="redaction", display_name="Cabinet du ministre", is_admin=True)
        reader = User(username="lectrice", display_name="Lectrice")
        session.add_all([admin, reader])
        session.flush()
        headers = {"Authorization": f"Bearer {accounts.issue_token(session, admin, 'api')}"}
        admin_id, reader_id = admin.id, reader.id
    created = client.post("/api/v1/bills", headers=headers, json={"title": "Projet de loi d'essai", "articles": [
        {"number": "1", "heading": "Objet", "text": "La présente loi a pour objet d'ouvrir les données publiques."},
        {"number": "2", "text": "Les administrations publient leurs données dans un format ouvert."},
        {"number": "3", "text": "Un décret en Conseil d'État précise les modalités d'application."},
    ]})
    assert created.status_code == 201, created.text
    bill = created.json()
    opened = client.post(f"/api/v1/bills/{bill['slug']}/status", headers=headers, json={"status": "open"})
    assert opened.status_code == 200, opened.text
    return Debate(db=db, slug=bill["slug"], article_ids=[a["id"] for a in bill["articles"]], admin_id=admin_id,
                  reader_id=reader_id)


def signed_in(db, debate: Debate) -> dict[str, str]:
    """The headers of a participant who voted on everything and marked arguments useful."""
    with db.session() as session:
        token = accounts.issue_token(session, session.get(User, debate.reader_id), "web")
    return {"Cookie": f"{SESSION_COOKIE}={token}"}


def statements_for(client, app, path: str, headers: dict[str, str]) -> list[str]:
    client.get(path, headers=headers)  # warm caches (templates, compiled statements)
    with counting(app) as seen:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
    return seen


def assert_constant(client, app, db, debate: Debate, path_of, *, pages: bool = True) -> None:
    """Counts for an anonymous reader (and a signed-in one on pages) with SMALL, then LARGE, of everything."""
    readers = {"anonymous": {}, **({"signed in": signed_in(db, debate)} if pages else {})}
    debate.grow(SMALL)
    small = {who: statements_for(client, app, path_of(debate), headers) for who, headers in readers.items()}
    debate.grow(LARGE)
    for who, headers in readers.items():
        large = statements_for(client, app, path_of(debate), headers)
        extra = Counter(PARAMETER_LIST.sub("(...)", q) for q in large) - Counter(
            PARAMETER_LIST.sub("(...)", q) for q in small[who])
        assert len(large) == len(small[who]), (
            f"{path_of(debate)} ({who}): {len(small[who])} statements with {SMALL} of everything, {len(large)} "
            f"with {LARGE}; repeated: {[f'{n}x {s[:160]}' for s, n in extra.most_common(3)]}"
        )
        assert len(large) <= MAX_STATEMENTS, f"{path_of(debate)} ({who}): {len(large)} statements"


def test_article_page_statements_do_not_grow_with_amendments_arguments_and_votes(client, app, db, debate):
    assert_constant(client, app, db, debate, lambda d: f"/bills/{d.slug}/articles/{d.article_ids[0]}")


def test_bill_page_statements_do_not_grow_with_amendments_and_votes(client, app, db, debate):
    assert_constant(client, app, db, debate, lambda d: f"/bills/{d.slug}")


def test_amendment_page_statements_do_not_grow_with_cosigners_arguments_and_votes(client, app, db, debate):
    assert_constant(client, app, db, debate, lambda d: f"/amendments/{d.amendment_id}")


def test_amendment_json_statements_do_not_grow_with_cosigners_and_votes(client, app, db, debate):
    assert_constant(client, app, db, debate, lambda d: f"/api/v1/amendments/{d.amendment_id}", pages=False)


def test_bill_json_statements_do_not_grow_with_amendments_and_votes(client, app, db, debate):
    assert_constant(client, app, db, debate, lambda d: f"/api/v1/bills/{d.slug}", pages=False)
