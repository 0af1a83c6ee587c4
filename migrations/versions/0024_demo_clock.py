"""demo clock

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 01:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('demo_clock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offset_days', sa.Integer(), nullable=False),
    sa.Column('advanced_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_demo_clock_single_row')),
    sa.CheckConstraint('offset_days >= 0', name=op.f('ck_demo_clock_offset_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demo_clock'))
    )


def downgrade():
    op.drop_table('demo_clock')
