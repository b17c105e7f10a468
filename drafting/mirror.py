"""``navette mirror``: a static copy of the public site (CONTRACT §9), made by requesting the app's own
public pages in-process, so it shows exactly what the site shows.

Every page of the record is requested anonymously (seeded from the record itself, so that an amendment no
list links to is still there, then following the links between public pages), saved under a file name
that a static server or a browser opening files resolves (``/bills/x`` → ``bills/x/index.html``; a query
string becomes part of the name: ``/bills/x/diff?from=1&to=2`` → ``bills/x/diff/from-1_to-2.html``), and
rewritten with relative links; forms, scripts and htmx attributes are removed (nothing can be written on
a copy), and a link to a page that is not copied (sign-in, proposing, the API) becomes plain text.
A PDF (the synthesis) is laid out last, once every page is known, with its links likewise relative to
its own file (``Crawl.link_in_copy``, through ``app.state.mirror["pdf_links"]``: drafting.web.pdf).

Incremental: a file is rewritten only when its bytes change. Only ``index.html`` and ``mirror.json`` say
when the copy was made, and that time is kept from the previous run when nothing else changed, so an
unchanged record rewrites nothing; ``SHA256SUMS`` lists every other file (``sha256sum -c``).
"""
from __future__ import annotations

import hashlib
import json
import logging
import posixpath
import re
import sys
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

import lxml.html
from litestar.testing import TestClient

from drafting.records import export

BASE = "https://mirror.invalid"  # the in-process site's address: never contacted, rewritten out of pages
SUMS_FILE = "SHA256SUMS"
INFO_FILE = "mirror.json"
DATA_DIR = "data"  # the open-data package of the copied bills, beside the pages
FILE_LIKE = re.compile(r"\.(?:atom|zip|css|js|json|xml|svg|png|ico|txt|pdf)\Z")  # paths saved under their own name
FORM_ELEMENTS = ("form", "button", "input", "select", "textarea", "script")
# Public pages that belong in a copy (the slug is checked apart); anything else a page links to is not copied.
_SLUG = r"[^/?#]+"
COPIED = re.compile(
    r"\A/(?:"
    rf"|bills/(?P<slug>{_SLUG})(?:/(?:articles/\d+|history|versions/\d+|diff|trash|feed\.atom|synthesis|synthesis\.pdf))?"
    r"|articles/\d+(?:/(?:history|versions/\d+|compare|blame|arguments|argument-map))?"
    r"|amendments/\d+(?:/(?:arguments|argument-map))?"
    rf"|api/v1/bills/(?P<export>{_SLUG})/export\.zip"
    r"|static/[\w.-]+"
    r")\Z"
)


