"""API schemas of exchange rates."""

from marshmallow import fields

from ..web.schema import Schema


class ExchangeRateInSchema(Schema):
    currency = fields.String(required=True)
    rate = fields.Decimal(
        required=True,
        as_string=True,
        metadata={
            "type": "string",
            "format": "decimal",
            "description": "Units of currency per one base unit",
        },
    )
    rate_date = fields.Date(required=True)


class ExchangeRateSchema(Schema):
    currency = fields.String()
    rate = fields.Decimal(as_string=True, metadata={"type": "string", "format": "decimal"})
    rate_date = fields.Date()
    base = fields.String()
