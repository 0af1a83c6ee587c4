"""card payments of transfer prices: a card payment pays a booking or a transfer, and a refund
names whom it goes back to (the booking's tenant, or the taker of a transfer) and the card
payment it came by

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-26 00:55:37.210819

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("card_payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transfer_id", sa.Integer(), nullable=True))
        batch_op.alter_column("booking_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(batch_op.f("ix_card_payments_transfer_id"), ["transfer_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_card_payments_transfer_id_transfers"), "transfers", ["transfer_id"], ["id"])
        batch_op.create_check_constraint("pays_one_thing", "(booking_id IS NULL) <> (transfer_id IS NULL)")

    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payee_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("transfer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("card_payment_id", sa.Integer(), nullable=True))
    # every refund so far goes back to its booking's tenant
    op.execute(
        "UPDATE refunds SET payee_id ="
        " (SELECT bookings.tenant_id FROM bookings WHERE bookings.id = refunds.booking_id)"
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.alter_column("payee_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.create_index(batch_op.f("ix_refunds_payee_id"), ["payee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refunds_transfer_id"), ["transfer_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_refunds_transfer_id_transfers"), "transfers", ["transfer_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_refunds_payee_id_organizations"), "organizations", ["payee_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_refunds_card_payment_id_card_payments"), "card_payments", ["card_payment_id"], ["id"])


def downgrade():
    # before this revision a taker's money had nowhere to be: dropping it would lose it
    taken = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM card_payments WHERE transfer_id IS NOT NULL")
    )
    if taken:
        raise RuntimeError(
            f"{taken} card payment(s) of transfer prices exist; this revision cannot be undone."
        )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_refunds_card_payment_id_card_payments"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_refunds_payee_id_organizations"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_refunds_transfer_id_transfers"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_refunds_transfer_id"))
        batch_op.drop_index(batch_op.f("ix_refunds_payee_id"))
        batch_op.drop_column("card_payment_id")
        batch_op.drop_column("transfer_id")
        batch_op.drop_column("payee_id")

    with op.batch_alter_table("card_payments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_card_payments_pays_one_thing"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_card_payments_transfer_id_transfers"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_card_payments_transfer_id"))
        batch_op.alter_column("booking_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("transfer_id")
