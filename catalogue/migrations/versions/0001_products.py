"""Products, their tags and language versions.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("type", sa.String(60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("full_text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("importer", sa.String(100), nullable=False),
        sa.Column("origin_key", sa.String(64), nullable=True),
        sa.Column("import_hash", sa.String(64), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_changed", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("origin_key"),
    )
    op.create_index("ix_products_status", "products", ["status"])
    op.create_index("ix_products_last_changed", "products", ["last_changed"])
    op.create_table(
        "product_tags",
        sa.Column("product_id", sa.String(80),
                  sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("value", sa.String(80), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index("ix_product_tags_kind_value", "product_tags", ["kind", "value"])
    op.create_table(
        "language_versions",
        sa.Column("product_id", sa.String(80),
                  sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("language", sa.String(12), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("language_versions")
    op.drop_index("ix_product_tags_kind_value", table_name="product_tags")
    op.drop_table("product_tags")
    op.drop_index("ix_products_last_changed", table_name="products")
    op.drop_index("ix_products_status", table_name="products")
    op.drop_table("products")