def file_name(url: str) -> str:
    """Where a site URL is saved in the copy: a directory-like path gets ``index.html``, a query string
    becomes a distinct name, a path that names a file (``feed.atom``, ``navette.css``) keeps it."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    if parts.query:
        words = "_".join(f"{_safe(k)}-{_safe(v)}" for k, v in sorted(parse_qsl(parts.query, keep_blank_values=True)))
        return f"{path}/{words}.html" if path else f"index_{words}.html"
    if not path:
        return "index.html"
    if FILE_LIKE.search(path):
        return path
    return f"{path}/index.html"


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]", lambda m: "~%02X" % ord(m.group()) if ord(m.group()) < 256 else "~", text)


def relative(from_file: str, to_file: str) -> str:
    return posixpath.relpath(to_file, posixpath.dirname(from_file) or ".")


def _read_only_tree(html: bytes):
    """The page's tree without what writes or runs (forms and their controls, scripts) and without the
    language switch (a copy is in one language)."""
    tree = lxml.html.document_fromstring(html)
    for element in [*tree.iter(*FORM_ELEMENTS), *tree.find_class("lang")]:
        if element.getparent() is not None:  # not inside a form already dropped
            element.drop_tree()
    return tree


@dataclass
class Fetched:
    url: str
    media_type: str
    body: bytes
    links: list[str] = field(default_factory=list)


class Crawl:
    """The pages of the copy, fetched through the app and kept until their links are rewritten."""

    def __init__(self, client: TestClient, slugs: set[str] | None) -> None:
        self.client = client
        self.slugs = slugs  # None: every bill
        self.pages: dict[str, Fetched] = {}

    def copied(self, url: str) -> bool:
        parts = urlsplit(url)
        match = COPIED.match(parts.path)
        if match is None:
            return False
        slug = match.group("slug") or match.group("export")
        return self.slugs is None or slug is None or slug in self.slugs

    def site_url(self, page_url: str, href: str) -> str | None:
        """The site URL (path and query) a link of ``page_url`` names, or None when it leaves the site."""
        absolute = urldefrag(urljoin(BASE + page_url, href.strip()))[0]
        if not absolute.startswith(BASE + "/"):
            return None
        parts = urlsplit(absolute)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def fetch(self, url: str) -> Fetched | None:
        response = self.client.get(url)
        if response.status_code != 200:  # e.g. a page this version of the site does not have
            return None
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        page = Fetched(url, media_type, response.content)
        if media_type == "text/html":
            tree = _read_only_tree(response.content)  # what a copy drops is not followed either
            page.links = [href for _, attribute, href, _ in tree.iterlinks() if attribute in ("href", "src")]
        elif media_type == "application/atom+xml":
            page.links = re.findall(rb'href="([^"]+)"', response.content)
            page.links = [link.decode().replace("&amp;", "&") for link in page.links]
        return page

    def link_in_copy(self, document_url: str, target: str) -> str | None:
        """What a link of a PDF (``target``, an absolute address) becomes in the copy: relative to the
        PDF's file when the copy holds that page, no link when it is a page of the site the copy does
        not hold, as it is when it leaves the site."""
        site = self.site_url(document_url, target)
        if site is None:
            return target
        if site not in self.pages:
            return None
        fragment = urldefrag(target)[1]
        return relative(file_name(document_url), file_name(site)) + (f"#{fragment}" if fragment else "")

    def run(self, seeds: list[str], progress) -> None:
        """Fetch the seeds and every copied page they link to; PDFs last (their links are not followed),
        once every page is known, so that ``link_in_copy`` knows which pages the copy holds."""
        queue = deque(dict.fromkeys(seeds))
        seen = set(queue)
        step = progress.step("pages", len(queue))
        later: list[str] = []
        while queue or later:
            if queue:
                url = queue.popleft()
                if urlsplit(url).path.endswith(".pdf"):
                    later.append(url)
                    continue
            else:
                url = later.pop(0)
            page = self.fetch(url)
            step.advance()
            if page is None:
                continue
            self.pages[url] = page
            for href in page.links:
                target = self.site_url(url, href)
                if target is not None and target not in seen and self.copied(target):
                    seen.add(target)
                    queue.append(target)
                    step.total += 1
        step.finish()

    def render(self, page: Fetched) -> bytes:
        """The page as saved: links relative, forms, scripts and htmx attributes gone."""
        here = file_name(page.url)
        if page.media_type == "text/html":
            return self._render_html(page, here)
        if page.media_type == "application/atom+xml":
            def local(match: re.Match) -> bytes:
                target = self.site_url(page.url, match.group(1).decode().replace("&amp;", "&"))
                if target in self.pages:
                    return b'href="' + relative(here, file_name(target)).encode() + b'"'
                return match.group(0)
            return re.sub(rb'href="([^"]+)"', local, page.body)
        return page.body

    def _render_html(self, page: Fetched, here: str) -> bytes:
        tree = _read_only_tree(page.body)
        dropped = []
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            for name in [n for n in element.attrib if n.startswith(("hx-", "data-hx-"))]:
                del element.attrib[name]
            for attribute in ("href", "src"):
                href = element.get(attribute)
                if href is None or href.startswith("#"):
                    continue
                target = self.site_url(page.url, href)
                if target is None:
                    continue  # another site: left as it is
                fragment = urldefrag(href)[1]
                if target in self.pages:
                    element.set(attribute, relative(here, file_name(target)) + (f"#{fragment}" if fragment else ""))
                elif element.tag == "a":  # a page the copy does not hold: its words stay, not the link
                    element.tag = "span"
                    for name in ("href", "hreflang", "download", "rel", "target"):
                        element.attrib.pop(name, None)
                else:
                    dropped.append(element)
        for element in dropped:
            element.drop_tree()
        return lxml.html.tostring(tree, encoding="utf-8", doctype="<!doctype html>") + b"\n"


def seed_urls(record: dict) -> list[str]:
    """Every page of the record, from the record itself: no page depends on being linked."""
    urls = ["/"]
    for bill in record["bills"]:
        slug = bill["slug"]
        urls += [f"/bills/{slug}", f"/bills/{slug}/history", f"/bills/{slug}/trash", f"/bills/{slug}/feed.atom",
                 f"/bills/{slug}/synthesis", f"/api/v1/bills/{slug}/export.zip"]
        seqs = [v["seq"] for v in bill["versions"]]
        urls += [f"/bills/{slug}/versions/{seq}" for seq in seqs]
        urls += [f"/bills/{slug}/diff?from={a}&to={b}" for a, b in zip(seqs, seqs[1:])]
        for article in bill["articles"]:
            base = f"/articles/{article['id']}"
            urls += [f"/bills/{slug}/articles/{article['id']}", f"{base}/history", f"{base}/blame",
                     f"{base}/arguments", f"{base}/argument-map"]
            numbers = [v["version"] for v in article["versions"]]
            urls += [f"{base}/versions/{n}" for n in numbers]
            urls += [f"{base}/compare?from={a}&to={b}" for a, b in zip(numbers, numbers[1:])]
        # A page the project does not have yet (the synthesis, the argument maps) answers 404: not copied.
        for amendment in bill["amendments"]:
            urls += [f"/amendments/{amendment['id']}", f"/amendments/{amendment['id']}/arguments",
                     f"/amendments/{amendment['id']}/argument-map"]
    return urls


def sums(files: dict[str, bytes]) -> bytes:
    """``sha256sum`` output for the files (binary mode marker off: text lines ``HASH  NAME``)."""
    return "".join(f"{hashlib.sha256(content).hexdigest()}  {name}\n" for name, content in sorted(files.items())).encode()


def _previous(directory: Path) -> tuple[str | None, set[str]]:
    """When the copy on disk was made, and the files its SHA256SUMS lists (the only ones a run may remove)."""
    made_at = None
    try:
        made_at = json.loads((directory / INFO_FILE).read_text(encoding="utf-8")).get("made_at")
    except (OSError, ValueError, AttributeError):
        pass
    listed: set[str] = set()
    try:
        for line in (directory / SUMS_FILE).read_text(encoding="utf-8").splitlines():
            if "  " in line:
                listed.add(line.split("  ", 1)[1])
    except OSError:
        pass
    return made_at, listed


def _unchanged(directory: Path, files: dict[str, bytes]) -> bool:
    for name, content in files.items():
        path = directory / name
        if not path.is_file() or path.read_bytes() != content:
            return False
    return True


def build(app, record: dict, directory: Path, slugs: set[str] | None, progress) -> dict[str, bytes]:
    """Every file of the copy (name → bytes), SHA256SUMS and mirror.json included."""
    made_at, listed = _previous(directory)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per page saved
    with TestClient(app=app, base_url=BASE) as client:
        crawl = Crawl(client, slugs)
        app.state.mirror = {"made_at": None, "pdf_links": crawl.link_in_copy}
        crawl.run(seed_urls(record), progress)
        files = {file_name(url): crawl.render(page) for url, page in crawl.pages.items() if url != "/"}
        files.update({f"{DATA_DIR}/{name}": content for name, content in export.package_files(record).items()})

        def with_time(moment: str | None) -> dict[str, bytes]:
            app.state.mirror = {"made_at": moment}
            index = crawl.fetch("/")
            crawl.pages["/"] = index
            info = {"made_at": moment, "bills": sorted(b["slug"] for b in record["bills"]),
                    "made_by": "navette mirror", "pages": len(crawl.pages), "record": f"{DATA_DIR}/{export.RECORD_FILE}"}
            return {"index.html": crawl.render(index),
                    INFO_FILE: (json.dumps(info, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()}

        stale = listed - set(files) - {"index.html", INFO_FILE}
        if made_at is None or stale or not _unchanged(directory, {**files, **with_time(made_at)}):
            made_at = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        files.update(with_time(made_at))
    app.state.mirror = None
    return files


def write(directory: Path, files: dict[str, bytes]) -> tuple[list[str], list[str]]:
    """Write what changed, remove what a previous copy listed and this one does not; SHA256SUMS last."""
    _, listed = _previous(directory)
    written = export.write_files(directory, files)
    root = directory.resolve()
    removed = sorted(name for name in listed - set(files) if root in (root / name).resolve().parents)
    for name in removed:
        path = root / name
        path.unlink(missing_ok=True)
        for parent in path.parents:  # and the directories that held only it
            if parent == root or any(parent.iterdir()):
                break
            parent.rmdir()
    written += export.write_files(directory, {SUMS_FILE: sums(files)})
    return written, removed


def mirror(database_url: str, directory: Path, slug: str | None = None, *, progress: bool = True) -> str:
    """``navette mirror``: make or bring up to date the static copy in ``directory``; answers a summary."""
    from drafting.app import create_app
    from drafting.seeding.bench import Progress
    from drafting.db import Database
    from drafting.settings import Settings

    db = Database(database_url)
    try:
        with db.session(write=False) as session:
            record = export.public_record(session, slug)
    finally:
        db.dispose()
    # A fixed key: no page of the copy carries a token, and nothing is signed with it.
    settings = Settings.load(database_url=database_url, secret_key="navette-mirror-read-only",
                             page_cache_seconds=0, rate_limit_writes=0)
    app = create_app(settings)
    files = build(app, record, directory, {slug} if slug else None, Progress(progress and sys.stderr.isatty(), "mirror"))
    written, removed = write(directory, files)
    made_at = json.loads(files[INFO_FILE])["made_at"]
    return (f"{len(files) + 1} files in {directory} ({len(written)} written, {len(removed)} removed); "
            f"copy of {made_at} UTC; check it with: cd {directory} && sha256sum -c {SUMS_FILE}")
