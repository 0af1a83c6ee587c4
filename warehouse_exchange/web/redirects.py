"""Where a page may send the browser next when the address comes from the request (a `next`
argument or form field): a path on this site, or the page's default. Never an open redirect.

Browsers are generous readers of a Location header: they drop tabs and newlines anywhere, read
a backslash as a slash, and take `//host` or `/\\host` as another site. Proxies and later hops
may decode percent-escapes once more, or fold look-alike unicode (a fullwidth solidus) into
ASCII. So the path is judged in every spelling it may take on its way (as sent, and decoded
again and again until it stops changing); only a plain ASCII absolute path that stays one in
all of them is kept. The address is then re-built from its parts, percent-encoded.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, unquote, urlsplit

#: longer targets are not links anyone follows
MAX_TARGET_LENGTH = 2000
#: percent-decoding rounds to look through; a path still encoded after these is refused
MAX_DECODINGS = 4
#: characters a path or query keeps as they are when the address is re-built (existing
#: percent-escapes included, so a well-formed path comes back unchanged)
PATH_SAFE = "/%!$&'()*+,;=:@-._~"
QUERY_SAFE = PATH_SAFE + "?"


def local_url(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`."""
    return _local_path(target) or default


def _local_path(target: str | None) -> str | None:
    if not target or len(target) > MAX_TARGET_LENGTH or _has_invisible_characters(target):
        return None
    address = target.partition("#")[0]  # a fragment never reaches the server; drop it
    path, _, query = address.partition("?")
    spelling = path
    for _ in range(MAX_DECODINGS):
        if not _is_plain_path(spelling):
            return None
        decoded = unquote(spelling)
        if decoded == spelling:
            break
        spelling = decoded
    else:
        return None
    rebuilt = quote(path, safe=PATH_SAFE)
    return f"{rebuilt}?{quote(query, safe=QUERY_SAFE)}" if query else rebuilt


def _has_invisible_characters(text: str) -> bool:
    """Whitespace of any script, control and format characters (tabs, newlines, NUL,
    zero-width joiners, bidi marks): no link of ours contains one, and browsers skip some."""
    return any(char.isspace() or unicodedata.category(char).startswith("C") for char in text)


def _is_plain_path(path: str) -> bool:
    """ASCII (every path of this site is; look-alike slashes and spaces are not), one leading
    slash, no empty or dot segment, no backslash, nothing a parser would read as a scheme or a
    host."""
    if not path.isascii() or _has_invisible_characters(path) or "\\" in path:
        return False
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or parts.path != path:
        return False
    segments = path.split("/")
    empty_inside = "" in segments[1:-1]
    return path.startswith("/") and not empty_inside and not {".", ".."} & set(segments)
