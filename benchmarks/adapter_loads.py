"""How benchmarks/adapters.py speaks to the web app as each chat: the requests it sends (signed
Slack events, Teams activities with minted JWTs), its retries, and where it reads the answers
back (the local fakes of the Slack Web API and the Bot Framework connector, which note when
each call arrived)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path
from typing import Protocol

from slack_sdk.signature import SignatureVerifier

from bot.container import Container
from bot.settings import Settings
from bot.teams.delivery import LOOKING_INTO_IT
from tests.conftest import EXAMPLES, SCRIPTS, add_and_sync_examples
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID, FakeSlackApi

SLACK_SECRET = "bench-signing-secret"
SLACK_CHANNEL = "C_BENCH"

Request = tuple[str, dict, bytes]  # path, headers, body


class ChatLoad(Protocol):
    name: str

    def question(self, key: str, text: str) -> Request: ...

    def retry(self, key: str, attempt: int) -> Request: ...

    def first_answers(self, keys: list[str]) -> dict[str, float]:
        """key -> perf_counter() when the first answer to that question reached the fake."""

    def answer_counts(self, keys: list[str]) -> dict[str, int]: ...


class TimedSlackApi(FakeSlackApi):
    """The fake Slack Web API, noting when each chat.postMessage arrived, by thread."""

    def __init__(self, bot_token: str) -> None:
        super().__init__(bot_token)
        self.posted: dict[str, list[float]] = {}
        self._posted_lock = threading.Lock()

    def _record(self, call) -> None:
        super()._record(call)
        if call.method == "chat.postMessage" and call.status == 200 and call.args.get("thread_ts"):
            with self._posted_lock:
                self.posted.setdefault(call.args["thread_ts"], []).append(time.perf_counter())


class SlackLoad:
    name = "slack"

    def __init__(self, api: TimedSlackApi, settings: Settings) -> None:
        self._api = api
        self._signer = SignatureVerifier(settings.slack_signing_secret.get_secret_value())
        self._bodies: dict[str, bytes] = {}
        self._ts: dict[str, str] = {}
        self._counter = 0

    @staticmethod
    def fake() -> TimedSlackApi:
        return TimedSlackApi("xoxb-bench-token")

    def question(self, key: str, text: str) -> Request:
        self._counter += 1
        ts = f"{1_700_000_000 + self._counter}.{self._counter:06d}"
        event = {
            "type": "app_mention", "user": "U_BENCH", "text": f"<@{BOT_USER_ID}> {text}",
            "ts": ts, "channel": SLACK_CHANNEL, "event_ts": ts, "channel_type": "channel",
        }
        envelope = {
            "token": "unused", "team_id": TEAM_ID, "api_app_id": "A_BENCH", "type": "event_callback",
            "event_id": f"Ev{key}", "event_time": int(time.time()), "event": event,
        }
        self._bodies[key] = json.dumps(envelope).encode()
        self._ts[key] = ts
        return self._signed(key, {})

    def retry(self, key: str, attempt: int) -> Request:
        return self._signed(key, {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"})

    def _signed(self, key: str, extra: dict) -> Request:
        body = self._bodies[key]
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": self._signer.generate_signature(timestamp=timestamp, body=body),
            **extra,
        }
        return "/slack/events", headers, body

    def first_answers(self, keys: list[str]) -> dict[str, float]:
        posted = self._api.posted
        return {k: posted[self._ts[k]][0] for k in keys if posted.get(self._ts[k])}

    def answer_counts(self, keys: list[str]) -> dict[str, int]:
        return {k: len(self._api.posted.get(self._ts[k], [])) for k in keys}


def bench_settings(home: Path, slack_api: TimedSlackApi, connector: TimedBotConnector) -> dict[str, str]:
    """The embedded default in `home` with both chats pointed at the local fakes (Settings fields)."""
    return {
        "home": str(home / "var"),
        "slack_bot_token": slack_api.bot_token,
        "slack_signing_secret": SLACK_SECRET,
        "slack_api_url": slack_api.api_url,
        **TeamsLoad.settings(connector),
    }


def prepare_home(settings: dict[str, str], script_model: Path | None = None) -> Container:
    """The example knowledge synced and a script model active: `script_model` (a saved model
    directory), or the example scripts' model trained here for two epochs."""
    from bot.training_data import gather_training_data
    from strategies.script_model import TrainingConfig, save_classifier, train_classifier
    from strategies.scripts import load_scripts

    home = Path(settings["home"])
    container = Container(Settings(_env_file=None, **settings))
    container.init_db()
    add_and_sync_examples(container, EXAMPLES / "help-center")
    if script_model is None:
        scripts = load_scripts(SCRIPTS)
        data = gather_training_data(scripts, [], [], SCRIPTS)
        trained = train_classifier(data.examples, out_of_scope=data.out_of_scope, config=TrainingConfig(epochs=2, seed=7))
        script_model = save_classifier(trained, home / "models" / "v-bench", "v-bench")
    container.script_models.register(script_model, activate=True)
    return container


