"""All configuration, read once from the environment (prefix SUPPORTBOT_) or a .env file."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


EXAMPLE_SCRIPTS = Path(__file__).resolve().parents[1] / "examples" / "scripts"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPPORTBOT_", env_file=".env", env_ignore_empty=True, extra="ignore")

    home: Path = Field(Path("var"), description="Where the embedded default keeps its database and index")
    database_url: SecretStr | None = Field(None, description="SQLAlchemy URL; default: SQLite under home")

    elasticsearch_url: SecretStr | None = Field(None, description="Use Elasticsearch instead of the embedded index")
    elasticsearch_api_key: SecretStr | None = None
    elasticsearch_index: str = "supportbot-chunks"

    embedding_model: str | None = Field(None, description="Path of a sentence-transformers model; default: packaged MiniLM")
    # short overlapping chunks: the encoder matches a question best against a passage of a few
    # sentences, and the overlap keeps a passage that straddles a boundary whole in one chunk
    chunk_words: int = Field(60, ge=20, le=1000)
    chunk_overlap_words: int = Field(30, ge=0, le=500)
    retrieval_top_k: int = Field(10, ge=1, le=100)
    retrieval_candidates: int = Field(30, ge=1, le=500)
    min_evidence_similarity: float = Field(0.45, ge=-1.0, le=1.0)
    max_evidence: int = Field(5, ge=1, le=20)
    new_topic_below: float = Field(
        0.15, ge=-1.0, le=1.0,
        description="A question in a thread with no word pointing back at it (it, that, and...) whose similarity to the thread is below this is searched alone; -1: always with the thread",
    )

    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint; unset: extractive answers")
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(20.0, gt=0)

    scripts_dir: Path = Field(EXAMPLE_SCRIPTS, description="Folder of support scripts (YAML)")
    product_name: str | None = Field(
        None, max_length=80, description='The product the bot supports, named in its greeting ("the Tallyo support bot")'
    )
    script_writer_model: str | None = Field(
        None, description="Model id at the LLM endpoint that rephrases scripted replies (e.g. a fine-tuned one)"
    )

    # Website and Zendesk sources. One Zendesk account serves every zendesk source.
    zendesk_email: str | None = Field(None, description="Zendesk agent email, for zendesk sources")
    zendesk_api_token: SecretStr | None = Field(None, description="That agent's Zendesk API token")
    crawl_timeout_s: float = Field(15.0, gt=0, description="Per web/API request, reading the body included")
    crawl_max_pages: int = Field(1000, ge=1, description="Pages read from one website source per sync")
    crawl_max_page_bytes: int = Field(5 * 1024 * 1024, ge=1024, description="Larger pages are skipped")

    # Background work: celery workers on Redis when set, otherwise threads in this process.
    redis_url: SecretStr | None = Field(None, description="Celery broker, e.g. redis://localhost:6379/0")
    sync_lease_s: float = Field(
        120.0, gt=0, description="A sync whose heartbeat is older than this is taken for dead and taken over"
    )
    sync_due_check_s: float = Field(60.0, gt=0, description="How often the scheduler looks for sources due a sync")
    sync_time_limit_s: int = Field(3600, ge=60, description="A worker stops a sync that runs longer than this")
    sync_batch_size: int = Field(100, ge=1, le=10_000, description="Documents indexed and committed together")

    router_reload_s: float = Field(
        30.0, ge=0, description="How often a running bot checks for a newly activated script model, calibrated thresholds or edited script files"
    )
    max_message_chars: int = Field(4000, ge=100)
    history_turns: int = Field(6, ge=0, le=50)

    # The web app (`supportbot serve`): Slack, Teams, the local web chat and health checks.
    web_host: str = "127.0.0.1"
    web_port: int = Field(8000, ge=1, le=65535)
    web_chat: bool = Field(True, description="Serve the try-it-locally web chat at /")
    answer_workers: int = Field(2, ge=1, le=64, description="Answers computed at once (CPU-bound)")
    admin_users: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated chat users allowed admin commands, e.g. slack:U123,teams:29:1ab"
    )
    escalation_notices_to: str | None = Field(
        None, description="Where escalation notices go: slack:<channel id> or teams:<conversation id>"
    )
    chat_shutdown_drain_s: float = Field(
        30.0, ge=0, description="On shutdown, how long Slack and Teams answers still running may finish before they are cancelled"
    )
    # Slack retries an event it thinks failed; keys are remembered at least this long.
    dedupe_minutes: int = Field(10, ge=10, le=24 * 60)

    slack_bot_token: SecretStr | None = Field(None, description="xoxb-... bot token; Slack is off without it")
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = Field(None, description="xapp-... token: use Socket Mode instead of /slack/events")
    slack_api_url: str | None = Field(None, description="Slack Web API base URL (default https://slack.com/api/)")

    teams_app_id: str | None = Field(None, description="Microsoft App ID; Teams is off without it")
    teams_app_password: SecretStr | None = None
    teams_app_tenant_id: str | None = Field(None, description="For a single-tenant app")
    teams_app_type: str = Field("MultiTenant", pattern="^(MultiTenant|SingleTenant|UserAssignedMSI)$")
    teams_dev_without_auth: bool = Field(
        False, description="Development only: accept Bot Framework requests with no token and no app id"
    )
    # Sovereign clouds (and the local test harness) use another token issuer and signing keys.
    teams_openid_metadata_url: str | None = None
    teams_token_issuer: str | None = None
    teams_notice_service_url: str = Field(
        "https://smba.trafficmanager.net/teams/", description="Bot Connector URL for escalation notices to a Teams channel"
    )
    teams_slow_answer_s: float = Field(10.0, gt=0, description="After this, say 'looking into it' and answer later")

    # The review console at /console (support leads and admins; accounts via `supportbot users add`).
    console: bool = Field(True, description="Serve the review console at /console")
    console_session_hours: float = Field(8.0, gt=0, le=24 * 30, description="A console sign-in lasts this long")
    console_secure_cookies: bool = Field(False, description="Mark console cookies Secure (set when served over HTTPS)")
    console_failed_sign_ins_per_account: int = Field(5, ge=1, description="Wrong passwords before an account is paused")
    console_failed_sign_ins_per_client: int = Field(20, ge=1, description="Wrong passwords before an address is paused")
    console_throttle_minutes: float = Field(15.0, gt=0, description="How long failed sign-ins count and pause")
    console_sla_hours: float = Field(4.0, gt=0, description="An escalation waiting longer than this is overdue")
    console_low_confidence: float = Field(
        0.55, ge=-1.0, le=1.0, description="Traces whose top evidence similarity or script confidence is below this"
    )

    @model_validator(mode="after")
    def _llm_needs_a_model(self) -> Settings:
        if self.llm_base_url and not self.llm_model:
            raise ValueError("SUPPORTBOT_LLM_MODEL must be set when SUPPORTBOT_LLM_BASE_URL is")
        if self.script_writer_model and not self.llm_base_url:
            raise ValueError("SUPPORTBOT_SCRIPT_WRITER_MODEL needs SUPPORTBOT_LLM_BASE_URL")
        return self

    @model_validator(mode="after")
    def _zendesk_needs_both(self) -> Settings:
        if (self.zendesk_email is None) != (self.zendesk_api_token is None):
            raise ValueError("set both SUPPORTBOT_ZENDESK_EMAIL and SUPPORTBOT_ZENDESK_API_TOKEN, or neither")
        return self

    @field_validator("admin_users", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _slack_needs_a_secret(self) -> Settings:
        if self.slack_bot_token and not (self.slack_signing_secret or self.slack_app_token):
            raise ValueError("SUPPORTBOT_SLACK_BOT_TOKEN needs SUPPORTBOT_SLACK_SIGNING_SECRET (or an app token for Socket Mode)")
        return self

    @model_validator(mode="after")
    def _teams_needs_credentials(self) -> Settings:
        if self.teams_app_id and not self.teams_app_password and self.teams_app_type != "UserAssignedMSI":
            raise ValueError("SUPPORTBOT_TEAMS_APP_ID needs SUPPORTBOT_TEAMS_APP_PASSWORD")
        if self.teams_app_type == "SingleTenant" and self.teams_app_id and not self.teams_app_tenant_id:
            raise ValueError("a SingleTenant Teams app needs SUPPORTBOT_TEAMS_APP_TENANT_ID")
        return self

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None

    @property
    def teams_enabled(self) -> bool:
        return bool(self.teams_app_id) or self.teams_dev_without_auth

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{self.embedded_database.resolve()}"

    @property
    def embedded_database(self) -> Path:
        """The SQLite file used when no database URL is set."""
        return self.home / "supportbot.db"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def index_path(self) -> Path:
        return self.home / "index" / "chunks.json"
