"""The votes are answered before Litestar's routing (drafting/web/fastroutes.py): what they answer must
be what their Litestar route answers, for a vote, its withdrawal and every refusal. The route is
reached with a trailing slash (Litestar drops it; the fast route matches exact paths only)."""
from __future__ import annotations

from tests.amendments.test_votes import account, admin, make_amendment  # noqa: F401


def _answer(response) -> tuple[int, list[tuple[str, str]], bytes]:
    return response.status_code, sorted(response.headers.multi_items()), response.content


def test_a_vote_answers_what_its_litestar_route_answers(api, client, db, admin):
    article_id = api.bill(admin)["articles"][0]["id"]
    account(db, "bob")
    amendment_id = make_amendment(db, article_id, "bob")
    alice = account(db, "alice")
    cases = [  # (method, path, body, headers, status): each sent twice, to the same effect
        ("PUT", f"/api/v1/articles/{article_id}/vote", {"value": "agree"}, alice.headers, 200),
        ("PUT", f"/api/v1/amendments/{amendment_id}/vote", {"value": "mixed"}, alice.headers, 200),
        ("DELETE", f"/api/v1/amendments/{amendment_id}/vote", None, alice.headers, 200),
        ("PUT", f"/api/v1/articles/{article_id}/vote", {"value": "agree"}, {}, 401),
        ("DELETE", f"/api/v1/articles/{article_id}/vote", None, {"Authorization": "Bearer nope"}, 401),
        ("PUT", f"/api/v1/articles/{article_id}/vote", {"value": "maybe"}, alice.headers, 400),
        ("PUT", f"/api/v1/articles/{article_id}/vote", {"vote": "agree"}, alice.headers, 400),
        ("PUT", f"/api/v1/articles/{article_id}/vote", {"value": "agree", "on_behalf_of": "bob"}, alice.headers, 400),
        ("PUT", "/api/v1/articles/999999/vote", {"value": "agree"}, alice.headers, 404),
        ("PUT", f"/api/v1/amendments/{10 ** 30}/vote", {"value": "agree"}, alice.headers, 404),  # no row has it (paths.py)
    ]
    for method, path, body, headers, status in cases:
        fast = client.request(method, path, json=body, headers=headers)
        routed = client.request(method, f"{path}/", json=body, headers=headers)
        assert fast.status_code == status, (method, path, body, fast.text)
        assert _answer(fast) == _answer(routed), (method, path, body)
    malformed = [client.put(path, content=b'{"value": ', headers={**alice.headers, "Content-Type": "application/json"})
                 for path in (f"/api/v1/articles/{article_id}/vote", f"/api/v1/articles/{article_id}/vote/")]
    assert malformed[0].status_code == 400 and malformed[0].json()["extra"]["field"] == "body"
    assert _answer(malformed[0]) == _answer(malformed[1])


def test_a_refused_vote_is_answered_by_the_route_without_asking_the_batch_again(api, app, client, db, admin):
    """The fast route's error goes to the Litestar route, whose handler raises it again (its exception
    handlers make the answer): the batch saw the request once."""
    article_id = api.bill(admin)["articles"][0]["id"]
    asked = []
    submit = app.state.votes.submit

    async def counted(ballot):
        asked.append(ballot)
        return await submit(ballot)

    app.state.votes.submit = counted
    refused = client.put(f"/api/v1/articles/{article_id}/vote", json={"value": "agree"})
    assert refused.status_code == 401 and refused.headers["x-frame-options"] == "DENY"
    assert len(asked) == 1
    voted = client.put(f"/api/v1/articles/{article_id}/vote", json={"value": "agree"}, headers=account(db, "alice").headers)
    assert voted.status_code == 200 and len(asked) == 2


def test_a_vote_the_route_refuses_before_its_handler_goes_the_routes_way(api, client, db, admin, settings):
    """A body beyond the limit is the route's 413, read or announced, and asks nothing of the batch."""
    article_id = api.bill(admin)["articles"][0]["id"]
    alice = account(db, "alice")
    large = b'{"value": "agree", "padding": "' + b"x" * settings.max_body_bytes + b'"}'
    answers = [client.put(path, content=large, headers={**alice.headers, "Content-Type": "application/json"})
               for path in (f"/api/v1/articles/{article_id}/vote", f"/api/v1/articles/{article_id}/vote/")]
    assert answers[0].status_code == 413, answers[0].text
    assert _answer(answers[0]) == _answer(answers[1])
    assert client.get(f"/api/v1/articles/{article_id}").json()["votes"]["agree"] == 0


def test_a_vote_with_an_invalid_host_header_goes_the_routes_way(api, client, db, admin):
    """The Host header is checked as Litestar checks it: a vote with one Litestar refuses is answered
    as its route answers it (400), and writes nothing."""
    article_id = api.bill(admin)["articles"][0]["id"]
    alice = account(db, "alice")
    headers = {**alice.headers, "Host": "bad host\\name"}
    answers = [client.put(path, json={"value": "agree"}, headers=headers)
               for path in (f"/api/v1/articles/{article_id}/vote", f"/api/v1/articles/{article_id}/vote/")]
    assert answers[0].status_code == 400, answers[0].text
    assert _answer(answers[0]) == _answer(answers[1])
    assert client.get(f"/api/v1/articles/{article_id}").json()["votes"]["agree"] == 0


def test_the_fast_routes_check_the_host_with_litestars_own_function():
    """drafting/web/fastroutes.py imports Litestar's private Host check and, should a release move it,
    sends every vote its route's usual way (correct, but without the fast path): this says when."""
    from drafting.web import fastroutes

    assert fastroutes.is_valid_host.__module__ == "litestar._asgi.utils"
    assert fastroutes.is_valid_host(b"127.0.0.1:8000") and not fastroutes.is_valid_host(b"bad host\\name")
