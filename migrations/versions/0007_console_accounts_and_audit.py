"""review console: accounts, sessions, sign-in attempts, audit log; dispute judging and
escalation closing columns; trace-list indexes for keyset pagination

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 13:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_TRACE_LIST_INDEXES = {
    'ix_answer_traces_created_at_id': ['created_at', 'id'],
    'ix_answer_traces_channel_created_at': ['channel', 'created_at', 'id'],
    'ix_answer_traces_strategy_created_at': ['strategy', 'created_at', 'id'],
    'ix_answer_traces_outcome_created_at': ['outcome', 'created_at', 'id'],
}


def upgrade() -> None:
    op.create_table('console_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_accounts')),
    sa.UniqueConstraint('name', name=op.f('uq_console_accounts_name'))
    )
    op.create_table('console_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['console_accounts.id'], name=op.f('fk_console_sessions_account_id_console_accounts')),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_console_sessions'))
    )
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_sessions_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_console_sessions_expires_at'), ['expires_at'], unique=False)

    op.create_table('console_sign_in_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_name', sa.String(length=200), nullable=False),
    sa.Column('client_address', sa.String(length=100), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_sign_in_attempts'))
    )
    with op.batch_alter_table('console_sign_in_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_sign_in_attempts_account_name'), ['account_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_console_sign_in_attempts_client_address'), ['client_address'], unique=False)
        batch_op.create_index(batch_op.f('ix_console_sign_in_attempts_created_at'), ['created_at'], unique=False)

    op.create_table('console_audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('target', sa.String(length=300), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('client_address', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_audit_log'))
    )
    with op.batch_alter_table('console_audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_console_audit_log_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_console_audit_log_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_console_audit_log_target'), ['target'], unique=False)

    with op.batch_alter_table('disputes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('judged_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('judged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('correction_posted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('promoted_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_as', sa.String(length=20), nullable=True))

    for name, columns in _TRACE_LIST_INDEXES.items():
        op.create_index(name, 'answer_traces', columns, unique=False)


def downgrade() -> None:
    for name in _TRACE_LIST_INDEXES:
        op.drop_index(name, table_name='answer_traces')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_column('closed_as')
    with op.batch_alter_table('disputes', schema=None) as batch_op:
        for column in ('promoted_at', 'correction_posted_at', 'judged_at', 'judged_by'):
            batch_op.drop_column(column)
    op.drop_table('console_audit_log')
    op.drop_table('console_sign_in_attempts')
    op.drop_table('console_sessions')
    op.drop_table('console_accounts')
