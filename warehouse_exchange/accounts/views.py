"""Account pages: register, log in and out, members, invitations, API tokens, profiles."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ..adapters.clock import utc_now
from ..audit.services import last_suspension_reason
from ..errors import InvalidInput, Unauthorized
from ..listings.services import organization_listings
from ..trust.credit import credit_report
from ..trust.reviews import review_summary, reviews_of
from ..trust.rules import ASPECTS
from ..warehouses.services import organization_warehouses
from ..web.auth import actor
from ..web.forms import render_form, show_errors
from ..web.query_args import page_arg
from ..web.rate_limits import login_limit, signup_limit
from ..web.redirects import local_url
from . import services, sessions, suspension
from .forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    ChangePasswordForm,
    InvitationForm,
    LoginForm,
    ReasonForm,
    RegistrationForm,
)

bp = Blueprint("accounts", __name__)


@bp.route("/register", methods=["GET", "POST"])
@signup_limit
def register() -> str | Response:
    form = RegistrationForm()
    if form.validate_on_submit():
        data = services.Registration(
            organization_name=form.organization_name.data,
            kind=form.kind.data,
            country=form.country.data,
            name=form.name.data,
            email=form.email.data,
            password=form.password.data,
        )
        try:
            user = services.register_organization(data)
        except InvalidInput as error:
            show_errors(form, error)
        else:
            login_user(user)
            flash(f"Welcome to Warehouse Exchange, {user.name}.", "success")
            return redirect(url_for("accounts.profile"))
    return render_form("accounts/register.html", form)


@bp.route("/login", methods=["GET", "POST"])
@login_limit
def login() -> str | Response:
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, utc_now())
        except Unauthorized as error:
            form.form_errors.append(error.message)
        else:
            login_user(user, remember=form.remember.data)
            flash(f"Logged in as {user.email}.", "success")
            return redirect(local_url(request.args.get("next"), url_for("home.index")))
    return render_form("accounts/login.html", form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    sessions.log_out_everywhere(actor())
    logout_user()
    flash("Logged out on every device.", "info")
    return redirect(url_for("search.index"))


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
@login_limit
def change_password() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = sessions.change_password(actor(), form.current_password.data, form.password.data)
        except InvalidInput as error:
            show_errors(form, error)
        else:
            # The change ended every session; this browser goes on under the new one.
            login_user(user, remember=_remembered())
            flash("Password changed. Every other device is logged out.", "success")
            return redirect(url_for("accounts.profile"))
    return render_form("accounts/password.html", form)


def _remembered() -> bool:
    """This browser asked to stay logged in (it holds a remember-me cookie)."""
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


@bp.route("/profile")
@login_required
def profile() -> str:
    return _render_profile(InvitationForm())


def _render_profile(invitation_form: InvitationForm) -> str:
    user = actor()
    return render_template(
        "accounts/profile.html",
        members=services.list_members(user),
        invitations=services.pending_invitations(user, utc_now()),
        tokens=services.list_api_tokens(user),
        now=utc_now(),
        invitation_form=invitation_form,
        token_form=ApiTokenForm(),
    )


@bp.post("/profile/invitations")
@login_required
def invite() -> str | Response:
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            invitation, token = services.invite_member(
                actor(), form.email.data, utc_now(), current_app.config["INVITATION_VALID_DAYS"]
            )
        except InvalidInput as error:
            show_errors(form, error)
        else:
            link = url_for("accounts.accept_invitation", token=token, _external=True)
            flash(
                f"Invitation for {invitation.email} created. Send them this link: {link}", "success"
            )
            return redirect(url_for("accounts.profile"))
    return _render_profile(form), 422


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@signup_limit
def accept_invitation(token: str) -> str | Response:
    invitation = services.find_invitation(token, utc_now())
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.name.data, form.password.data, utc_now())
        except InvalidInput as error:
            show_errors(form, error)
        else:
            login_user(user)
            flash(f"Welcome to {invitation.organization.name}.", "success")
            return redirect(url_for("accounts.profile"))
    return render_form("accounts/accept_invitation.html", form, invitation=invitation)


@bp.post("/profile/tokens")
@login_required
def create_token() -> str | Response:
    form = ApiTokenForm()
    if not form.validate_on_submit():
        problems = " ".join(
            f"{form[name].label.text}: {' '.join(errors)}" for name, errors in form.errors.items()
        )
        flash(f"The token was not created. {problems}", "error")
        return redirect(url_for("accounts.profile"))
    record, token = services.issue_api_token(
        actor(), form.name.data, utc_now(), form.valid_days.data
    )
    flash(
        f"API token “{record.name}” created; it expires on"
        f" {record.expires_at:%Y-%m-%d %H:%M} UTC. Copy it now, it is shown only once: {token}",
        "success",
    )
    return redirect(url_for("accounts.profile"))


@bp.post("/profile/tokens/<id:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Response:
    record = services.revoke_api_token(actor(), token_id, utc_now())
    flash(f"API token “{record.name}” revoked.", "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/organizations/<id:organization_id>")
def organization(organization_id: int) -> str:
    organization = services.get_organization(organization_id)
    page = page_arg()
    per_page = current_app.config["LIST_PER_PAGE"]
    return render_template(
        "accounts/organization.html",
        organization=organization,
        warehouses=organization_warehouses(organization.id, page, per_page, include_archived=False),
        listings=organization_listings(organization.id, 1, per_page),
        credit=credit_report(organization.id),
        reviews=reviews_of(organization.id, 1, per_page),
        review_summary=review_summary(organization.id),
        aspects=ASPECTS,
    )


# operators: user accounts


@bp.route("/operator/users")
@login_required
def users() -> str:
    text = request.args.get("q", "")[: suspension.MAX_QUERY_LENGTH]
    page = suspension.find_users(actor(), text, page_arg(), current_app.config["LIST_PER_PAGE"])
    return render_template("accounts/users.html", page=page, text=text)


@bp.route("/operator/users/<id:user_id>")
@login_required
def user(user_id: int) -> str:
    return _render_user(user_id, ReasonForm())[0]


#: what each action does to the account, as the flash message says it
ACCOUNT_ACTIONS = {
    "suspend": (suspension.suspend_user, "is suspended and logged out everywhere"),
    "reinstate": (suspension.reinstate_user, "may log in again"),
}


@bp.post("/operator/users/<id:user_id>/<any(suspend, reinstate):action>")
@login_required
def change_account(user_id: int, action: str) -> tuple[str, int] | Response:
    """The action is in the address, so that a page that went stale (another operator acted
    meanwhile) can never do the opposite of the button that was pressed."""
    form = ReasonForm()
    if form.validate_on_submit():
        change, outcome = ACCOUNT_ACTIONS[action]
        try:
            changed = change(actor(), user_id, form.reason.data, utc_now())
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash(f"{changed.email} {outcome}.", "success")
            return redirect(url_for("accounts.user", user_id=user_id))
    return _render_user(user_id, form)


def _render_user(user_id: int, form: ReasonForm) -> tuple[str, int]:
    shown = suspension.get_user(actor(), user_id)
    reason = last_suspension_reason(shown)
    return render_form("accounts/user.html", form, shown=shown, reason=reason)
