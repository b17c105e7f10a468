"""``navette restore-mirror``: a mirror's (or an export's) ``navette.json`` loaded into an empty database,
so that another host serves the same public record with the same ids (CONTRACT §9).

People come back as read-only accounts: no password hash, no e-mail, so nobody signs in as them.
What the record does not hold is not invented: votes come back as the counts per target (no voter),
useful marks as counts, hidden items as their trash entry (text withheld). Moderation decisions and
accounts opened by staff name one placeholder account, ``restored-record``, since the record does not
say which moderator or staff member it was.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from amendments.services import tallies
from amendments.models import (
    Amendment, AmendmentCosigner, AmendmentEvent, AmendmentOpinion, AmendmentResponse, Argument, ArgumentSupporter,
    MergedAmendment, MergedHunk, ModerationDecision, Source,
)
from amendments.services.arguments import fold
from amendments.services.proposing import text_digest
from drafting.db import Base, Database
from drafting.models import (Article, ArticleVersion, Bill, BillAuthor, BillVersion, BillVersionArticle, Division,
                             OrganizationDeclaration, User)
from drafting.records import export
from drafting.services import accounts
from drafting.records.backup import tables_with_rows

PLACEHOLDER = "restored-record"
TICK = timedelta(microseconds=1)  # keeps the order of co-signers, authors and supporters, which the record lists


class RestoreError(Exception):
    """A record that cannot be restored here; the message says why."""


def find_record(directory: Path) -> Path:
    for candidate in (directory / export.RECORD_FILE, directory / "data" / export.RECORD_FILE):
        if candidate.is_file():
            return candidate
    raise RestoreError(f"no {export.RECORD_FILE} in {directory} (nor in {directory / 'data'}): "
                       "give the directory of a `navette mirror` or a `navette export`")


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def restore_mirror(directory: Path, database_url: str) -> str:
    path = find_record(directory)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RestoreError(f"cannot read {path}: {error}") from None
    if not isinstance(record, dict) or record.get("format") != export.FORMAT:
        raise RestoreError(f"{path} is not a Navette public record (format {export.FORMAT!r})")
    if record.get("format_version") != export.FORMAT_VERSION:
        raise RestoreError(f"{path} has format version {record.get('format_version')}; this Navette reads "
                           f"version {export.FORMAT_VERSION}")
    from drafting.migrate import upgrade

    upgrade(database_url)
    full = tables_with_rows(database_url)
    if full:
        raise RestoreError(f"the target database is not empty ({', '.join(full[:5])} hold rows): restore a "
                           "record only into an empty database")
    db = Database(database_url)
    try:
        with db.session() as session:
            Loader(session, record).load()
        with db.session() as session:
            _advance_sequences(session)
    finally:
        db.dispose()
    bills = record["bills"]
    return (f"restored {len(bills)} bills ({', '.join(b['slug'] for b in bills)}), {len(record['people'])} people "
            f"as read-only accounts, from {path}")


class Loader:
    def __init__(self, session, record: dict[str, Any]) -> None:
        self.session = session
        self.record = record
        self.users: dict[str, int] = {}

    def add(self, *rows) -> None:
        self.session.add_all(rows)

    def load(self) -> None:
        names = {p["username"] for p in self.record["people"]}
        placeholder = PLACEHOLDER
        while placeholder in names:
            placeholder += "-"
        keeper = User(id=max((p["id"] for p in self.record["people"]), default=0) + 1, username=placeholder,
                      display_name="Registre restauré", password_hash=None, kind="citizen")
        self.add(keeper)
        self.session.flush()
        self.keeper = keeper.id
        for person in sorted(self.record["people"], key=lambda p: p["id"]):
            organization = person["organization"] or {}
            user = User(id=person["id"], username=person["username"], display_name=person["display_name"], kind=person["kind"],
                        organization_name=organization.get("name"),
                        declared_interests=organization.get("declared_interests"),
                        created_by_id=self.keeper if person["created_by_staff"] else None,
                        email=None, password_hash=None)
            self.add(user)
            self.session.flush()
            self.users[user.username] = user.id
            if person["kind"] == "organization":
                self.add(*self.declarations(user, person))
        for bill in self.record["bills"]:
            self.load_bill(bill)
        self.session.flush()
        self.load_counts()

    def declarations(self, user: User, person: dict[str, Any]) -> list[OrganizationDeclaration]:
        """What the organization declared, as the record lists it; a record written before declarations
        were kept gives the latest only, dated at the restore."""
        listed = person.get("declarations")
        if not listed:
            return [accounts.declaration_of(user)]
        return [OrganizationDeclaration(user_id=user.id, organization_name=d["name"], declared_interests=d["declared_interests"],
                                        declared_at=_when(d["declared_at"])) for d in listed]

    def load_bill(self, bill: dict[str, Any]) -> None:
        created = _when(bill["created_at"])
        self.add(Bill(id=bill["id"], slug=bill["slug"], title=bill["title"], summary=bill["summary"],
                      status=bill["status"], consultation_opens_at=_when(bill["consultation_opens_at"]),
                      consultation_closes_at=_when(bill["consultation_closes_at"]),
                      created_by_id=self.users[bill["authors"][0]] if bill["authors"] else self.keeper,
                      created_at=created))
        self.session.flush()
        self.add(*(BillAuthor(bill_id=bill["id"], user_id=self.users[name], created_at=created + i * TICK)
                   for i, name in enumerate(bill["authors"])))
        for division in sorted(bill["divisions"], key=lambda d: d["id"]):
            self.add(Division(id=division["id"], bill_id=bill["id"], parent_id=division["parent"],
                              kind=division["kind"], label=division["label"], heading=division["heading"],
                              position=division["position"]))
            self.session.flush()
        versions: dict[tuple[int, int], ArticleVersion] = {}
        for article in bill["articles"]:
            self.add(Article(id=article["id"], bill_id=bill["id"], division_id=article["division"],
                             number=article["number"], heading=article["heading"], position=article["position"],
                             current_version=article["version"], removed=article["removed"],
                             created_at=_when(article["created_at"])))
            for version in article["versions"]:
                row = ArticleVersion(article_id=article["id"], version=version["version"], text=version["text"],
                                     deletes_article=version["deletes_article"],
                                     author_id=self.users[version["author"]], message=version["message"],
                                     created_at=_when(version["created_at"]))
                versions[(article["id"], version["version"])] = row
                self.add(row)
        self.session.flush()
        for version in bill["versions"]:
            row = BillVersion(bill_id=bill["id"], seq=version["seq"], label=version["label"],
                              message=version["message"], published_by_id=self.users[version["published_by"]],
                              published_at=_when(version["published_at"]))
            self.add(row)
            self.session.flush()
            self.add(*(BillVersionArticle(bill_version_id=row.id, article_id=item["id"], version=item["version"],
                                          number=item["number"], heading=item["heading"], position=item["position"],
                                          division_id=item["division"]) for item in version["articles"]))
        for amendment in sorted(bill["amendments"], key=lambda a: a["id"]):  # a parent before its sub-amendments
            self.load_amendment(bill, amendment)
        self.session.flush()
        for article in bill["articles"]:
            for version in article["versions"]:
                row = versions[(article["id"], version["version"])]
                self.add(*(MergedAmendment(article_version_id=row.id, amendment_id=amendment_id, position=i)
                           for i, amendment_id in enumerate(version["merged_amendments"])))
                # absent from a record written before partial merges were exported: each merged whole
                self.add(*(MergedHunk(article_version_id=row.id, amendment_id=hunk["amendment"],
                                      hunk_index=hunk["index"], wording=hunk["wording"],
                                      diff=json.dumps(hunk["diff"], ensure_ascii=False))
                           for hunk in version.get("merged_hunks", [])))
        for argument in sorted(bill["arguments"], key=lambda a: a["id"]):
            self.load_argument(bill, argument)
        for source in bill["sources"]:
            created = _when(source["created_at"])
            row = Source(id=source["id"], article_id=source["article"], amendment_id=source["amendment"],
                         title=source["title"] or "", url=source["url"] or "", note=source["note"] or "",
                         author_id=self.users[source["author"]], created_at=created)
            row.hidden_by_id = self.hide(bill, "source", source)
            self.add(row)
        self.session.flush()

    def hide(self, bill: dict[str, Any], target: str, item: dict[str, Any]) -> int | None:
        """The moderation decision behind a hidden item, as its trash entry shows it."""
        if "hidden" not in item:
            return None
        decision = ModerationDecision(target_type=target, target_id=item["id"], bill_id=bill["id"], action="hide",
                                      reason=item["hidden"]["reason"], moderator_id=self.keeper,
                                      created_at=_when(item["hidden"]["at"]))
        self.add(decision)
        self.session.flush()
        return decision.id

    def load_amendment(self, bill: dict[str, Any], amendment: dict[str, Any]) -> None:
        created = _when(amendment["created_at"])
        proposed = amendment["text"] or ""
        parent = amendment.get("parent")  # absent from a record written before sub-amendments were exported
        row = Amendment(id=amendment["id"], bill_id=bill["id"], article_id=amendment["article"],
                        kind=amendment["kind"], author_id=self.users[amendment["author"]],
                        entered_by_id=self.users[amendment["entered_by"]] if amendment.get("entered_by") else None,
                        title=amendment["title"] or "", explanation=amendment["explanation"] or "",
                        status=amendment["status"], base_version=amendment["base_version"], text=proposed,
                        text_digest=text_digest(proposed), after_article_id=amendment["after_article"],
                        heading=amendment["heading"] or "", created_article_id=amendment["created_article"],
                        parent_id=parent, parent_text=diff_base(amendment["diff"]) if parent is not None else None,
                        partial=bool(amendment.get("partial")), created_at=created)
        row.hidden_by_id = self.hide(bill, "amendment", amendment)
        self.add(row)
        self.session.flush()
        self.add(*(AmendmentCosigner(amendment_id=row.id, user_id=self.users[name], created_at=created + (i + 1) * TICK)
                   for i, name in enumerate(amendment["cosigners"])))
        self.add(*(AmendmentResponse(id=answer["id"], amendment_id=row.id, body=answer["body"], kind=answer["kind"],
                                     author_id=self.users[answer["author"]], created_at=_when(answer["created_at"]))
                   for answer in amendment["answers"]))
        self.add(*self.opinions(amendment, row))
        self.add(*(AmendmentEvent(id=event["id"], amendment_id=row.id, kind=event["kind"],
                                  actor_id=self.users[event["actor"]] if event["actor"] else None,
                                  from_version=event.get("from_version"), to_version=event.get("to_version"),
                                  previous_text=event.get("previous_text"), detail=event.get("detail") or "",
                                  created_at=_when(event["created_at"]))
                   for event in amendment["events"]))

    def opinions(self, amendment: dict[str, Any], row: Amendment) -> list[AmendmentOpinion]:
        """Every opinion given on it; a record written before they were exported holds only the latest,
        which comes back as given by the placeholder account when the amendment was proposed."""
        if "opinions" in amendment:
            return [AmendmentOpinion(id=given["id"], amendment_id=row.id, opinion=given["opinion"],
                                     author_id=self.users[given["author"]], created_at=_when(given["created_at"]))
                    for given in amendment["opinions"]]
        if amendment.get("opinion"):
            return [AmendmentOpinion(amendment_id=row.id, opinion=amendment["opinion"], author_id=self.keeper,
                                     created_at=row.created_at)]
        return []

    def load_argument(self, bill: dict[str, Any], argument: dict[str, Any]) -> None:
        created = _when(argument["created_at"])
        body = argument["body"] or ""
        row = Argument(id=argument["id"], article_id=argument["article"], amendment_id=argument["amendment"],
                       stance=argument["stance"], body=body, folded=fold(body),
                       author_id=self.users[argument["author"]], similar_to_id=argument["similar_to"],
                       entered_by_id=self.users[argument["entered_by"]] if argument.get("entered_by") else None,
                       useful_count=argument["useful"], created_at=created)
        row.hidden_by_id = self.hide(bill, "argument", argument)
        self.add(row)
        self.session.flush()
        self.add(*(ArgumentSupporter(argument_id=row.id, user_id=self.users[name], created_at=created + (i + 1) * TICK)
                   for i, name in enumerate(argument["supporters"])))

    def load_counts(self) -> None:
        """The stored counts from the restored rows, then the votes, which the record holds as counts."""
        tallies.rebuild(self.session, useful=False)
        for bill in self.record["bills"]:
            for kind, items in (("article", bill["articles"]), ("amendment", bill["amendments"])):
                for item in items:
                    if any(item["votes"].values()):
                        tallies.add(self.session, kind, item["id"], **item["votes"])


def diff_base(diff: list[list[Any]] | None) -> str | None:
    """The text a word diff ``[[op, text], ...]`` starts from (what it keeps and deletes): a sub-amendment's
    parent text as it was written on, which its diff is against (CONTRACT §8); none when withheld."""
    if diff is None:
        return None
    return "".join(part for op, part in diff if op <= 0)


def _advance_sequences(session) -> None:
    """PostgreSQL: each id sequence past the ids the record brought, so new rows do not collide."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement is not False:
            name = table.name
            session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
                f"FROM {name}"))
