"""listings.price_rank: a stored, indexed sort key for search by price

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 15:00:00.000000

"""
from decimal import Decimal

import sqlalchemy as sa
from alembic import op
from babel.numbers import get_currency_precision
from flask import current_app

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

listings = sa.table(
    'listings',
    sa.column('currency', sa.String),
    sa.column('price_minor', sa.BigInteger),
    sa.column('price_rank', sa.Float),
)
LATEST_RATES = sa.text(
    'SELECT r.currency, r.rate FROM exchange_rates r WHERE r.rate_date = '
    '(SELECT max(x.rate_date) FROM exchange_rates x WHERE x.currency = r.currency)'
)


def _factor_to_base(currency, base, rates):
    """Minor units of `currency` times this are minor units of `base` (None: no rate)."""
    if currency == base:
        return 1.0
    if currency not in rates:
        return None
    scale = Decimal(10) ** (get_currency_precision(base) - get_currency_precision(currency))
    return float(scale / Decimal(str(rates[currency])))


def _rank_existing_listings(connection):
    base = current_app.config['BASE_CURRENCY']
    rates = dict(connection.execute(LATEST_RATES).all())
    for (currency,) in connection.execute(sa.select(listings.c.currency).distinct()).all():
        factor = _factor_to_base(currency, base, rates)
        rank = listings.c.price_minor * factor if factor is not None else float('inf')
        connection.execute(
            listings.update().where(listings.c.currency == currency).values(price_rank=rank)
        )


def upgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_rank', sa.Float(), nullable=True))
    _rank_existing_listings(op.get_bind())
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.alter_column('price_rank', existing_type=sa.Float(), nullable=False)
        batch_op.create_index(
            'ix_listings_price_rank', ['status', 'price_rank', 'id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_index('ix_listings_price_rank')
        batch_op.drop_column('price_rank')
