"""API schema of the home summary: the same counts as the home page."""

from marshmallow import fields

from ..web.api import MoneySchema
from ..web.schema import Schema


class UnitOccupancySchema(Schema):
    unit = fields.String(metadata={"description": "pallet, cbm or sqm"})
    listings = fields.Integer(metadata={"description": "Active listings of this unit"})
    offered = fields.Integer(metadata={"description": "Units those listings offer"})
    leased = fields.Integer(metadata={"description": "Units of them leased today"})


class EarningsSchema(Schema):
    currency = fields.String()
    in_escrow = fields.Nested(MoneySchema, attribute="pending")
    released = fields.Nested(MoneySchema)
    paid_out = fields.Nested(MoneySchema)


class ReleaseSchema(Schema):
    booking_id = fields.Integer()
    due_on = fields.Date()
    amount = fields.Nested(MoneySchema)


class OwnerHomeSchema(Schema):
    requests_waiting = fields.Integer(
        attribute="requests.count", metadata={"description": "Booking requests to answer"}
    )
    transfers_to_approve = fields.Integer(
        attribute="transfers_to_approve.count",
        metadata={"description": "Lease transfers whose taker waits for your approval"},
    )
    arrivals_expected = fields.Integer(
        attribute="arrivals.count",
        metadata={"description": "Shipments to your warehouses not checked in yet"},
    )
    arrivals_late = fields.Integer(attribute="late_arrivals")
    occupancy = fields.List(fields.Nested(UnitOccupancySchema))
    earnings = fields.List(fields.Nested(EarningsSchema))
    next_releases = fields.List(fields.Nested(ReleaseSchema))


class PaymentToMakeSchema(Schema):
    booking_id = fields.Integer(attribute="booking.id")
    instalment = fields.Integer(attribute="sequence")
    due_on = fields.Date()
    amount = fields.Nested(MoneySchema, metadata={"description": "Still to pay"})
    reference = fields.String(metadata={"description": "Quote it on the bank transfer"})


class ExporterHomeSchema(Schema):
    payments_due = fields.Integer(attribute="payments.count")
    payments = fields.List(fields.Nested(PaymentToMakeSchema), attribute="payments.items")
    leases = fields.Integer(
        attribute="leases.count", metadata={"description": "Active or upcoming"}
    )
    shipments_in_transit = fields.Integer(attribute="shipments.count")
    shipments_late = fields.Integer(attribute="late_shipments")
    open_transfers = fields.Integer(
        attribute="transfers.count", metadata={"description": "Offers and requests still open"}
    )


class OperatorHomeSchema(Schema):
    bookings_awaiting_money = fields.Integer(attribute="awaiting_money.count")
    transfers_awaiting_money = fields.Integer(attribute="transfers_awaiting_money.count")
    open_disputes = fields.Integer(attribute="disputes.count")
    verification_requests = fields.Integer(attribute="verifications.count")
    refunds_due = fields.Integer(attribute="refunds.count")
    payouts_due = fields.Integer(attribute="payouts.count")
    failed_jobs = fields.Function(lambda home: len(home.failed_jobs))


class HomeSchema(Schema):
    owner = fields.Nested(OwnerHomeSchema, allow_none=True)
    exporter = fields.Nested(ExporterHomeSchema, allow_none=True)
    operator = fields.Nested(OperatorHomeSchema, allow_none=True)
