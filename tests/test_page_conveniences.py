"""Deadlines are written in UTC inside a <time> element that app.js follows with the viewer's
own time; IBANs and payment references are marked for a copy button."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from warehouse_exchange.web.filters import utc_time


def test_a_deadline_is_utc_text_in_a_machine_readable_time_element():
    naive = datetime(2026, 12, 8, 14, 5, 59)  # the database's datetimes are UTC
    singapore = datetime(2026, 12, 8, 22, 5, 59, tzinfo=timezone(timedelta(hours=8)))
    expected = '<time datetime="2026-12-08T14:05:59Z" data-local-time>2026-12-08 14:05 UTC</time>'
    assert str(utc_time(naive)) == expected
    assert str(utc_time(singapore)) == expected
    assert str(utc_time(naive.replace(tzinfo=UTC))) == expected
    assert utc_time(None) == "—"


def test_page_scripts_are_files_the_policy_allows(client):
    page = client.get("/").get_data(as_text=True)
    assert '<script src="/static/app.js" defer></script>' in page
    response = client.get("/static/app.js")
    script = response.get_data(as_text=True)
    response.close()
    for behaviour in ("data-place-suggest", "data-copy", "data-local-time", "details.more"):
        assert behaviour in script
