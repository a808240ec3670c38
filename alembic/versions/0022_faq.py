"""the FAQ assistant 常见问题自动回复: entries per community or company-wide, phrasings, synonyms, the query log;
the faq permissions

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 09:24:31
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from pm_admin.core.migration_grants import grant_permissions, revoke_permissions

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# permission code -> roles holding it
GRANTS = {"faq.view": ("manager", "cs", "steward", "executive"),
          "faq.manage": ("manager", "cs")}


def upgrade() -> None:
    grant_permissions(GRANTS)
    op.create_table('faq_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('question', sa.String(length=200), nullable=False),
    sa.Column('answer', sa.String(length=4000), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('owner_name', sa.String(length=64), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('faq_entry', schema=None) as batch_op:
        batch_op.create_index('ix_faq_entry_community_active', ['community_id', 'is_active'], unique=False)

    op.create_table('faq_synonym',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('word', sa.String(length=20), nullable=False),
    sa.Column('canonical', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('faq_synonym', schema=None) as batch_op:
        batch_op.create_index('ix_faq_synonym_community_word', ['community_id', 'word'], unique=False)

    op.create_table('faq_phrasing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['faq_entry.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('faq_phrasing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_faq_phrasing_entry_id'), ['entry_id'], unique=False)

    op.create_table('faq_query',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('asked', sa.String(length=500), nullable=False),
    sa.Column('channel', sa.Enum('portal', 'api', 'staff', name='askchannel', native_enum=False, length=8), nullable=False),
    sa.Column('asker', sa.String(length=64), nullable=False),
    sa.Column('best_entry_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('band', sa.Enum('high', 'middle', 'low', 'ticket', name='band', native_enum=False, length=8), nullable=False),
    sa.Column('outcome', sa.Enum('answered', 'proposed', 'ticket_offered', 'chosen', 'ticket_opened', name='queryoutcome', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('handled_by', sa.String(length=64), nullable=False),
    sa.Column('handled_entry_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['best_entry_id'], ['faq_entry.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['handled_entry_id'], ['faq_entry.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('faq_query', schema=None) as batch_op:
        batch_op.create_index('ix_faq_query_band_handled', ['band', 'handled_at'], unique=False)
        batch_op.create_index('ix_faq_query_community_created', ['community_id', 'created_at'], unique=False)



def downgrade() -> None:
    revoke_permissions(GRANTS)
    with op.batch_alter_table('faq_query', schema=None) as batch_op:
        batch_op.drop_index('ix_faq_query_community_created')
        batch_op.drop_index('ix_faq_query_band_handled')

    op.drop_table('faq_query')
    with op.batch_alter_table('faq_phrasing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_faq_phrasing_entry_id'))

    op.drop_table('faq_phrasing')
    with op.batch_alter_table('faq_synonym', schema=None) as batch_op:
        batch_op.drop_index('ix_faq_synonym_community_word')

    op.drop_table('faq_synonym')
    with op.batch_alter_table('faq_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_faq_entry_community_active')

    op.drop_table('faq_entry')
