"""API schemas of notifications."""

from marshmallow import fields, validate

from ..web.schema import Schema
from .kinds import KINDS


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(KINDS)})
    subject = fields.String()
    body = fields.String()
    link = fields.String(metadata={"description": "A path on this site, e.g. /bookings/12"})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True, metadata={"description": "null while unread"})


class NotificationPageSchema(Schema):
    results = fields.List(fields.Nested(NotificationSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    unread = fields.Integer(metadata={"description": "Unread notifications in all"})


class MarkedSchema(Schema):
    marked = fields.Integer(metadata={"description": "How many were unread"})


class EmailSettingsSchema(Schema):
    email = fields.Dict(
        keys=fields.String(validate=validate.OneOf(list(KINDS))),
        values=fields.Boolean(),
        required=True,
        metadata={"description": "Kind -> emailed to you or not; kinds left out stay as they are"},
    )
