"""One row per operator action. Rows are never changed or removed: the database refuses
UPDATE and DELETE on them (triggers installed by migration 0018, and on create_all)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, JSON, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..models_base import UTCDateTime, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: e.g. "dispute.decide", "refund.sent", "blacklist.add"
    action: Mapped[str] = mapped_column(String(40))
    #: what was acted on: "dispute", "refund", "organization", …, and its id
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int] = mapped_column(Integer)
    #: the subject's relevant fields before and after the action (None: it did not exist)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()


SQLITE_IMMUTABLE = (
    "CREATE TRIGGER audit_entries_{action}_refused BEFORE {action} ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are immutable'); END"
)
POSTGRES_GUARDS = [
    "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit entries are immutable'; END $$",
    "CREATE TRIGGER audit_entries_immutable BEFORE UPDATE OR DELETE ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
]


def audit_guard_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [SQLITE_IMMUTABLE.format(action=action) for action in ("UPDATE", "DELETE")]
    return POSTGRES_GUARDS


def _install_guards(_table, connection, **_kw) -> None:
    for statement in audit_guard_statements(connection.dialect.name):
        connection.execute(DDL(statement.replace("%", "%%")))


event.listen(AuditEntry.__table__, "after_create", _install_guards)
