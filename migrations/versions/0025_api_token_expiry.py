"""api token expiry: every API token is refused after its expires_at

Tokens issued before this revision had no lifetime. Each one gets the default lifetime
(90 days) counted from the upgrade, not from its creation: cutting off every token older than
90 days at deploy time would break integrations without warning, while a lifetime counted
from now gives their owners the same notice a new token gets.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 09:00:00.000000

"""

from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

EXISTING_TOKENS_VALID_DAYS = 90


def upgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    api_tokens = sa.table("api_tokens", sa.column("expires_at", sa.DateTime(timezone=True)))
    deadline = datetime.now(UTC) + timedelta(days=EXISTING_TOKENS_VALID_DAYS)
    op.execute(
        api_tokens.update().where(api_tokens.c.expires_at.is_(None)).values(expires_at=deadline)
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column(
            "expires_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
