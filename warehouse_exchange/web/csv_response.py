"""CSV downloads: one way to build them, and one guard against cells a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from werkzeug.wrappers import Response

#: a cell beginning with one of these is read as a formula by Excel, LibreOffice and Sheets
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(value):
    """Text a spreadsheet would run as a formula is kept as text (with a leading quote).

    Only text is guarded: numbers, dates and Decimals are written as they are, so that a
    negative amount stays a number."""
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        return f"'{value}"
    return value


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """A `text/csv; charset=utf-8` attachment named `filename`: the header, then each row
    with its text cells guarded.

    The body is built before the response leaves the handler, so the rows are read while
    the request's database session is still open."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([guard_cell(value) for value in row] for row in rows)
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )
