"""Loading bills from text files, and the demo bill with a short public history."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from drafting.services import accounts
from drafting.services import bills
from drafting.models import Article, Bill, User
from drafting.seeding import consultation

DEMO_DIR = Path(__file__).resolve().parents[1] / "demo"
DEMO_SLUG = "republique-numerique"
VECTORS_FILE = "consultation_vectors.npz"  # the e5 vectors of the consultation's arguments
SYSTEM_USERNAME = "equipe-navette"
DEMO_STAFF = ("redaction", "navette-demo")  # documented in the README: a demo database only


def system_user(session: Session) -> User:
    """The account that owns bills imported from the command line (an administrator)."""
    user = session.scalar(select(User).where(User.username == SYSTEM_USERNAME))
    if user is None:
        # No password: nobody signs in as this account.
        user = User(username=SYSTEM_USERNAME, display_name="Équipe Navette", kind="citizen", is_admin=True)
        session.add(user)
        session.flush()
    return user


def import_bill_text(session: Session, text: str, *, title: str, slug: str | None = None,
                     owner: User | None = None) -> Bill:
    owner = owner or system_user(session)
    return bills.create_bill(session, owner, bills.BillIn(title=title, slug=slug, markdown=text))


def article_count(session: Session, bill: Bill) -> int:
    return session.scalar(select(func.count()).select_from(Article).where(Article.bill_id == bill.id))


def _demo_title(text: str) -> str:
    first = text.lstrip().splitlines()[0]
    return first.lstrip("#").strip() if first.startswith("#") else "Projet de loi pour une République numérique"


def _load_bill(session: Session) -> Bill:
    """The République numérique bill as put to consultation in 2015, opened, with a second version."""
    staff = demo_staff(session)
    text = (DEMO_DIR / "republique_numerique.md").read_text(encoding="utf-8")
    bill = import_bill_text(session, text, title=_demo_title(text), slug=DEMO_SLUG, owner=staff)
    bill.summary = (
        "Le projet de loi tel que soumis à la consultation publique en ligne du 26 septembre au "
        "18 octobre 2015 : ouverture des données publiques, neutralité du net, portabilité, "
        "accessibilité numérique."
    )
    bills.set_status(session, staff, bill, "open")
    history = json.loads((DEMO_DIR / "history.json").read_text(encoding="utf-8"))
    by_number = {a.number: a for a in bills.bill_articles(session, bill)}
    for entry in history.get("versions", []):
        article = by_number.get(str(entry["article_number"]))
        if article is None:
            continue
        bills.append_article_version(
            session, staff, article, article.current_version,
            bills.NewVersion(text=entry["text"], message=entry["message"]),
        )
    bills.publish_bill_version(session, staff, bill, "Version 2",
                                  "Texte modifié après les premières contributions")
    return bill


def demo_staff(session: Session) -> User:
    staff = session.scalar(select(User).where(User.username == DEMO_STAFF[0]))
    if staff is None:
        staff = accounts.create_user(
            session, accounts.UserIn(username=DEMO_STAFF[0], password=DEMO_STAFF[1],
                                     display_name="Secrétariat d'État au numérique"),
            is_admin=True,
        )
    return staff


def consultation_data() -> dict:
    return consultation.read_data(DEMO_DIR)


def e5_vectors() -> dict:
    """The consultation's argument vectors for the site's embedder (e5), mostly read from the demo folder."""
    return consultation.stored_e5_vectors(consultation_data(), DEMO_DIR / VECTORS_FILE)


def needs_loading(session: Session) -> bool:
    """``navette demo`` has something to load: the bill or its consultation is missing."""
    return not consultation.is_loaded(session, consultation_data())


def load_demo(session: Session, *, with_consultation: bool = True, vectors: dict | None = None,
              progress: consultation.Progress = consultation.quiet) -> tuple[str, bool]:
    """The demo bill and a short consultation on it; idempotent (each is loaded once, in this transaction).

    ``with_consultation=False`` loads the bill alone (the benchmark seeder writes its own crowd).
    ``vectors``: the arguments' embeddings (``consultation.argument_vectors``), computed by the caller
    before the transaction; computed here otherwise. Answers the slug and whether anything was loaded."""
    data = consultation_data()
    bill = session.scalar(select(Bill).where(Bill.slug == DEMO_SLUG))
    if bill is not None and (not with_consultation or consultation.is_loaded(session, data)):
        return DEMO_SLUG, False
    if bill is None:
        bill = _load_bill(session)
    if with_consultation:
        consultation.load_consultation(session, bill, demo_staff(session), data,
                                       vectors if vectors is not None else consultation.argument_vectors(data),
                                       progress)
    return DEMO_SLUG, True


if __name__ == "__main__" and sys.argv[1:] == ["vectors"]:  # python -m drafting.seeding.demo vectors
    consultation.write_e5_vectors(consultation_data(), DEMO_DIR / VECTORS_FILE)
    print(f"wrote {DEMO_DIR / VECTORS_FILE}", file=sys.stderr)
