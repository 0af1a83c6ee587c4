"""The OpenAPI document is the contract: generated requests, valid and invalid, to every
operation, by an anonymous caller and by an exporter, an owner and an operator, never cause a
server error; every response (its status, body, content type and headers) is one the document
lists for that operation. (Requests the document allows may still break a domain rule, an
unknown country or a past date, so "schema-valid means accepted" is not checked.)

Path ids are drawn both at random and from a small world of real rows (a listing, leases, a
dispute, a transfer, a shipment), so that operations reach their use cases and not only their
404s. Generation is derandomized: the same requests run in the same order every time, so what
one example changes (a cancelled lease) is the same for the examples after it.
"""

from __future__ import annotations

import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.dispute_support import open_on, running_lease
from tests.factories import ExchangeRateFactory
from tests.test_shipments import announce
from tests.transfer_support import offer_json, paid_lease
from warehouse_exchange.accounts.services import issue_api_token
from warehouse_exchange.adapters.clock import utc_now

#: per operation and caller; WX_CONTRACT_EXAMPLES=50 digs deeper locally
EXAMPLES_PER_OPERATION = int(os.environ.get("WX_CONTRACT_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]
ROLES = ("anonymous", "exporter", "owner", "operator")


def seed_world(client, owner, exporter) -> dict[str, int]:
    """Real rows for path ids: a running disputed lease, a paid lease offered for transfer and
    a shipment announced on it, with their listing, warehouse and organization."""
    ExchangeRateFactory(currency="USD")
    disputed = running_lease(owner, exporter)
    dispute = open_on(disputed, exporter)
    lease = paid_lease(owner, exporter)
    headers = bearer(exporter)
    transfer = client.post("/api/v1/transfers", json=offer_json(lease), headers=headers)
    assert transfer.status_code == 201, transfer.json
    shipment = announce(client, headers, lease.id)
    return {
        "organization_id": owner.organization_id,
        "warehouse_id": lease.listing.warehouse_id,
        "listing_id": lease.listing_id,
        "booking_id": lease.id,
        "dispute_id": dispute.id,
        "transfer_id": transfer.json["id"],
        "shipment_id": shipment["id"],
    }


def bearer(user) -> dict:
    """A fresh token for each operation, so that one which revokes tokens spoils only itself."""
    _, token = issue_api_token(user, "contract test", utc_now())
    return {"Authorization": f"Bearer {token}"}


def requests_to(operation, real_ids: dict[str, int]):
    """Valid and invalid generated requests, and valid ones aimed at the real rows the path
    names."""
    names = re.findall(r"{(\w+)}", operation.path)
    known = {name: real_ids[name] for name in names if name in real_ids}
    strategies = [operation.as_strategy()]
    if known:
        strategies.append(operation.as_strategy(path_parameters=known))
    if takes_input(operation):
        strategies.append(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    return st.one_of(strategies)


def takes_input(operation) -> bool:
    definition = operation.definition.raw
    return (
        "requestBody" in definition or bool(definition.get("parameters")) or "{" in operation.path
    )


def honours_document(operation, real_ids: dict[str, int], headers: dict):
    @given(case=requests_to(operation, real_ids))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    return check


@pytest.mark.parametrize("role", ROLES)
def test_api_honours_its_openapi_document(app, client, owner, exporter, operator, role):
    real_ids = seed_world(client, owner, exporter)
    caller = {"anonymous": None, "exporter": exporter, "owner": owner, "operator": operator}[role]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 90

    failures = []
    for operation in operations:
        headers = bearer(caller) if caller else {}
        try:
            honours_document(operation, real_ids, headers)()
        except BaseExceptionGroup as found:  # every operation's failures, reported together
            failures.append(f"{operation.label}: {found}")
    assert not failures, "\n\n".join(failures)
