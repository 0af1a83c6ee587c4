"""API twins of the account pages."""

from __future__ import annotations

from flask import current_app, url_for

from ..adapters.clock import utc_now
from ..trust.reviews import review_summary
from ..web.api import ApiBlueprint, ErrorSchema, page_body
from ..web.auth import api_actor, api_login_required
from ..web.rate_limits import THROTTLED, login_limit, signup_limit
from . import services, sessions, suspension
from .schemas import (
    AcceptInvitationSchema,
    AccountReasonSchema,
    InvitationRequestSchema,
    InvitationSchema,
    OrganizationSchema,
    PasswordChangeSchema,
    PublicOrganizationSchema,
    RegistrationSchema,
    TokenRecordSchema,
    TokenRequestSchema,
    TokenSchema,
    UserPageSchema,
    UserSchema,
    UserSearchArgs,
)

blp = ApiBlueprint("accounts_api", __name__, description="Organizations, members and API tokens")


@blp.post("/tokens")
@login_limit
@blp.refuses(401, "unauthorized: wrong email or password, or the account is suspended.")
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(429, **THROTTLED)
def create_token(args):
    """Exchange email and password for a bearer token."""
    user = services.authenticate(args["email"], args["password"], utc_now())
    record, token = services.issue_api_token(user, args["name"], utc_now(), args["expires_in_days"])
    return {
        "id": record.id,
        "name": record.name,
        "token": token,
        "created_at": record.created_at,
        "expires_at": record.expires_at,
    }


@blp.get("/tokens")
@api_login_required
@blp.response(200, TokenRecordSchema(many=True))
def list_tokens():
    """Your tokens, newest first, with when each expires and was last used (never secrets)."""
    return services.list_api_tokens(api_actor())


@blp.delete("/tokens/<id:token_id>")
@api_login_required
@blp.response(204)
@blp.alt_response(404, schema=ErrorSchema, description="Not one of your tokens")
def revoke_token(token_id: int):
    """Revoke one of your tokens; it is refused from then on."""
    services.revoke_api_token(api_actor(), token_id, utc_now())


@blp.post("/organizations")
@signup_limit
@blp.arguments(RegistrationSchema)
@blp.response(201, UserSchema)
@blp.alt_response(429, **THROTTLED)
def register(args):
    """Register an organization with its first user (its admin)."""
    return services.register_organization(services.Registration(**args))


@blp.get("/organizations/<id:organization_id>")
@blp.response(200, PublicOrganizationSchema)
def get_organization(organization_id: int):
    """An organization's public profile, with its rating and a summary of its reviews."""
    organization = services.get_organization(organization_id)
    profile = {name: getattr(organization, name) for name in OrganizationSchema().fields}
    return {**profile, "review_summary": review_summary(organization.id).as_json()}


@blp.get("/me")
@api_login_required
@blp.response(200, UserSchema)
def me():
    """The user the token belongs to."""
    return api_actor()


@blp.post("/me/password")
@api_login_required
@login_limit
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
@blp.alt_response(429, **THROTTLED)
def change_password(args):
    """Set a new password, giving the current one. Every browser session of the account
    ends; API tokens keep working."""
    sessions.change_password(api_actor(), args["current_password"], args["new_password"])


@blp.get("/members")
@api_login_required
@blp.response(200, UserSchema(many=True))
def members():
    """Members of your organization."""
    return services.list_members(api_actor())


@blp.post("/invitations")
@api_login_required
@blp.refuses(403, "forbidden: only an organization admin invites members.")
@blp.arguments(InvitationRequestSchema)
@blp.response(201, InvitationSchema)
def invite(args):
    """Invite a member (organization admins only)."""
    invitation, token = services.invite_member(
        api_actor(), args["email"], utc_now(), current_app.config["INVITATION_VALID_DAYS"]
    )
    return {
        "id": invitation.id,
        "email": invitation.email,
        "expires_at": invitation.expires_at,
        "accept_url": url_for("accounts.accept_invitation", token=token, _external=True),
    }


@blp.post("/invitations/<token>/accept")
@signup_limit
@blp.refuses(404, "not_found: the invitation link is not valid.")
@blp.refuses(409, "conflict: the invitation was already used, or has expired.")
@blp.arguments(AcceptInvitationSchema)
@blp.response(201, UserSchema)
@blp.alt_response(429, **THROTTLED)
def accept_invitation(args, token: str):
    """Join an organization with the secret from an invitation."""
    return services.accept_invitation(token, args["name"], args["password"], utc_now())


@blp.get("/users")
@api_login_required
@blp.refuses(403, "forbidden: operators only.")
@blp.arguments(UserSearchArgs, location="query")
@blp.response(200, UserPageSchema)
def users(args):
    """User accounts, suspended ones first, optionally those matching `q` (operators only)."""
    page = suspension.find_users(api_actor(), args["q"], args["page"], args["per_page"])
    return page_body(page)


@blp.post("/users/<id:user_id>/suspend")
@api_login_required
@blp.refuses(403, "forbidden: operators only, and not their own account.")
@blp.refuses(409, "conflict: the account is suspended already.")
@blp.arguments(AccountReasonSchema)
@blp.response(200, UserSchema)
def suspend_user(args, user_id: int):
    """Suspend an account: its sessions end, and it can neither log in nor use its API tokens
    (operators only, not their own account)."""
    return suspension.suspend_user(api_actor(), user_id, args["reason"], utc_now())


@blp.post("/users/<id:user_id>/reinstate")
@api_login_required
@blp.refuses(403, "forbidden: operators only.")
@blp.refuses(409, "conflict: the account is not suspended.")
@blp.arguments(AccountReasonSchema)
@blp.response(200, UserSchema)
def reinstate_user(args, user_id: int):
    """Let a suspended account log in and use its API tokens again (operators only)."""
    return suspension.reinstate_user(api_actor(), user_id, args["reason"], utc_now())
