"""The open-data package of the public record (CONTRACT §9): ``navette.json``, one CSV per table and a
Frictionless ``datapackage.json`` describing them.

Everything comes from the serializers the public API answers with, so the package holds what the
public pages and the API show and nothing more: no e-mail, password hash, token, session, address or
rate-limit row; votes only as counts per target; hidden items with their text withheld, their public
reason and date. The CSV files are flattened from ``navette.json``, so the two never disagree.
Deterministic: rows sorted by key, JSON with sorted keys, no generation time anywhere.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments.services import moderation
from amendments.services.rebase import CONFLICT
from amendments.models import (
    Amendment, AmendmentEvent, AmendmentOpinion, AmendmentResponse, Argument, MergedHunk, Source,
)
from amendments.views.participation_json import arguments_json, sources_json, trash_json
from amendments.views.json import amendments_json
from drafting.services import bills as services
from drafting.views import json as out
from drafting.models import ArticleVersion, Bill, BillVersionArticle, OrganizationDeclaration, User
from drafting.records.tables import TABLES

FORMAT = "navette-public-record"
FORMAT_VERSION = 1
RECORD_FILE = "navette.json"
DESCRIPTOR_FILE = "datapackage.json"
# A fixed time for every member of the zip, so that the same record gives the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


# --- the whole public record as one document ---------------------------------------------------

def public_record(session: Session, slug: str | None = None) -> dict[str, Any]:
    """Every bill (or the one named) with everything its public pages show, and the people named."""
    bills = [services.get_bill(session, slug)] if slug else sorted(services.list_bills(session), key=lambda b: b.id)
    documents = [_bill_record(session, bill) for bill in bills]
    named = sorted(_people_named(documents))
    people = list(session.scalars(select(User).where(User.username.in_(named)).order_by(User.username))) if named else []
    declared: dict[int, list[dict[str, Any]]] = {}
    for declaration in session.scalars(select(OrganizationDeclaration).where(
            OrganizationDeclaration.user_id.in_([u.id for u in people if u.is_organization])).order_by(OrganizationDeclaration.id)):
        declared.setdefault(declaration.user_id, []).append(out.declaration_json(declaration))
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "people": [_person(user, declared.get(user.id, [])) for user in people],
        "bills": documents,
    }


def _person(user: User, declarations: list[dict[str, Any]]) -> dict[str, Any]:
    """A person named by the record; an organization with what it declared of itself, oldest first."""
    shown = out.user_json(user)
    person = {key: shown[key] for key in ("id", "username", "display_name", "kind", "organization", "created_by_staff")}
    if user.is_organization:
        person["declarations"] = declarations
    return person


def _bill_record(session: Session, bill: Bill) -> dict[str, Any]:
    articles = services.bill_articles(session, bill, include_removed=True)
    article_documents = out.articles_json(session, bill, articles)
    chosen = _merged_hunks(session, [a.id for a in articles])
    for document, article in zip(article_documents, articles):
        document["division"] = article.division_id
        document["created_at"] = out.iso(article.created_at)
        document["versions"] = out.article_versions_json(session, services.article_versions(session, article))
        for version in document["versions"]:
            version["merged_hunks"] = chosen.get((article.id, version["version"]), [])
    versions = []
    for version in services.bill_versions(session, bill):
        document = out.bill_version_json(session, version, with_texts=False)
        entries = {e.article_id: e for e in session.scalars(
            select(BillVersionArticle).where(BillVersionArticle.bill_version_id == version.id))}
        for item in document["articles"]:
            item["position"] = entries[item["id"]].position
            item["division"] = entries[item["id"]].division_id
        versions.append(document)
    amendments = list(session.scalars(select(Amendment).where(Amendment.bill_id == bill.id).order_by(Amendment.id)))
    amendment_documents = amendments_json(session, amendments)
    _add_amendment_record(session, amendment_documents)
    article_ids = [a.id for a in articles]
    amendment_ids = [a.id for a in amendments]
    arguments = list(session.scalars(
        select(Argument).where((Argument.article_id.in_(article_ids)) | (Argument.amendment_id.in_(amendment_ids)))
        .order_by(Argument.id)))
    argument_documents = arguments_json(session, [(a, a.useful_count) for a in arguments])
    sources = list(session.scalars(
        select(Source).where((Source.article_id.in_(article_ids)) | (Source.amendment_id.in_(amendment_ids)))
        .order_by(Source.id)))
    trash = sorted((trash_json(item) for item in moderation.trash(session, bill)),
                   key=lambda t: (t["target"], t["id"]))
    return {
        **out.bill_summary_json(bill),
        "authors": [u.username for u in services.bill_authors(session, bill)],
        "divisions": [
            {"id": d.id, "parent": d.parent_id, "kind": d.kind, "label": d.label, "heading": d.heading,
             "position": d.position}
            for d in services.bill_divisions(session, bill)
        ],
        "articles": article_documents,
        "versions": versions,
        "amendments": amendment_documents,
        "arguments": argument_documents,
        "positions": argument_positions(argument_documents),
        "sources": sources_json(session, sources),
        "trash": trash,
    }


def _merged_hunks(session: Session, article_ids: list[int]) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """(article, version) → the changes that version took of the amendments it merged in part (CONTRACT
    §8), by amendment then hunk, as blame credits them; none when each was merged whole."""
    found: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for article_id, number, hunk in session.execute(
        select(ArticleVersion.article_id, ArticleVersion.version, MergedHunk)
        .join(MergedHunk, MergedHunk.article_version_id == ArticleVersion.id)
        .where(ArticleVersion.article_id.in_(article_ids))
        .order_by(ArticleVersion.article_id, ArticleVersion.version, MergedHunk.amendment_id, MergedHunk.hunk_index)
    ):
        found[(article_id, number)].append({"amendment": hunk.amendment_id, "index": hunk.hunk_index,
                                            "wording": hunk.wording, "diff": json.loads(hunk.diff)})
    return found


def _add_amendment_record(session: Session, documents: list[dict[str, Any]]) -> None:
    """Each amendment's answers, every official opinion given on it (CONTRACT §8: the latest is its
    ``opinion``) and the dated steps its public page lists (kind, who, when, the versions it went from and
    to, the text it replaced and the step's detail: why it fell, what conflicted, what it took in). A hidden
    amendment's replaced texts and conflicting passages are withheld like its text."""
    ids = [d["id"] for d in documents]
    if not ids:
        return
    hidden = {d["id"] for d in documents if "hidden" in d}
    answers: dict[int, list] = {i: [] for i in ids}
    for response in session.scalars(select(AmendmentResponse).where(AmendmentResponse.amendment_id.in_(ids))
                                    .order_by(AmendmentResponse.created_at, AmendmentResponse.id)):
        answers[response.amendment_id].append({"id": response.id, "kind": response.kind, "body": response.body,
                                               "author": response.author.username,
                                               "created_at": out.iso(response.created_at)})
    opinions: dict[int, list] = {i: [] for i in ids}
    for opinion in session.scalars(select(AmendmentOpinion).where(AmendmentOpinion.amendment_id.in_(ids))
                                   .order_by(AmendmentOpinion.created_at, AmendmentOpinion.id)):
        opinions[opinion.amendment_id].append({"id": opinion.id, "opinion": opinion.opinion,
                                               "author": opinion.author.username,
                                               "created_at": out.iso(opinion.created_at)})
    events: dict[int, list] = {i: [] for i in ids}
    for event in session.scalars(select(AmendmentEvent).where(AmendmentEvent.amendment_id.in_(ids))
                                 .order_by(AmendmentEvent.created_at, AmendmentEvent.id)):
        withheld = event.amendment_id in hidden
        events[event.amendment_id].append({
            "id": event.id, "kind": event.kind, "actor": event.actor.username if event.actor else None,
            "from_version": event.from_version, "to_version": event.to_version,
            "previous_text": None if withheld else event.previous_text,
            "detail": None if withheld and event.kind == CONFLICT else event.detail,
            "created_at": out.iso(event.created_at)})
    for document in documents:
        document["answers"] = answers[document["id"]]
        document["opinions"] = opinions[document["id"]]
        document["events"] = events[document["id"]]


def argument_positions(arguments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Today's positions: each visible argument that starts a group, with the near-duplicates written
    after it (``similar_to``), as the argument columns show them; the argument map (CONTRACT §7) will
    fill the same table with groups by meaning. A position's id is its first argument's id."""
    visible = {a["id"]: a for a in arguments if "hidden" not in a}
    members: dict[int, list[dict[str, Any]]] = {}
    for argument in visible.values():
        head = argument["similar_to"] if argument["similar_to"] in visible else argument["id"]
        members.setdefault(head, []).append(argument)
    positions = []
    for head, group in sorted(members.items()):
        people = {a["author"] for a in group} | {name for a in group for name in a["supporters"]}
        first = visible[head]
        positions.append({
            "id": head, "article": first["article"], "amendment": first["amendment"], "stance": first["stance"],
            "label": first["body"], "representative": head, "arguments": sorted(a["id"] for a in group),
            "supporters": len(people),
        })
    return positions


def _people_named(bills: list[dict[str, Any]]) -> set[str]:
    named: set[str] = set()
    for bill in bills:
        named.update(bill["authors"])
        named.update(v["published_by"] for v in bill["versions"])
        for article in bill["articles"]:
            named.update(v["author"] for v in article["versions"])
        for amendment in bill["amendments"]:
            named.add(amendment["author"])
            named.update(amendment["cosigners"])
            named.update(a["author"] for a in amendment["answers"])
            named.update(o["author"] for o in amendment["opinions"])
            if amendment.get("entered_by"):
                named.add(amendment["entered_by"])
            named.update(e["actor"] for e in amendment["events"] if e["actor"])
        for argument in bill["arguments"]:
            named.add(argument["author"])
            named.update(argument["supporters"])
            if argument.get("entered_by"):
                named.add(argument["entered_by"])
        named.update(s["author"] for s in bill["sources"])
        named.update(t["author"] for t in bill["trash"])
    return named


# --- tables ------------------------------------------------------------------------------------



def _words(values: Iterable[Any]) -> str:
    return " ".join(str(v) for v in values)


def table_rows(record: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The record flattened into the rows of each table, sorted by primary key."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for bill in record["bills"]:
        rows["bills"].append({**{k: bill[k] for k in ("id", "slug", "title", "summary", "status",
                                                      "consultation_opens_at", "consultation_closes_at",
                                                      "created_at")}, "authors": _words(bill["authors"])})
        for article in bill["articles"]:
            rows["articles"].append({**article, "bill": bill["id"], **article["votes"]})
            for version in article["versions"]:
                rows["article_versions"].append({"article": article["id"], **version,
                                                 "merged_amendments": _words(version["merged_amendments"]),
                                                 "merged_hunks": _words(f"{h['amendment']}:{h['index']}"
                                                                        for h in version.get("merged_hunks", []))})
        for version in bill["versions"]:
            for item in version["articles"]:
                rows["bill_versions"].append({"bill": bill["id"], **version, "article": item["id"],
                                              "article_version": item["version"], "number": item["number"],
                                              "heading": item["heading"], "position": item["position"]})
        for amendment in bill["amendments"]:
            rows["amendments"].append({
                **amendment, "bill": bill["id"], **amendment["votes"], "cosigners": _words(amendment["cosigners"]),
                "identical_to": _words(amendment.get("identical_to", [])),
                "diff": json.dumps(amendment["diff"], ensure_ascii=False) if amendment["diff"] is not None else None,
                "hidden": "hidden" in amendment,
            })
            rows["answers"].extend({**answer, "amendment": amendment["id"]} for answer in amendment["answers"])
        position_of = {}
        for position in bill["positions"]:
            rows["positions"].append({**position, "arguments": _words(position["arguments"])})
            position_of.update(dict.fromkeys(position["arguments"], position["id"]))
        for argument in bill["arguments"]:
            rows["arguments"].append({**argument, "supporters": _words(argument["supporters"]),
                                      "position": position_of.get(argument["id"]), "hidden": "hidden" in argument})
        rows["moderation"].extend({**entry, "bill": bill["id"]} for entry in bill["trash"])
    for name, (_, _, key, _) in TABLES.items():
        rows[name].sort(key=lambda row: tuple(row[k] for k in key))
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_bytes(name: str, rows: list[dict[str, Any]]) -> bytes:
    fields = [f["name"] for f in TABLES[name][1]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([_cell(row.get(field)) for field in fields])
    return buffer.getvalue().encode("utf-8")


def descriptor(record: dict[str, Any]) -> dict[str, Any]:
    """The Frictionless Data Package descriptor of the files ``package_files`` writes."""
    slugs = [bill["slug"] for bill in record["bills"]]
    resources = [{
        "name": "navette", "path": RECORD_FILE, "format": "json", "mediatype": "application/json",
        "encoding": "utf-8",
        "description": "The whole public record as one JSON document: bills with their articles and every "
                       "version, bill versions, amendments (cosigners, status, answers, diff base), arguments "
                       "with supporters, positions, sources, votes as counts per target, and the trash.",
    }]
    for name, (description, fields, key, foreign) in TABLES.items():
        schema: dict[str, Any] = {"fields": fields, "primaryKey": key, "missingValues": [""]}
        if foreign:
            schema["foreignKeys"] = [
                {**k, "reference": {**k["reference"], "resource": "" if k["reference"]["resource"] == name
                                    else k["reference"]["resource"]}} for k in foreign
            ]
        resources.append({"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv",
                          "mediatype": "text/csv", "encoding": "utf-8", "description": description,
                          "dialect": {"delimiter": ",", "lineTerminator": "\n", "quoteChar": '"',
                                      "doubleQuote": True, "header": True},
                          "schema": schema})
    return {
        "profile": "data-package",
        "name": "navette-" + ("-".join(slugs) if len(slugs) == 1 else "public-record"),
        "title": record["bills"][0]["title"] if len(slugs) == 1 else "Navette: the public record",
        "description": "The public record of a Navette consultation, as its public pages show it.",
        "licenses": [{"name": "ODbL-1.0", "path": "https://opendatacommons.org/licenses/odbl/1-0/",
                      "title": "Open Data Commons Open Database License 1.0"}],
        "resources": resources,
    }


def package_files(record: dict[str, Any]) -> dict[str, bytes]:
    """File name → bytes of the whole package: the same record always gives the same bytes."""
    rows = table_rows(record)
    files = {RECORD_FILE: _json_bytes(record)}
    files.update({f"{name}.csv": csv_bytes(name, rows[name]) for name in TABLES})
    files[DESCRIPTOR_FILE] = _json_bytes(descriptor(record))
    return dict(sorted(files.items()))


def _json_bytes(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def package_zip(files: dict[str, bytes], folder: str) -> bytes:
    """The package as a zip archive with fixed member times: byte-identical for the same record."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            member = zipfile.ZipInfo(f"{folder}/{name}", date_time=ZIP_TIME)
            member.external_attr = 0o644 << 16
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, content)
    return buffer.getvalue()


def write_files(directory: Path, files: dict[str, bytes]) -> list[str]:
    """Write the files that differ from what is on disk (bytes compared); answers the names written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() and path.read_bytes() == content:
            continue
        temporary = path.with_name(path.name + ".part")
        temporary.write_bytes(content)
        temporary.replace(path)
        written.append(name)
    return written


def export(database_url: str, directory: Path, slug: str | None = None) -> str:
    """``navette export``: the package of every bill (or one) into ``directory``; answers a summary."""
    from drafting.db import Database

    db = Database(database_url)
    try:
        with db.session(write=False) as session:
            files = package_files(public_record(session, slug))
    finally:
        db.dispose()
    written = write_files(directory, files)
    return f"{len(files)} files in {directory} ({len(written)} written): {', '.join(files)}"
