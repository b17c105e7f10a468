"""Schemathesis over the OpenAPI document, in process against the ASGI app: every operation with a
fixed number of derandomized examples, as an admin (rate limits off), on a bill with an amendment, an
argument, a source and a report, whose ids fill the path parameters. No answer may be a 500, and every
answer must match the schema the document gives for it (issue 10)."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES = 10


def seed(app) -> dict:
    """A bill with an amendment, an argument, a source and a report, through the API; the test client
    is closed before fuzzing (schemathesis drives the app with its own ASGI transport)."""
    from litestar.testing import TestClient

    from tests.conftest import Api

    with TestClient(app=app) as client:
        api = Api(client, app.state.db)
        admin = api.user("admin", role="admin")
        bill = api.bill(admin)
        article = bill["articles"][0]["id"]
        amendment = client.post(f"/api/v1/articles/{article}/amendments", headers=admin.headers,
                                json={"text": "Un autre texte.", "explanation": "Mieux."}).json()["id"]
        argument = client.post(f"/api/v1/articles/{article}/arguments", headers=admin.headers,
                               json={"stance": "for", "body": "Un bon argument."}).json()["id"]
        source = client.post(f"/api/v1/articles/{article}/sources", headers=admin.headers,
                             json={"title": "Rapport", "url": "https://example.org/rapport"}).json()["id"]
        report = client.post("/api/v1/reports", headers=admin.headers,
                             json={"target": "argument", "id": argument, "reason": "À vérifier"}).json()["id"]
    return {
        "headers": admin.headers,
        "path": {"slug": bill["slug"], "article_id": article, "amendment_id": amendment, "argument_id": argument,
                 "source_id": source, "report_id": report, "seq": 1, "n": 1, "username": "admin"},
        "targets": {"articles": article, "amendments": amendment, "moderation": argument},
    }


def _fill_path(case, world) -> None:
    """The seeded resources' ids in the path, so that bodies and queries reach the code behind the lookups."""
    if not case.path_parameters:
        return
    for name in case.path_parameters:
        if name in world["path"]:
            case.path_parameters[name] = world["path"][name]
    if "target_id" in case.path_parameters:
        case.path_parameters["target_id"] = world["targets"][case.path.split("/")[3]]
    if "target" in case.path_parameters:
        case.path_parameters["target"] = "argument"


def test_no_server_error_and_answers_match_the_document(app):
    world = seed(app)
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def run(case):
            _fill_path(case, world)
            try:
                case.call_and_validate(headers=world["headers"],
                                       checks=[not_a_server_error, response_schema_conformance])
            except Exception as error:  # collected, so one run reports every operation that fails
                failures.append(f"{operation.method.upper()} {operation.path}: {error}"[:2000])
                raise

        try:
            run()
        except BaseException as error:  # the failures are listed below, every operation's
            if isinstance(error, (KeyboardInterrupt, SystemExit)):
                raise
    assert not failures, "\n\n".join(failures)
