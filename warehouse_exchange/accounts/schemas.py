"""API schemas of accounts."""

from marshmallow import fields, validate

from ..adapters.clock import utc_now
from ..catalog import ORGANIZATION_KINDS
from ..web.api import PaginationArgs
from ..web.schema import Schema
from .passwords import MAX_LENGTH


class TokenRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=200))
    name = fields.String(load_default="API", validate=validate.Length(min=1, max=80))
    expires_in_days = fields.Integer(
        load_default=None,
        strict=True,
        metadata={"description": "1 to the platform's maximum (90), which is the default"},
    )


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    token = fields.String(metadata={"description": "Shown only once"})
    created_at = fields.DateTime()
    expires_at = fields.DateTime(metadata={"description": "Refused with a 401 from then on"})


class TokenRecordSchema(Schema):
    """One of the user's tokens, never its secret."""

    id = fields.Integer()
    name = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    last_used_at = fields.DateTime(
        allow_none=True, metadata={"description": "Updated at most once an hour (configurable)"}
    )
    revoked_at = fields.DateTime(allow_none=True)
    status = fields.Function(
        lambda token: token.status(utc_now()),
        metadata={"description": "active, expired or revoked"},
    )


class RegistrationSchema(Schema):
    organization_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = fields.String(required=True, validate=validate.OneOf(list(ORGANIZATION_KINDS)))
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))


class OrganizationSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    country = fields.String()
    credit_score = fields.Integer(allow_none=True)
    rating_tier = fields.String(metadata={"description": "AAA to C, or unrated"})
    verified = fields.Boolean()
    blacklisted = fields.Boolean()
    created_at = fields.DateTime()


class PublicOrganizationSchema(OrganizationSchema):
    review_summary = fields.Dict(
        metadata={"description": "count, average stars, and mean stars per aspect and role"}
    )


class UserSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    active = fields.Boolean(metadata={"description": "False while suspended by an operator"})
    organization = fields.Nested(OrganizationSchema, allow_none=True)


class UserPageSchema(Schema):
    results = fields.List(fields.Nested(UserSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class UserSearchArgs(PaginationArgs):
    q = fields.String(
        load_default="",
        validate=validate.Length(max=120),
        metadata={"description": "Part of the email, name or organization name"},
    )


class PasswordChangeSchema(Schema):
    current_password = fields.String(
        required=True, load_only=True, validate=validate.Length(max=MAX_LENGTH)
    )
    new_password = fields.String(
        required=True, load_only=True, validate=validate.Length(max=MAX_LENGTH)
    )


class AccountReasonSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class InvitationRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))


class InvitationSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    expires_at = fields.DateTime()
    accept_url = fields.String(metadata={"description": "Contains the secret; shown only once"})


class AcceptInvitationSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))
