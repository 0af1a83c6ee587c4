"""API twins of the notification pages."""

from __future__ import annotations

from ..adapters.clock import utc_now
from ..web.api import ApiBlueprint, PaginationArgs, page_body
from ..web.auth import api_actor, api_login_required
from . import services
from .schemas import EmailSettingsSchema, MarkedSchema, NotificationPageSchema, NotificationSchema

blp = ApiBlueprint(
    "notifications_api", __name__, url_prefix="/notifications", description="Notifications"
)


@blp.get("")
@api_login_required
@blp.arguments(PaginationArgs, location="query")
@blp.response(200, NotificationPageSchema)
def inbox(args):
    """Your organization's notifications, newest first, with the unread count."""
    page = services.inbox(api_actor(), args["page"], args["per_page"])
    return {**page_body(page), "unread": services.unread_count(api_actor())}


@blp.post("/<id:notification_id>/read")
@api_login_required
@blp.response(200, NotificationSchema)
def mark_read(notification_id: int):
    """Mark one notification read (404 when it is not your organization's)."""
    return services.mark_read(api_actor(), notification_id, utc_now())


@blp.post("/read-all")
@api_login_required
@blp.response(200, MarkedSchema)
def mark_all_read():
    """Mark every notification of your organization read."""
    return {"marked": services.mark_all_read(api_actor(), utc_now())}


@blp.get("/settings")
@api_login_required
@blp.response(200, EmailSettingsSchema)
@blp.refuses(403, "forbidden: operators have no inbox.")
def email_settings():
    """Which kinds of notification are emailed to you."""
    return {"email": services.email_preferences(api_actor())}


@blp.put("/settings")
@api_login_required
@blp.arguments(EmailSettingsSchema)
@blp.response(200, EmailSettingsSchema)
@blp.refuses(403, "forbidden: operators have no inbox.")
def change_email_settings(args):
    """Switch email on or off per kind."""
    return {"email": services.set_email_preferences(api_actor(), args["email"])}
