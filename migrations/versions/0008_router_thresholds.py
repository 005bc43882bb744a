"""router threshold settings chosen by `supportbot eval calibrate`, with their history

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 14:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('router_threshold_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('min_confidence', sa.Float(), nullable=True),
    sa.Column('min_similarity', sa.Float(), nullable=True),
    sa.Column('model_version', sa.String(length=50), nullable=True),
    sa.Column('eval_set', sa.Text(), nullable=True),
    sa.Column('eval_set_sha256', sa.String(length=64), nullable=True),
    sa.Column('max_wrong_rate', sa.Float(), nullable=True),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('restores_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['replaces_id'], ['router_threshold_settings.id'], name=op.f('fk_router_threshold_settings_replaces_id_router_threshold_settings')),
    sa.ForeignKeyConstraint(['restores_id'], ['router_threshold_settings.id'], name=op.f('fk_router_threshold_settings_restores_id_router_threshold_settings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_router_threshold_settings'))
    )


def downgrade() -> None:
    op.drop_table('router_threshold_settings')
