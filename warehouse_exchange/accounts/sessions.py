"""Sessions of a user: which cookie still logs someone in, and the use cases that end them all
(log-out, a new password).

A session or remember-me cookie carries "<user id>:<session version>" (`User.get_id`). Raising
the version in the database turns every cookie issued before into a stranger's, on every device
at once, without keeping a list of sessions on the server.
"""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import InvalidInput
from ..extensions import db
from ..permissions import require_user
from ..unit_of_work import use_case
from .models import User
from .services import acceptable_password

#: longest id a cookie can sensibly carry: two integers and a colon
MAX_SESSION_ID_LENGTH = 40


def user_for_session(session_id: str) -> User | None:
    """The active user whose session is `session_id`, or None for a session that has ended
    (an older version), of a suspended user, or that makes no sense."""
    user_id, _, version = (session_id or "")[:MAX_SESSION_ID_LENGTH].partition(":")
    if not (_is_number(user_id) and _is_number(version)) or int(user_id) > 2**31 - 1:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdecimal()


def end_sessions(user: User) -> None:
    """Inside a use case: every session of `user` ends at its next request."""
    user.session_version = User.session_version + 1


@use_case
def log_out_everywhere(actor: User | None) -> None:
    end_sessions(require_user(actor))
    db.session.commit()


@use_case
def change_password(actor: User | None, current_password: str, new_password: str) -> User:
    """A user sets a new password, proving the current one. Every session ends (the caller logs
    the current browser in again); API tokens keep working, as they are listed and revoked on
    their own."""
    actor = require_user(actor)
    if not check_password_hash(actor.password_hash, current_password or ""):
        raise InvalidInput(
            "The current password is wrong.", {"current_password": "Not your current password."}
        )
    organization = actor.organization.name if actor.organization else None
    password = acceptable_password(new_password, actor.email, actor.name, organization)
    if check_password_hash(actor.password_hash, password):
        raise InvalidInput(
            "That is the password you have now.", {"password": "Choose a new password."}
        )
    actor.password_hash = generate_password_hash(password)
    end_sessions(actor)
    db.session.commit()
    return actor
