"""API schemas of trust."""

from marshmallow import fields, validate

from ..catalog import RATING_TIERS, UNRATED
from ..web.schema import Schema


class ReviewInSchema(Schema):
    aspect_1 = fields.Raw(
        required=True,
        metadata={"description": "1-5: space as described (about an owner) or paid on time"},
    )
    aspect_2 = fields.Raw(
        required=True,
        metadata={"description": "1-5: handling (about an owner) or goods as declared"},
    )
    communication = fields.Raw(required=True, metadata={"description": "1-5"})
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class ReviewSchema(Schema):
    id = fields.Integer()
    booking_id = fields.Integer()
    author_id = fields.Integer()
    author_name = fields.String(attribute="author.name")
    subject_id = fields.Integer()
    subject_role = fields.String()
    aspect_1 = fields.Integer()
    aspect_2 = fields.Integer()
    communication = fields.Integer()
    comment = fields.String()
    created_at = fields.DateTime()
    reply = fields.String(allow_none=True)
    replied_at = fields.DateTime(allow_none=True)
    hidden = fields.Function(lambda review: review.hidden_at is not None)


class ReviewPageSchema(Schema):
    results = fields.List(fields.Nested(ReviewSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class TextSchema(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class ReplySchema(Schema):
    reply = fields.String(required=True, validate=validate.Length(max=2000))


class ReviewSummarySchema(Schema):
    count = fields.Integer()
    average = fields.Float(allow_none=True)
    aspects = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Float()),
        metadata={"description": "By role (owner, tenant): aspect -> mean stars"},
    )


class CreditSchema(Schema):
    organization_id = fields.Integer()
    score = fields.Integer(
        allow_none=True, metadata={"description": "None until the platform has rated it"}
    )
    tier = fields.String(validate=validate.OneOf([*RATING_TIERS, UNRATED]))
    factors = fields.List(
        fields.Tuple((fields.String(), fields.Integer())),
        metadata={"description": "[what, points] for each factor that moved the score"},
    )
    computed_at = fields.DateTime(allow_none=True)


class BlacklistInSchema(Schema):
    organization_id = fields.Integer(required=True, strict=True)
    reason = fields.String(required=True, validate=validate.Length(max=500))
    ends_on = fields.Date(allow_none=True, load_default=None, metadata={"description": "Last day"})


class BlacklistEntrySchema(Schema):
    id = fields.Integer()
    organization_id = fields.Integer()
    organization_name = fields.String(attribute="organization.name")
    reason = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    lifted_at = fields.DateTime(allow_none=True)
    lift_reason = fields.String()


class PublicBlacklistSchema(Schema):
    current = fields.List(fields.Nested(BlacklistEntrySchema))
    earlier = fields.List(fields.Nested(BlacklistEntrySchema))


class VerificationInSchema(Schema):
    registration_number = fields.String(required=True, validate=validate.Length(max=60))
    registration_country = fields.String(required=True, validate=validate.Length(max=2))
    address = fields.String(required=True, validate=validate.Length(max=300))
    contact_name = fields.String(required=True, validate=validate.Length(max=120))
    contact_email = fields.String(required=True, validate=validate.Length(max=254))
    contact_phone = fields.String(load_default="", validate=validate.Length(max=40))


class DocumentSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size_bytes = fields.Integer()


class VerificationSchema(Schema):
    id = fields.Integer()
    organization_id = fields.Integer()
    registration_number = fields.String()
    registration_country = fields.String()
    address = fields.String()
    contact_name = fields.String()
    contact_email = fields.String()
    contact_phone = fields.String()
    state = fields.String()
    submitted_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    decision_reason = fields.String()
    documents = fields.List(fields.Nested(DocumentSchema))
