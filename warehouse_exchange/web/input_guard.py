"""One gate in front of every view, page and API alike, for input that no view could store or
use: an address, query or form body whose percent-escapes are not UTF-8 (Werkzeug would
quietly keep or replace the bytes), JSON that is not UTF-8, not JSON, nested deeper than any
of our documents or too large, and text holding a NUL character or a lone surrogate (the JSON
escape "\\ud800"), which no database driver can encode and PostgreSQL cannot store.

The guard parses a JSON body before Flask or webargs do, and without recursing on hostile
nesting: Python's parser recurses per level and gives up with a RecursionError near a
thousand levels, so the depth is measured first on the text, and a deeper body never reaches
any parser."""

from __future__ import annotations

import json
import math
import re
from urllib.parse import unquote_to_bytes

from flask import Flask, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from ..errors import InvalidInput

#: no document of ours nests deeper than a handful of levels
MAX_JSON_DEPTH = 32
#: the largest JSON body accepted (files come as multipart forms, not as JSON)
MAX_JSON_BYTES = 1_000_000

#: characters no column can hold: NUL, and the UTF-16 surrogates that only come alone
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
#: a JSON string, whose brackets do not count (the unrolled form: no backtracking)
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_INNERMOST_PAIRS = re.compile(r"\[\]|\{\}")


def nests_deeper_than(text: str, limit: int) -> bool:
    """Whether the arrays and objects of a JSON text nest more than `limit` levels deep (or
    their brackets do not pair up), found without recursion and at the regex engine's speed:
    strings dropped, then the innermost pairs of brackets removed, one level per pass."""
    brackets = _NOT_BRACKETS.sub("", _STRING.sub("", text))
    too_many_openings = re.compile(f"[\\[{{]{{{limit + 1}}}")
    for _level in range(limit):
        if not brackets:
            return False
        if too_many_openings.search(brackets):
            return True
        inner = _INNERMOST_PAIRS.sub("", brackets)
        if len(inner) == len(brackets):  # no pair left to remove: they do not pair up
            return True
        brackets = inner
    return bool(brackets)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is beyond the range of a number")
    return number


def parse_json_body(data: bytes):
    """The body as JSON, or BadRequest saying why it is not acceptable JSON."""
    if len(data) > MAX_JSON_BYTES:
        raise RequestEntityTooLarge("The JSON body is too large.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest("The body is not valid UTF-8.") from error
    if nests_deeper_than(text, MAX_JSON_DEPTH):
        raise BadRequest(
            f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels, or its brackets do not "
            "pair up."
        )
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as error:  # RecursionError: a last line of defence
        raise BadRequest(f"The body is not valid JSON: {error}") from error


def _strings_in(value):
    """Every string in a parsed JSON value, keys included, walked without recursion."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _submitted_text():
    """Every decoded string of the request a view may read."""
    for key, values in request.args.lists():
        yield key
        yield from values
    for value in (request.view_args or {}).values():
        if isinstance(value, str):
            yield value
    if request.mimetype == "application/x-www-form-urlencoded" or request.mimetype.startswith(
        "multipart/"
    ):
        for key, values in request.form.lists():
            yield key
            yield from values
        for key, upload in request.files.items(multi=True):
            yield key
            yield upload.filename or ""


def _require_utf8(raw: bytes, what: str) -> None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"The {what} is not valid UTF-8.") from error


def _refuse_bad_encoding() -> None:
    """The raw bytes of the address, the query and a urlencoded body, percent-escapes
    decoded, must be UTF-8. (Multipart fields are decoded by Werkzeug, which replaces bytes
    that are not UTF-8; a file's bytes are the file's own business.)"""
    _require_utf8(request.environ.get("PATH_INFO", "").encode("latin-1", "replace"), "address")
    _require_utf8(unquote_to_bytes(request.query_string), "query string")
    if request.mimetype == "application/x-www-form-urlencoded":
        limit = request.max_form_memory_size
        if limit is None or (request.content_length or 0) <= limit:  # larger: Werkzeug's 413
            _require_utf8(unquote_to_bytes(request.get_data(cache=True)), "form body")


def _refuse_unstorable(texts) -> None:
    for text in texts:
        found = _UNSTORABLE.search(text)
        if found is None:
            continue
        if found.group() == "\x00":
            raise InvalidInput("Text may not contain NUL characters.")
        raise InvalidInput("Text must be valid Unicode: it holds a lone surrogate.")


def guard_input() -> None:
    _refuse_bad_encoding()
    _refuse_unstorable(_submitted_text())
    if request.is_json:
        data = request.get_data(cache=True)
        if data:
            _refuse_unstorable(_strings_in(parse_json_body(data)))


def register(app: Flask) -> None:
    app.before_request(guard_input)
