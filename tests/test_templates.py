"""Templates draw what repeats with macros: no ``{% include %}`` inside a ``{% for %}`` loop or a macro
(which runs once per call, usually per item), and no template including itself (recursion is a
macro calling itself). An include inside a loop looks its template up and copies the whole context at
every turn, and says nothing of what it needs; a macro names its arguments."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, nodes

from drafting.web.templates import template_environment

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
REPEATING = (nodes.For, nodes.Macro, nodes.CallBlock)


def _includes_that_repeat(environment: Environment, source: str, name: str) -> list[str]:
    """``name:line`` of each include of ``source`` inside a loop or a macro, or of ``name`` itself."""
    found = []

    def walk(node: nodes.Node, repeating: bool) -> None:
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Include):
                target = child.template.value if isinstance(child.template, nodes.Const) else None
                if repeating or target == name:
                    found.append(f"{name}:{child.lineno} includes {target or 'a computed name'}")
            walk(child, repeating or isinstance(child, REPEATING))

    walk(environment.parse(source), False)
    return found


def test_no_template_includes_inside_a_loop_or_a_macro():
    environment = template_environment()
    found = []
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix in (".html", ".xml"):
            name = path.relative_to(TEMPLATES).as_posix()
            found += _includes_that_repeat(environment, path.read_text(encoding="utf-8"), name)
    assert not found, "call a macro instead (see templates/_macros.html): " + "; ".join(found)


def test_the_scan_finds_an_include_in_a_loop_in_a_macro_and_a_recursive_one():
    """The check above can fail: each shape it forbids is found, and a plain include is not."""
    environment = template_environment()
    loop = '{% for x in xs %}{% with y = x %}{% include "a/_one.html" %}{% endwith %}{% endfor %}'
    macro = '{% macro m(x) %}{% if x %}{% include "a/_one.html" %}{% endif %}{% endmacro %}'
    itself = '{% if node %}{% include "a/_tree.html" %}{% endif %}'
    assert _includes_that_repeat(environment, loop, "a/page.html") == ["a/page.html:1 includes a/_one.html"]
    assert _includes_that_repeat(environment, macro, "a/page.html") == ["a/page.html:1 includes a/_one.html"]
    assert _includes_that_repeat(environment, itself, "a/_tree.html") == ["a/_tree.html:1 includes a/_tree.html"]
    assert _includes_that_repeat(environment, '{% include "a/_one.html" %}', "a/page.html") == []
