"""log-in throttling per email address; emails about one's own account

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 04:27:28.775045

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttles',
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('failures >= 0', name=op.f('ck_login_throttles_failures_not_negative')),
    sa.PrimaryKeyConstraint('email', name=op.f('pk_login_throttles'))
    )
    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.alter_column('notification_id',
               existing_type=sa.INTEGER(),
               nullable=True)


def downgrade():
    # emails about one's own account belong to no notification: the old schema has no room
    op.execute('DELETE FROM outbox_emails WHERE notification_id IS NULL')
    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.alter_column('notification_id',
               existing_type=sa.INTEGER(),
               nullable=False)

    op.drop_table('login_throttles')
