"""Python code builds the app's URLs from route names (``request.app.route_reverse``, handed to view
models as a ``drafting.web.urls.Reverse``), never by writing a path: no f-string, concatenation or
%-format whose text starts with "/" in the handler, view, service and web layers. A renamed route
then breaks at once, not in a link nobody follows."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("drafting/api", "drafting/pages", "drafting/views", "drafting/services", "drafting/web",
          "amendments/api", "amendments/pages", "amendments/views", "amendments/services")
# A route's own path pattern ("/{kind}s/{target_id:int}") declares a route, it does not build a URL.
ROUTE_PATTERN = re.compile(r"\{\w+:\w+\}")


def _starts_a_path(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("/")


def written_paths(source: str) -> list[int]:
    """Line numbers where ``source`` writes a path with an f-string, ``+`` or ``%``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr) and node.values and _starts_a_path(node.values[0]):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if not ROUTE_PATTERN.search(text):
                found.append(node.lineno)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)) and _starts_a_path(node.left):
            found.append(node.lineno)
    return found


def test_no_url_path_is_written_by_hand_in_handlers_views_and_services():
    found = [f"{path.relative_to(ROOT).as_posix()}:{line}"
             for layer in LAYERS for path in sorted((ROOT / layer).rglob("*.py"))
             for line in written_paths(path.read_text(encoding="utf-8"))]
    assert not found, "build these URLs with route_reverse(name, ...) / url_for: " + ", ".join(found)


def test_the_scan_finds_written_paths_and_lets_route_patterns_and_reversed_urls_pass():
    """The check above can fail: each way of writing a path is found, and what is allowed is not."""
    source = "\n".join([
        'a = f"/bills/{slug}/articles/{article_id}"',
        'b = "/amendments/" + str(amendment_id)',
        'c = "/amendments/%d" % amendment_id',
        'd = reverse("amendments:detail", amendment_id=1) + f"#argument-{argument_id}"',
        'e = f"/{kind}s/{{target_id:int}}/vote"',
        'f = reverse("moderation:queue") + "?done=hidden"',
    ])
    assert written_paths(source) == [1, 2, 3]
