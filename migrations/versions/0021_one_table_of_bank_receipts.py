"""one table of bank receipts: a receipt pays a booking or a lease transfer, and a bank
reference is recorded once across both (the takers' receipts move into bank_receipts)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 01:40:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

COLUMNS = (
    "amount_minor, currency, received_on, bank_reference, recorded_by_id, recorded_at,"
    " transaction_id"
)


def upgrade():
    # a bank transfer recorded twice paid twice: an operator must correct it before the
    # database can refuse it for good
    twice = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT t.bank_reference FROM transfer_receipts t"
                " JOIN bank_receipts b ON b.bank_reference = t.bank_reference"
            )
        )
        .scalars()
        .all()
    )
    if twice:
        raise RuntimeError(
            "These bank references paid both a booking and a transfer; correct them first: "
            + ", ".join(twice)
        )
    with op.batch_alter_table("bank_receipts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transfer_id", sa.Integer(), nullable=True))
        batch_op.alter_column("booking_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_bank_receipts_transfer_id"), ["transfer_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_bank_receipts_transfer_id_transfers"),
            "transfers",
            ["transfer_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            "pays_one_thing", "(booking_id IS NULL) <> (transfer_id IS NULL)"
        )
    op.execute(
        f"INSERT INTO bank_receipts (transfer_id, {COLUMNS})"
        f" SELECT transfer_id, {COLUMNS} FROM transfer_receipts ORDER BY id"
    )
    with op.batch_alter_table("transfer_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfer_receipts_transfer_id"))
    op.drop_table("transfer_receipts")


def downgrade():
    op.create_table(
        "transfer_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("bank_reference", sa.String(length=80), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_transfer_receipts_amount_positive")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_transfer_receipts_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_transfer_receipts_transaction_id_ledger_transactions"),
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["transfers.id"],
            name=op.f("fk_transfer_receipts_transfer_id_transfers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_receipts")),
        sa.UniqueConstraint("bank_reference", name=op.f("uq_transfer_receipts_bank_reference")),
    )
    with op.batch_alter_table("transfer_receipts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transfer_receipts_transfer_id"), ["transfer_id"], unique=False
        )
    op.execute(
        f"INSERT INTO transfer_receipts (transfer_id, {COLUMNS})"
        f" SELECT transfer_id, {COLUMNS} FROM bank_receipts"
        " WHERE transfer_id IS NOT NULL ORDER BY id"
    )
    op.execute("DELETE FROM bank_receipts WHERE transfer_id IS NOT NULL")
    with op.batch_alter_table("bank_receipts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_bank_receipts_pays_one_thing"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_bank_receipts_transfer_id_transfers"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_bank_receipts_transfer_id"))
        batch_op.alter_column("booking_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("transfer_id")
