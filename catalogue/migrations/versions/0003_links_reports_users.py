"""Link checks, users' problem reports, curator accounts and throttle events.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "link_checks",
        sa.Column("url", sa.Text(), primary_key=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer()),
        sa.Column("final_url", sa.Text()),
        sa.Column("error", sa.Text()),
        sa.Column("checked_at", WHEN, nullable=False),
        sa.Column("last_ok_at", WHEN),
    )
    op.create_index("ix_link_checks_checked_at", "link_checks", ["checked_at"])
    op.create_table(
        "problem_reports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("product_id", sa.String(80),
                  sa.ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(320)),
        sa.Column("language", sa.String(12)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("resolved_at", WHEN),
        sa.Column("resolved_by", sa.String(320)),
        sa.Column("resolution", sa.Text()),
    )
    op.create_index("ix_problem_reports_product_id", "problem_reports", ["product_id"])
    op.create_index("ix_problem_reports_status", "problem_reports", ["status"])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("last_login_at", WHEN),
    )
    op.create_table(
        "throttle_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("at", WHEN, nullable=False),
    )
    op.create_index("ix_throttle_events_key_at", "throttle_events", ["key", "at"])


def downgrade() -> None:
    op.drop_table("throttle_events")
    op.drop_table("users")
    op.drop_table("problem_reports")
    op.drop_table("link_checks")
