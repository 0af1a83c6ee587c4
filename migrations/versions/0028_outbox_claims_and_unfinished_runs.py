"""outbox_emails.claimed_until and claim_token: an email is claimed for a while, not locked
during its hand-over; job_runs.finished_at nullable: a run is recorded when it starts (with
a partial index on the runs that have not finished)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 23:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.alter_column(
            "finished_at", existing_type=sa.DateTime(timezone=True), nullable=True
        )
        batch_op.create_index(
            "ix_job_runs_unfinished",
            ["started_at"],
            unique=False,
            sqlite_where=sa.text("finished_at IS NULL"),
            postgresql_where=sa.text("finished_at IS NULL"),
        )


def downgrade():
    # a run that never finished is closed at its start, so the column can be NOT NULL again
    op.execute("UPDATE job_runs SET finished_at = started_at WHERE finished_at IS NULL")
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_job_runs_unfinished")
        batch_op.alter_column(
            "finished_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_column("claim_token")
        batch_op.drop_column("claimed_until")
