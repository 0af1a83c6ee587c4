"""API twins of the account pages."""

from __future__ import annotations

from flask import current_app, url_for

from ..adapters.clock import utc_now
from ..extensions import limiter
from ..trust.reviews import review_summary
from ..web.api import ApiBlueprint
from ..web.auth import api_actor, api_login_required
from . import services
from .schemas import (
    AcceptInvitationSchema,
    InvitationRequestSchema,
    InvitationSchema,
    OrganizationSchema,
    PublicOrganizationSchema,
    RegistrationSchema,
    TokenRequestSchema,
    TokenSchema,
    UserSchema,
)

blp = ApiBlueprint("accounts_api", __name__, description="Organizations, members and API tokens")


@blp.post("/tokens")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@blp.refuses(401, "unauthorized: wrong email or password, or the account is disabled.")
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
def create_token(args):
    """Exchange email and password for a bearer token."""
    user = services.authenticate(args["email"], args["password"])
    record, token = services.issue_api_token(user, args["name"])
    return {"id": record.id, "name": record.name, "token": token}


@blp.delete("/tokens/<id:token_id>")
@api_login_required
@blp.response(204)
def revoke_token(token_id: int):
    """Revoke one of your tokens."""
    services.revoke_api_token(api_actor(), token_id, utc_now())


@blp.post("/organizations")
@blp.arguments(RegistrationSchema)
@blp.response(201, UserSchema)
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
@blp.refuses(404, "not_found: the invitation link is not valid.")
@blp.refuses(409, "conflict: the invitation was already used, or has expired.")
@blp.arguments(AcceptInvitationSchema)
@blp.response(201, UserSchema)
def accept_invitation(args, token: str):
    """Join an organization with the secret from an invitation."""
    return services.accept_invitation(token, args["name"], args["password"], utc_now())
