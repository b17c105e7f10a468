"""The synthesis' counts kept per bill and day (amendments/services/consultation_days.py): what each
vote, amendment, argument and support added, what a changed or taken back vote and moderation took
away, checked against figures counted by hand from what the test does through HTTP, against the rows
(``navette db recount``), and rebuilt by ``navette db recount --fix``."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select, update

from amendments.models import BillDayCounts, BillPerson
from amendments.services import consultation_recount
from amendments.services.consultation_days_sql import COUNTS
from drafting.models import User
from tests.synthesis.consultation import build


@pytest.fixture
def consultation(api, admin):
    return build(api, admin)


def day_rows(db) -> dict[str, dict[str, int]]:
    with db.session(write=False) as session:
        return {row.kind: {name: getattr(row, name) for name in (*COUNTS, "participants")}
                for row in session.scalars(select(BillDayCounts))}


def weights(db) -> dict[str, int]:
    with db.session(write=False) as session:
        return dict(session.execute(select(User.username, BillPerson.weight).join(User, User.id == BillPerson.user_id)).all())


def test_each_write_adds_to_its_day_as_counted_by_hand(db, consultation):
    # tests/synthesis/consultation.py: the citizens' eight votes (5 agree, 1 mixed, 2 disagree), two
    # visible amendments, three visible arguments and one support; the organization's vote, amendment
    # and argument. The hidden amendment and the hidden argument count nothing.
    assert day_rows(db) == {
        "citizen": {"votes_agree": 5, "votes_mixed": 1, "votes_disagree": 2, "amendments": 2, "arguments_for": 2,
                    "arguments_against": 1, "supports": 1, "participants": 3},
        "organization": {"votes_agree": 0, "votes_mixed": 0, "votes_disagree": 1, "amendments": 1,
                         "arguments_for": 0, "arguments_against": 1, "supports": 0, "participants": 1},
    }
    assert weights(db) == {"alice": 4, "bruno": 6, "chloe": 4, "asso": 3}


def test_changed_votes_taken_back_votes_and_moderation_move_the_counts(client, db, consultation):
    people = consultation["people"]
    first = consultation["articles"][0]
    changed = client.put(f"/api/v1/articles/{first}/vote", json={"value": "disagree"}, headers=people["bruno"].headers)
    assert changed.status_code == 200, changed.text
    taken = client.delete(f"/api/v1/amendments/{consultation['secret']}/vote", headers=people["alice"].headers)
    assert taken.status_code == 200, taken.text
    # Hiding alice's amendment takes away it, bruno's and chloe's votes on it and bruno's argument on it.
    hidden = client.post(f"/api/v1/moderation/amendment/{consultation['published']}/hide",
                         json={"reason": "Hors sujet."}, headers=people["modo"].headers)
    assert hidden.status_code == 200, hidden.text
    assert day_rows(db)["citizen"] == {"votes_agree": 1, "votes_mixed": 1, "votes_disagree": 3, "amendments": 1,
                                       "arguments_for": 1, "arguments_against": 1, "supports": 1, "participants": 3}
    assert weights(db) == {"alice": 2, "bruno": 4, "chloe": 3, "asso": 3}
    found = client.get(f"/api/v1/bills/{consultation['slug']}/synthesis").json()
    today = datetime.now(timezone.utc).date().isoformat()
    assert found["by_day"] == [{"date": today, "votes": 6, "amendments": 2, "arguments": 3, "participants": 4}]
    assert (found["participants"], found["citizens"], found["organizations"]) == (4, 3, 1)
    with db.session(write=False) as session:
        assert consultation_recount.drift(session) == []


def test_recount_finds_and_mends_the_counts_per_day(db, database_url, consultation, tmp_path):
    from tests.drafting.test_cli import navette

    with db.session(write=False) as session:
        assert consultation_recount.drift(session) == []
    before = day_rows(db)
    with db.session() as session:  # counts spoiled behind the services' back
        session.execute(update(BillDayCounts).where(BillDayCounts.kind == "citizen").values(votes_agree=99))
        session.execute(update(BillPerson).values(weight=7))
    checked = navette("db", "recount", "--database-url", database_url, cwd=tmp_path)
    assert checked.returncode == 1 and "bill day" in checked.stderr, checked.stderr
    fixed = navette("db", "recount", "--fix", "--database-url", database_url, cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    assert day_rows(db) == before
    assert weights(db) == {"alice": 4, "bruno": 6, "chloe": 4, "asso": 3}
    again = navette("db", "recount", "--database-url", database_url, cwd=tmp_path)
    assert again.returncode == 0 and "match" in again.stdout, again.stderr