TEAMS_APP_ID = "00000000-0000-4000-8000-0000000be7c4"
TEAMS_APP_PASSWORD = "bench-app-password"
TEAMS_TENANT = "00000000-0000-4000-8000-00000000aaaa"


class TimedBotConnector(FakeBotConnector):
    """The fake connector, noting when each answer (not a looking-into-it note) arrived, by conversation."""

    def __init__(self) -> None:
        super().__init__(TEAMS_APP_ID, TEAMS_APP_PASSWORD)
        self.posted_at: dict[str, list[float]] = {}
        self._posted_lock = threading.Lock()

    def _activity(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict]:
        status, body = super()._activity(method, path, headers, raw)
        activity = json.loads(raw)
        if method == "POST" and status == 201 and activity.get("type") == "message" and activity.get("text") != LOOKING_INTO_IT:
            conversation = activity["conversation"]["id"]
            with self._posted_lock:
                self.posted_at.setdefault(conversation, []).append(time.perf_counter())
        return status, body


class TeamsLoad:
    name = "teams"

    def __init__(self, connector: TimedBotConnector, settings: Settings) -> None:
        self._connector = connector
        self._activities: dict[str, dict] = {}

    @staticmethod
    def fake() -> TimedBotConnector:
        return TimedBotConnector()

    @staticmethod
    def settings(connector: TimedBotConnector) -> dict:
        return {
            "teams_app_id": TEAMS_APP_ID,
            "teams_app_password": TEAMS_APP_PASSWORD,
            "teams_openid_metadata_url": connector.openid_metadata_url,
        }

    def question(self, key: str, text: str) -> Request:
        user = f"bench-{key}"
        self._activities[key] = {
            "type": "message",
            "id": f"1{uuid.uuid5(uuid.NAMESPACE_URL, key).int % 10**15:015d}",
            "serviceUrl": self._connector.service_url,
            "channelId": "msteams",
            "from": {"id": f"29:{user}", "name": user, "aadObjectId": str(uuid.uuid5(uuid.NAMESPACE_URL, user))},
            "conversation": {"id": f"a:1{key}", "conversationType": "personal", "tenantId": TEAMS_TENANT},
            "recipient": {"id": f"28:{TEAMS_APP_ID}", "name": "supportbot"},
            "channelData": {"tenant": {"id": TEAMS_TENANT}},
            "text": text,
            "textFormat": "plain",
        }
        return self._request(key)

    def retry(self, key: str, attempt: int) -> Request:
        return self._request(key)  # the Bot Framework re-sends the same activity

    def _request(self, key: str) -> Request:
        activity = self._activities[key]
        token = self._connector.mint_token(audience=TEAMS_APP_ID, service_url=activity["serviceUrl"])
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        return "/api/messages", headers, json.dumps(activity).encode()

    def first_answers(self, keys: list[str]) -> dict[str, float]:
        posted = self._connector.posted_at
        return {k: posted[f"a:1{k}"][0] for k in keys if posted.get(f"a:1{k}")}

    def answer_counts(self, keys: list[str]) -> dict[str, int]:
        return {k: len(self._connector.posted_at.get(f"a:1{k}", [])) for k in keys}
