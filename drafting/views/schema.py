"""The context of the ``/schema`` page: the OpenAPI document as routes and types a reader can scan."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")
_REF = "#/components/schemas/"


@dataclass(frozen=True)
class TypeRef:
    """A type as text, and the schema it names (linked on the page) if any."""

    text: str
    ref: str | None = None


@dataclass(frozen=True)
class Field:
    name: str
    types: list[TypeRef]
    required: bool
    description: str = ""


@dataclass(frozen=True)
class Answer:
    status: str
    description: str
    types: list[TypeRef]


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    secured: bool
    parameters: list[Field] = field(default_factory=list)
    body: list[TypeRef] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"{self.method}-{self.path}".replace("/", "-").replace("{", "").replace("}", "")


@dataclass(frozen=True)
class Schema:
    name: str
    fields: list[Field]
    types: list[TypeRef]  # for a schema that is not an object (an enum, a union)


def types_of(schema: dict[str, Any] | None) -> list[TypeRef]:
    """``{"type": ["string", "null"]}`` → string, null; ``$ref`` → the schema's name, linked."""
    if not schema:
        return [TypeRef("any")]
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(_REF)
        return [TypeRef(name, name)]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return [ref for option in schema[key] for ref in types_of(option)]
    if "const" in schema:
        return [TypeRef(repr(schema["const"]))]
    if "enum" in schema:
        return [TypeRef(" | ".join(repr(v) if v is not None else "null" for v in schema["enum"]))]
    kinds = schema.get("type", "any")
    found: list[TypeRef] = []
    for kind in kinds if isinstance(kinds, list) else [kinds]:
        if kind == "array":
            items = types_of(schema.get("items"))
            found.extend(TypeRef(f"array of {item.text}", item.ref) for item in items)
        else:
            bounds = [f"{word} {schema[key]}" for key, word in (("minimum", "≥"), ("maximum", "≤")) if key in schema]
            found.append(TypeRef(kind + (f" ({', '.join(bounds)})" if bounds else "")))
    return found


def _content_types(content: dict[str, Any] | None) -> list[TypeRef]:
    if not content:
        return []
    media = next(iter(content.values()))
    return types_of(media.get("schema"))


def operations(document: dict[str, Any]) -> list[Operation]:
    found = []
    for path, item in sorted(document.get("paths", {}).items()):
        for method in METHODS:
            spec = item.get(method)
            if spec is None:
                continue
            operation = Operation(method.upper(), path, spec.get("summary", ""),
                                  secured=any(spec.get("security") or document.get("security") or []))
            for parameter in spec.get("parameters", []):
                operation.parameters.append(Field(
                    f"{parameter['name']} ({parameter.get('in', '')})", types_of(parameter.get("schema")),
                    bool(parameter.get("required")), parameter.get("description", "")))
            operation.body = _content_types((spec.get("requestBody") or {}).get("content"))
            for status, answer in sorted(spec.get("responses", {}).items()):
                operation.answers.append(Answer(status, answer.get("description", ""),
                                                _content_types(answer.get("content"))))
            found.append(operation)
    return found


def schemas(document: dict[str, Any]) -> list[Schema]:
    found = []
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        fields = [Field(key, types_of(value), key in required, value.get("description", ""))
                  for key, value in schema.get("properties", {}).items()]
        found.append(Schema(name, fields, [] if fields else types_of(schema)))
    return found


def schema_page(document: dict[str, Any]) -> dict[str, Any]:
    """``info``, ``operations`` and ``schemas`` for templates/schema/openapi.html."""
    return {"info": document.get("info", {}), "openapi_version": document.get("openapi", ""),
            "operations": operations(document), "schemas": schemas(document)}
