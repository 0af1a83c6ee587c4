"""shipment arrivals: an owner's early-arrival consent per lease, a shipment its tenant
cancelled, and the owner's notifications of shipments announced, changed and cancelled

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 01:30:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

KINDS_BEFORE = (
    "kind IN ('booking_requested', 'booking_accepted', 'booking_declined', 'booking_cancelled',"
    " 'booking_expired', 'booking_confirmed', 'lease_started', 'lease_completed', 'refund_due',"
    " 'release', 'lease_ending', 'request_waiting', 'instalment_due', 'instalment_covered',"
    " 'lease_shortened', 'card_declined', 'goods_received', 'lease_over_capacity',"
    " 'verification_decided', 'review_received', 'party_blacklisted', 'dispute_opened',"
    " 'dispute_message', 'dispute_decided', 'dispute_escalated', 'transfer_offered',"
    " 'transfer_requested', 'transfer_answered', 'transfer_completed', 'transfer_ended')"
)
KINDS_NOW = KINDS_BEFORE[:-1] + ", 'shipment_announced', 'shipment_changed', 'shipment_cancelled')"
STATUSES_BEFORE = (
    "status IN ('announced', 'booked', 'departed', 'in_transit', 'at_customs',"
    " 'customs_cleared', 'out_for_delivery', 'arrived', 'checked_in', 'exception')"
)
STATUSES_NOW = STATUSES_BEFORE[:-1] + ", 'cancelled')"


def upgrade():
    op.create_table(
        "early_arrivals",
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_early_arrivals_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"], ["users.id"], name=op.f("fk_early_arrivals_granted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("booking_id", name=op.f("pk_early_arrivals")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancel_reason", sa.String(length=500), nullable=True))
        batch_op.drop_constraint(op.f("ck_shipments_status_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_shipments_status_known"), STATUSES_NOW)

    # the kinds of notifications/kinds.py as of this revision
    for table in ("notifications", "email_opt_outs"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_kind_known"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_kind_known"), KINDS_NOW)


def downgrade():
    for table in ("notifications", "email_opt_outs"):
        op.execute(
            f"DELETE FROM {table} WHERE kind IN"
            " ('shipment_announced', 'shipment_changed', 'shipment_cancelled')"
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_kind_known"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_kind_known"), KINDS_BEFORE)
    cancelled = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM shipments WHERE status = 'cancelled'")
    )
    if cancelled:
        raise RuntimeError(
            f"{cancelled} cancelled shipment(s) exist; this revision cannot be undone."
        )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_shipments_status_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_shipments_status_known"), STATUSES_BEFORE)
        batch_op.drop_column("cancel_reason")
    op.drop_table("early_arrivals")
