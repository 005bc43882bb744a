"""trace reviews

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 13:12:23.633931
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('trace_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trace_id', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reviewer', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['trace_id'], ['answer_traces.id'], name=op.f('fk_trace_reviews_trace_id_answer_traces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trace_reviews'))
    )
    with op.batch_alter_table('trace_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trace_reviews_trace_id'), ['trace_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('trace_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trace_reviews_trace_id'))

    op.drop_table('trace_reviews')
