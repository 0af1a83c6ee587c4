"""Exchange rates: operators record them; everyone else is refused; bad rates change nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from tests.helpers import api_token, login
from warehouse_exchange.extensions import db
from warehouse_exchange.fx.models import ExchangeRate
from warehouse_exchange.fx.services import latest_rates
from warehouse_exchange.money import Money

TODAY = date.today()


def rates_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ExchangeRate))


def test_operator_records_and_corrects_rates(client, operator):
    login(client, operator)
    day = (TODAY - timedelta(days=1)).isoformat()
    for rate in ("1.08", "1.09"):
        response = client.post(
            "/operator/exchange-rates/", data={"currency": "USD", "rate": rate, "rate_date": day}
        )
        assert response.status_code == 302
    client.post(
        "/operator/exchange-rates/",
        data={"currency": "USD", "rate": "1.05", "rate_date": "2026-01-02"},
    )
    table = latest_rates("EUR")
    assert table.rates["USD"] == Decimal("1.09") and rates_count() == 2
    assert table.convert(Money(10000, "EUR"), "USD") == Money(10900, "USD")
    assert table.convert(Money(10900, "USD"), "EUR") == Money(10000, "EUR")
    page = client.get("/operator/exchange-rates/").get_data(as_text=True)
    assert "1.09" in page and day in page


def test_bad_rates_are_refused(client, operator):
    login(client, operator)
    cases = [
        {"currency": "USD", "rate": "-1", "rate_date": TODAY.isoformat()},
        {"currency": "USD", "rate": "abc", "rate_date": TODAY.isoformat()},
        {"currency": "EUR", "rate": "1", "rate_date": TODAY.isoformat()},
        {"currency": "ZZZ", "rate": "1", "rate_date": TODAY.isoformat()},
        {"currency": "USD", "rate": "1", "rate_date": (TODAY + timedelta(days=3)).isoformat()},
    ]
    for data in cases:
        assert client.post("/operator/exchange-rates/", data=data).status_code == 422, data
    assert rates_count() == 0


def test_only_operators_manage_rates(client, owner):
    login(client, owner)
    assert client.get("/operator/exchange-rates/").status_code == 403
    headers = api_token(client, owner)
    body = {"currency": "USD", "rate": "1.1", "rate_date": TODAY.isoformat()}
    assert client.post("/api/v1/exchange-rates", json=body, headers=headers).status_code == 403
    assert rates_count() == 0


def test_api_rates(client, operator):
    headers = api_token(client, operator)
    body = {"currency": "GBP", "rate": "0.842", "rate_date": TODAY.isoformat()}
    created = client.post("/api/v1/exchange-rates", json=body, headers=headers)
    assert created.status_code == 201 and created.json["base"] == "EUR"
    listed = client.get("/api/v1/exchange-rates").json
    assert listed == [
        {"currency": "GBP", "rate": "0.8420000000", "rate_date": TODAY.isoformat(), "base": "EUR"}
    ] or listed[0]["rate"].startswith("0.842")
    bad = client.post("/api/v1/exchange-rates", json={**body, "rate": "0"}, headers=headers)
    assert bad.status_code == 422 and "rate" in bad.json["error"]["fields"]
