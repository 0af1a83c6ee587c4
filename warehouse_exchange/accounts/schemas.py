"""API schemas of accounts."""

from marshmallow import fields, validate

from ..catalog import ORGANIZATION_KINDS
from ..web.schema import Schema


class TokenRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=200))
    name = fields.String(load_default="API", validate=validate.Length(min=1, max=80))


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    token = fields.String(metadata={"description": "Shown only once"})


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
    organization = fields.Nested(OrganizationSchema, allow_none=True)


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
