"""sync schedules and removal per source; sync runs as locks with heartbeat, progress, trigger and runner

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sources') as batch:
        batch.add_column(sa.Column('sync_every_minutes', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('sync_scheduled_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('removal_requested_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('sync_runs') as batch:
        batch.add_column(sa.Column('trigger', sa.String(length=20), nullable=False, server_default='manual'))
        batch.add_column(sa.Column('task_id', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('runner', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('progress_done', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('progress_total', sa.Integer(), nullable=True))
    with op.batch_alter_table('sync_runs') as batch:
        batch.alter_column('trigger', server_default=None)
        batch.alter_column('progress_done', server_default=None)
    # Runs left "running" by a process that died before runs were locks would block their source.
    op.execute("UPDATE sync_runs SET status = 'abandoned' WHERE status = 'running'")
    op.create_index(
        'uq_sync_runs_one_running_per_source', 'sync_runs', ['source_id'], unique=True,
        sqlite_where=sa.text("status = 'running'"), postgresql_where=sa.text("status = 'running'"),
    )


def downgrade() -> None:
    op.drop_index('uq_sync_runs_one_running_per_source', table_name='sync_runs')
    with op.batch_alter_table('sync_runs') as batch:
        for column in ('progress_total', 'progress_done', 'heartbeat_at', 'runner', 'task_id', 'trigger'):
            batch.drop_column(column)
    with op.batch_alter_table('sources') as batch:
        batch.drop_column('removed_at')
        batch.drop_column('removal_requested_at')
        batch.drop_column('sync_scheduled_at')
        batch.drop_column('sync_every_minutes')
