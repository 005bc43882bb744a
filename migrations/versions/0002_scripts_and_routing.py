"""script engine, channel policies and script models

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 12:51:47.831789
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channel_policies',
    sa.Column('channel', sa.String(length=200), nullable=False),
    sa.Column('policy', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('channel', name=op.f('pk_channel_policies'))
    )
    op.create_table('script_models',
    sa.Column('version', sa.String(length=50), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('data_hash', sa.String(length=64), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('thresholds', sa.JSON(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_script_models'))
    )
    with op.batch_alter_table('answer_traces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('routing', sa.JSON(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('script_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('script_model_version', sa.String(length=50), nullable=True))

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('script_state', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('handled_by', sa.String(length=20), server_default='bot', nullable=False))
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('escalated_at')
        batch_op.drop_column('handled_by')
        batch_op.drop_column('script_state')

    with op.batch_alter_table('answer_traces', schema=None) as batch_op:
        batch_op.drop_column('script_model_version')
        batch_op.drop_column('script_id')
        batch_op.drop_column('routing')

    op.drop_table('script_models')
    op.drop_table('channel_policies')
