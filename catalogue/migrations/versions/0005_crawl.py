"""Crawling: the URLs each source has met (frontier, validators, links) and the runs'
reports.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "crawl_urls",
        sa.Column("source", sa.String(100), primary_key=True),
        sa.Column("url", sa.String(2048), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.String(100)),
        sa.Column("links", sa.JSON()),
        sa.Column("product_id", sa.String(80)),
        sa.Column("queued_at", sa.Integer(), nullable=False),
        sa.Column("fetched_at", WHEN),
    )
    op.create_index("ix_crawl_urls_source_round_state", "crawl_urls", ["source", "round", "state"])
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("round", sa.Integer()),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("finished_at", WHEN),
        sa.Column("summary", sa.Text()),
        sa.Column("report", sa.JSON()),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_import_runs_source_id", "import_runs", ["source", "id"])


def downgrade() -> None:
    op.drop_table("import_runs")
    op.drop_table("crawl_urls")
