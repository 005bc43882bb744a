"""connector state: what website and Zendesk sources carry between syncs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 12:56:28.900962
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('connector_states',
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_connector_states_source_id_sources')),
    sa.PrimaryKeyConstraint('source_id', name=op.f('pk_connector_states'))
    )


def downgrade() -> None:
    op.drop_table('connector_states')
