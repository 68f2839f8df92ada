"""Review and history: duplicate keys and merges on products, revisions, review flags,
zero-result searches and admins' vocabulary terms.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("source", sa.String(100)))
        batch.add_column(sa.Column("canonical_url", sa.Text()))
        batch.add_column(sa.Column("file_hash", sa.String(64)))
        batch.add_column(sa.Column("replaced_by", sa.String(80)))
    op.create_index("ix_products_source", "products", ["source"])
    op.create_index("ix_products_canonical_url", "products", ["canonical_url"])
    op.create_index("ix_products_file_hash", "products", ["file_hash"])
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("product_id", sa.String(80), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_revisions_product_id_id", "revisions", ["product_id", "id"])
    op.create_index("ix_revisions_at", "revisions", ["at"])
    op.create_table(
        "review_flags",
        sa.Column("product_id", sa.String(80), sa.ForeignKey("products.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("other_id", sa.String(80), primary_key=True),
        sa.Column("reason", sa.String(40), primary_key=True),
        sa.Column("detail", sa.Text()),
    )
    op.create_table(
        "search_misses",
        sa.Column("query_key", sa.String(300), primary_key=True),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_at", WHEN, nullable=False),
    )
    op.create_index("ix_search_misses_last_at", "search_misses", ["last_at"])
    op.create_table(
        "vocabulary_terms",
        sa.Column("vocabulary", sa.String(40), primary_key=True),
        sa.Column("term_id", sa.String(80), primary_key=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("changed_at", WHEN, nullable=False),
        sa.Column("changed_by", sa.String(320), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("vocabulary_terms")
    op.drop_table("search_misses")
    op.drop_table("review_flags")
    op.drop_table("revisions")
    for name in ("file_hash", "canonical_url", "source"):
        op.drop_index(f"ix_products_{name}", table_name="products")
    with op.batch_alter_table("products") as batch:
        for name in ("replaced_by", "file_hash", "canonical_url", "source"):
            batch.drop_column(name)
