import pytest
from pydantic import ValidationError

from bot.settings import Settings


def test_secrets_never_show_in_repr(monkeypatch):
    monkeypatch.setenv("SUPPORTBOT_LLM_API_KEY", "sk-very-secret")
    monkeypatch.setenv("SUPPORTBOT_DATABASE_URL", "postgresql+psycopg://bot:hunter2@db/supportbot")
    settings = Settings(_env_file=None, llm_base_url="http://127.0.0.1:1/v1", llm_model="m")
    assert "sk-very-secret" not in repr(settings) and "hunter2" not in repr(settings)
    assert settings.llm_api_key.get_secret_value() == "sk-very-secret"
    assert settings.resolved_database_url.endswith("@db/supportbot")


def test_default_database_is_sqlite_under_home(tmp_path):
    settings = Settings(_env_file=None, home=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'supportbot.db'}"


def test_an_llm_endpoint_needs_a_model():
    with pytest.raises(ValidationError, match="SUPPORTBOT_LLM_MODEL"):
        Settings(_env_file=None, llm_base_url="http://127.0.0.1:1/v1")


def test_empty_env_values_count_as_unset(monkeypatch):
    monkeypatch.setenv("SUPPORTBOT_MIN_EVIDENCE_SIMILARITY", "")
    assert Settings(_env_file=None).min_evidence_similarity == 0.45
