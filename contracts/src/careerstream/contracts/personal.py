"""Personal fields of events: which they are, and how they travel sealed.

A payload field that identifies or describes a person beyond their opaque
employee id (a name, a job title, a location, group attributes, free text) is
declared with `personal()`; its JSON Schema carries `"x-personal": true`.

Producers of the platform do not publish such a value in the clear. The
value's slot in `data` holds its *erased form* (null, or the empty value of a
field that cannot be null) and `data.sealed` maps the field's JSON Pointer
(RFC 6901, e.g. `/details/group_attributes`, `/ratings/0/evidence`) to
`base64(nonce || AES-256-GCM(key, JSON of the value, aad))`, where the nonce
is 12 bytes, `aad` is `<event id>|<pointer>` in UTF-8, and the key is the
data key of the person the event is about (its `personal_subject` field),
named by the envelope's `kid` extension attribute. When a person is erased
their key is destroyed: the sealed values can never be read again, and the
erased form is what every reader sees.

This module only names fields and pointers (the contracts depend on pydantic
alone); the sealing itself is in `careerstream.servicekit.sealing`.
"""

from __future__ import annotations

import types
from functools import cache
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, Field
from pydantic.config import JsonDict
from pydantic.fields import FieldInfo

PERSONAL_MARK = "x-personal"
SEALED_FIELD = "sealed"
"""The `data` field holding the sealed values, by JSON Pointer."""
KID_ATTRIBUTE = "kid"
"""The CloudEvents extension attribute naming the data key the sealed values need."""


def personal(*, default: Any = ..., **kwargs: Any) -> Any:
    """A `Field` that holds personal data (marked `x-personal` in the JSON Schema)."""
    extra: JsonDict = {PERSONAL_MARK: True}
    if default is ...:
        return Field(json_schema_extra=extra, **kwargs)
    return Field(default=default, json_schema_extra=extra, **kwargs)


def _is_personal(info: FieldInfo) -> bool:
    extra = info.json_schema_extra
    return isinstance(extra, dict) and extra.get(PERSONAL_MARK) is True


def _models_in(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model an annotation holds (directly, optionally, or as list items) and whether in a list."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            model, in_list = _models_in(arg)
            if model is not None:
                return model, in_list
        return None, False
    if origin in (list, tuple):
        args = get_args(annotation)
        if args:
            model, _ = _models_in(args[0])
            return model, model is not None
        return None, False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def erased_value(annotation: Any) -> Any:
    """What a personal field reads as when its value is sealed or erased."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType) and type(None) in get_args(annotation):
        return None
    if annotation is str:
        return ""
    if origin is dict or annotation is dict:
        return {}
    if origin is list or annotation is list:
        return []
    return None


@cache
def personal_pointers(model: type[BaseModel]) -> tuple[tuple[str, Any], ...]:
    """The personal fields of a model as JSON Pointer templates (`*` for every list item),
    each with its erased form."""
    out: list[tuple[str, Any]] = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        if _is_personal(info):
            out.append((f"/{key}", erased_value(info.annotation)))
            continue
        inner, in_list = _models_in(info.annotation)
        if inner is not None:
            step = f"/{key}/*" if in_list else f"/{key}"
            out += [(step + ptr, erased) for ptr, erased in personal_pointers(inner)]
    return tuple(out)


def expand(data: dict[str, Any], template: str) -> list[tuple[str, dict[str, Any], str]]:
    """The concrete places a pointer template names in `data`: (pointer, container, key).

    Only places whose container exists are returned (an absent optional object has
    nothing to seal); `*` stands for every item of a list.
    """
    places: list[tuple[str, dict[str, Any], str]] = []

    def walk(node: Any, parts: list[str], done: str) -> None:
        head, rest = parts[0], parts[1:]
        if head == "*":
            if isinstance(node, list):
                for i, item in enumerate(node):
                    if rest:
                        walk(item, rest, f"{done}/{i}")
            return
        if not isinstance(node, dict):
            return
        if not rest:
            places.append((f"{done}/{head}", node, head))
        elif head in node:
            walk(node[head], rest, f"{done}/{head}")

    walk(data, template.lstrip("/").split("/"), "")
    return places


def locate(data: dict[str, Any], pointer: str) -> tuple[dict[str, Any], str] | None:
    """The container and key of a concrete JSON Pointer in `data`, or None when it is not there."""
    if pointer[:1] == "/" and pointer.count("/") == 1 and "~" not in pointer:  # most of them
        return data, pointer[1:]
    node: Any = data
    parts = pointer.lstrip("/").split("/")
    for part in parts[:-1]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    last = parts[-1].replace("~1", "/").replace("~0", "~")
    if isinstance(node, dict):
        return node, last
    return None
