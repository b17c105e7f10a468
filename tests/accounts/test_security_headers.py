"""Security headers on every answer, and Secure cookies over https (issue 12)."""
from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient

from drafting.settings import STATIC_DIR, TEMPLATES_DIR
from tests.conftest import sign_in


def _assert_strict(response) -> None:
    policy = response.headers["content-security-policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in ("same-origin", "strict-origin-when-cross-origin")


def test_headers_on_a_page_an_api_answer_a_static_file_and_an_error_page(client, api, admin):
    bill = api.bill(admin)
    for path, status in ((f"/bills/{bill['slug']}", 200), ("/api/v1/bills", 200), ("/static/htmx.min.js", 200),
                         ("/static/navette.css", 200), ("/no/such/page", 404), ("/api/v1/bills/nope", 404),
                         ("/healthz", 200)):
        response = client.get(path)
        assert response.status_code == status, path
        _assert_strict(response)
        assert "strict-transport-security" not in response.headers  # plain http here


def test_headers_on_a_refused_write_and_a_redirect(client, api, admin):
    bill = api.bill(admin)
    _assert_strict(client.post("/api/v1/bills", json={"title": "x"}))  # 401
    _assert_strict(client.get("/lang/en?next=/", follow_redirects=False))  # 303
    sign_in(client, api.db, "admin")
    _assert_strict(client.get(f"/bills/{bill['slug']}/participants/new"))


def test_over_https_hsts_and_secure_session_and_csrf_cookies(app, api, admin):
    with TestClient(app=app, base_url="https://testserver.local") as secure:
        login = secure.get("/login")
        assert login.headers["strict-transport-security"].startswith("max-age=")
        csrf_cookie = next(c for c in login.headers.get_list("set-cookie") if c.startswith("navette_csrf="))
        assert "secure" in [part.strip().lower() for part in csrf_cookie.split(";")]
        token = secure.cookies.get("navette_csrf")
        signed_in = secure.post("/login", data={"username": "admin", "password": admin.password,
                                                "_csrf_token": token}, follow_redirects=False)
        assert signed_in.status_code == 303
        session_cookie = next(c for c in signed_in.headers.get_list("set-cookie") if c.startswith("navette_session="))
        parts = [part.strip().lower() for part in session_cookie.split(";")]
        assert "secure" in parts and "httponly" in parts
        _assert_strict(secure.get("/api/v1/bills"))


def test_over_http_cookies_are_not_secure(client, api, admin):
    login = client.get("/login")
    csrf_cookie = next(c for c in login.headers.get_list("set-cookie") if c.startswith("navette_csrf="))
    assert "secure" not in [part.strip().lower() for part in csrf_cookie.split(";")]


def test_proxy_headers_decide_https_behind_a_proxy(settings):
    """uvicorn's proxy headers middleware rewrites the scheme before the app sees it."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from drafting.app import create_app

    behind = ProxyHeadersMiddleware(create_app(settings), trusted_hosts="*")
    with TestClient(app=behind) as client:
        forwarded = client.get("/login", headers={"x-forwarded-proto": "https"})
        assert "strict-transport-security" in forwarded.headers
        assert "strict-transport-security" not in client.get("/login").headers


INLINE = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>|\sstyle\s*=|<style|\son[a-z]+\s*=|[\"']\s*javascript:|hx-on", re.I)
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)


@pytest.mark.parametrize("folder", [TEMPLATES_DIR], ids=["templates"])
def test_no_template_carries_an_inline_script_style_or_handler(folder):
    offending = [f"{path.relative_to(folder)}: {match.group(0)}"
                 for path in sorted(folder.rglob("*.html")) for match in INLINE.finditer(JINJA_COMMENT.sub("", path.read_text()))]
    assert offending == []


def test_htmx_is_told_not_to_inject_its_indicator_style(client):
    html = client.get("/").text
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in html
    assert ".htmx-indicator" in (STATIC_DIR / "navette.css").read_text()  # the site's own stylesheet has them
