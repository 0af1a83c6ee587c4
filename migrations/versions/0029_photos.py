"""photos of warehouses and listings: three renditions each, ordered, one cover per parent

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-08 00:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=True),
        sa.Column("listing_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("alt_text", sa.String(length=200), nullable=False),
        sa.Column("is_cover", sa.Boolean(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("original_file_id", sa.Integer(), nullable=False),
        sa.Column("display_file_id", sa.Integer(), nullable=False),
        sa.Column("thumb_file_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(warehouse_id IS NULL) <> (listing_id IS NULL)", name=op.f("ck_photos_one_parent")
        ),
        sa.CheckConstraint("position >= 0", name=op.f("ck_photos_position_not_negative")),
        sa.CheckConstraint("length(alt_text) > 0", name=op.f("ck_photos_alt_text_given")),
        sa.CheckConstraint("width > 0 AND height > 0", name=op.f("ck_photos_size_positive")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_photos_warehouse_id_warehouses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_photos_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["original_file_id"],
            ["stored_files.id"],
            name=op.f("fk_photos_original_file_id_stored_files"),
        ),
        sa.ForeignKeyConstraint(
            ["display_file_id"],
            ["stored_files.id"],
            name=op.f("fk_photos_display_file_id_stored_files"),
        ),
        sa.ForeignKeyConstraint(
            ["thumb_file_id"],
            ["stored_files.id"],
            name=op.f("fk_photos_thumb_file_id_stored_files"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_photos_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
        sa.UniqueConstraint(
            "warehouse_id", "position", name=op.f("uq_photos_warehouse_id_position")
        ),
        sa.UniqueConstraint("listing_id", "position", name=op.f("uq_photos_listing_id_position")),
    )
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_photos_warehouse_id"), ["warehouse_id"])
        batch_op.create_index(batch_op.f("ix_photos_listing_id"), ["listing_id"])
        for parent in ("warehouse_id", "listing_id"):
            where = sa.text(f"is_cover AND {parent} IS NOT NULL")
            batch_op.create_index(
                f"uq_photos_{parent}_cover",
                [parent],
                unique=True,
                postgresql_where=where,
                sqlite_where=where,
            )


def downgrade():
    op.drop_table("photos")
