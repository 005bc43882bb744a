"""All configuration, read once from the environment (prefix SUPPORTBOT_) or a .env file."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint; unset: extractive answers")
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(20.0, gt=0)

    max_message_chars: int = Field(4000, ge=100)
    history_turns: int = Field(6, ge=0, le=50)

    @model_validator(mode="after")
    def _llm_needs_a_model(self) -> Settings:
        if self.llm_base_url and not self.llm_model:
            raise ValueError("SUPPORTBOT_LLM_MODEL must be set when SUPPORTBOT_LLM_BASE_URL is")
        return self

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.home / 'supportbot.db').resolve()}"

    @property
    def index_path(self) -> Path:
        return self.home / "index" / "chunks.json"
