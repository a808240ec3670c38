"""survey scores: a covering index in (plan, indicator) order for the company-wide satisfaction trend

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 15:32:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('survey_score', schema=None) as batch_op:
        batch_op.create_index('ix_survey_score_plan_indicator',
                              ['plan_id', 'indicator', 'community_id', 'rating_sum', 'rating_count'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('survey_score', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_score_plan_indicator')
