"""The OpenAPI document is the contract: generated requests to every operation (valid and
invalid) never cause a server error, every response matches what the document says, and
requests the document forbids are refused. (Requests the document allows may still break a
domain rule, an unknown country or a past date, so "schema-valid means accepted" is not
checked.)"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from tests.factories import ExchangeRateFactory, ListingFactory, WarehouseFactory
from tests.helpers import api_token

EXAMPLES_PER_OPERATION = 20


def test_api_honours_its_openapi_document(app, client, owner):
    ExchangeRateFactory(currency="USD")
    ListingFactory(warehouse=WarehouseFactory(organization=owner.organization))
    headers = api_token(client, owner)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        check()
