"""API shapes of disputes: opening one, its messages and evidence, and the decision."""

from __future__ import annotations

from marshmallow import fields, pre_dump, validate

from ..web.api import MoneySchema, minor_units
from ..web.schema import Schema
from .rules import CATEGORIES, MAX_TEXT
from .settlement import decision_bounds


class DisputeInSchema(Schema):
    booking_id = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**31 - 1))
    category = fields.String(required=True, validate=validate.OneOf(list(CATEGORIES)))
    description = fields.String(required=True, validate=validate.Length(1, MAX_TEXT))
    claimed = fields.Nested(MoneySchema, required=True)


class MessageInSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(1, MAX_TEXT))


class EvidenceInSchema(Schema):
    body = fields.String(load_default="Evidence", validate=validate.Length(1, MAX_TEXT))


class DecisionInSchema(Schema):
    currency = fields.String(required=True, validate=validate.Length(3, 3))
    tenant_share_minor = minor_units(required=True)
    owner_share_minor = minor_units(required=True)
    reserve_payout_minor = minor_units(load_default=0)
    reasons = fields.String(required=True, validate=validate.Length(1, MAX_TEXT))


class EvidenceFileSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size_bytes = fields.Integer()


class DisputeMessageSchema(Schema):
    id = fields.Integer()
    author_id = fields.Integer()
    organization_id = fields.Integer(allow_none=True)
    body = fields.String()
    created_at = fields.DateTime()
    files = fields.List(fields.Nested(EvidenceFileSchema))


def _money(attribute: str, description: str = ""):
    return fields.Function(
        lambda d: {"amount_minor": getattr(d, attribute), "currency": d.currency},
        metadata={"type": "object", "description": description},
    )


def _bound(name: str, description: str):
    """A decision's bound as money while the case is still to decide, null after."""
    return fields.Function(
        lambda d: (
            None
            if d.bounds is None
            else {"amount_minor": getattr(d.bounds, name), "currency": d.currency}
        ),
        allow_none=True,
        metadata={"type": "object", "nullable": True, "description": description},
    )


class _WithBounds:
    """A dispute read together with its decision bounds, computed once per dump."""

    def __init__(self, dispute):
        self._dispute = dispute
        self.bounds = decision_bounds(dispute)
        self.frozen_minor = (self.bounds or dispute).frozen_minor

    def __getattr__(self, name: str):
        return getattr(self._dispute, name)


class DisputeSchema(Schema):
    id = fields.Integer()
    booking_id = fields.Integer()
    state = fields.String()
    category = fields.String()
    description = fields.String()
    claimed = _money("claimed_minor")
    opened_by_org_id = fields.Integer()
    against_org_id = fields.Integer()
    opened_at = fields.DateTime()
    respond_by = fields.DateTime()
    review_by = fields.DateTime()
    escalated_at = fields.DateTime(allow_none=True)
    taken_by_id = fields.Integer(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    frozen = _money(
        "frozen_minor",
        "Before the decision: what the booking's escrow holds frozen now, which the tenant's"
        " and the owner's shares must add up to exactly. After it: what the decision split"
        " (nothing for a withdrawn case).",
    )
    owner_share_limit = _bound(
        "owner_share_limit_minor",
        "The most the owner's share may be (the rent held for months not yet released);"
        " null once decided or withdrawn.",
    )
    reserve_payout_limit = _bound(
        "reserve_payout_limit_minor",
        "The most the guarantee reserve may add for the tenant on this case now (0 unless the"
        " tenant claims the space was not available); null once decided or withdrawn.",
    )
    tenant_share = _money("tenant_share_minor")
    owner_share = _money("owner_share_minor")
    reserve_payout = _money("reserve_payout_minor")
    reasons = fields.String()

    @pre_dump
    def _read_bounds(self, dispute, **_kwargs):
        return _WithBounds(dispute)


class DisputePageSchema(Schema):
    results = fields.List(fields.Nested(DisputeSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
