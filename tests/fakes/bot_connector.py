"""A local fake of the Bot Framework as a bot sees it, on 127.0.0.1:

- the channel's OpenID metadata and signing keys: a locally generated RSA key served as JWKS
  (endorsed for msteams), so tests mint channel tokens that botbuilder validates for real;
- a token endpoint for the bot's outgoing calls (client id + secret -> access token), reached
  through `credentials_factory()` where production botbuilder would ask MSAL;
- the Bot Connector REST API (/v3/conversations/...): records every activity the bot posts,
  with its headers, refuses calls without a token it issued (401) or over Teams' size limit
  (413), and can fail the next posts with 500.

Reusable outside the tests (benchmarks): start()/stop() or a `with` block, `.url`, `.posted()`.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote

import jwt
import requests
from botframework.connector.auth import AppCredentials, MicrosoftAppCredentials, PasswordServiceClientCredentialFactory
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.fakes.threaded_http import ThreadedHttpFake

CHANNEL_ISSUER = "https://api.botframework.com"  # the Bot Framework's issuer for channel tokens
MAX_ACTIVITY_BYTES = 28_000  # Teams refuses bigger messages (413)
_ACTIVITIES = re.compile(r"^/v3/conversations/(?P<conversation>[^/]+)/activities(?:/(?P<activity>[^/]+))?$")
_TOKEN = re.compile(r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/token$")


def new_signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def _channel_key() -> rsa.RSAPrivateKey:
    # One key per process: botbuilder caches each metadata URL's keys for a day, and a later fake
    # on a reused port must not serve a different key under the same kid.
    return new_signing_key()


@dataclass(frozen=True)
class PostedActivity:
    method: str  # POST (new or reply) or PUT (update)
    conversation_id: str
    reply_to_id: str | None  # the activity id in the URL of a reply or update
    activity_id: str  # the id the fake gave it (or the updated one's)
    body: dict
    headers: dict[str, str]  # lower-case names


class _Handler(BaseHTTPRequestHandler):
    fake: FakeBotConnector
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/v1/.well-known/openidconfiguration":
            self._answer(200, self.fake._openid_metadata())
        elif self.path == "/v1/.well-known/keys":
            self._answer(200, self.fake._jwks())
        else:
            self._answer(404, {"error": "not found"})

    def do_POST(self) -> None:  # noqa: N802
        raw = self._body()
        if _TOKEN.match(self.path):
            self._answer(*self.fake._token(parse_qs(raw.decode("utf-8", "replace"))))
        else:
            self._answer(*self.fake._activity("POST", self.path, self._headers(), raw))

    def do_PUT(self) -> None:  # noqa: N802
        self._answer(*self.fake._activity("PUT", self.path, self._headers(), self._body()))

    def _headers(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.headers.items()}

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _answer(self, status: int, payload: dict) -> None:
        if status >= 400:
            with self.fake._lock:
                self.fake.refused.append((self.path, status))
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FakeBotConnector(ThreadedHttpFake):
    handler = _Handler
    thread_name = "fake-bot-connector"

    def __init__(self, app_id: str | None = None, app_password: str | None = None, endorsements=("msteams",)) -> None:
        self.app_id = app_id
        self._app_password = app_password
        self.signing_key = _channel_key()
        self.key_id = "fake-channel-key"
        self.endorsements = list(endorsements)
        self.refused: list[tuple[str, int]] = []  # (path, status) of calls the fake refused
        self.token_requests = 0
        self._activities: list[PostedActivity] = []
        self._issued: set[str] = set()
        self._fail_next = 0
        self._lock = threading.Lock()

    @property
    def service_url(self) -> str:
        """What activities carry as serviceUrl (and tokens as the serviceurl claim)."""
        return self.url + "/"

    @property
    def openid_metadata_url(self) -> str:
        return self.url + "/v1/.well-known/openidconfiguration"

    # --- what tests use
    def mint_token(
        self,
        audience: str | None = None,
        service_url: str | None = None,
        expires_in: float = 3600,
        issuer: str = CHANNEL_ISSUER,
        key: rsa.RSAPrivateKey | None = None,
        key_id: str | None = None,
    ) -> str:
        """A channel token as the Bot Framework signs it for a request to the bot."""
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": audience if audience is not None else self.app_id,
            "serviceurl": service_url if service_url is not None else self.service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": int(now + expires_in),
        }
        return jwt.encode(claims, key or self.signing_key, algorithm="RS256", headers={"kid": key_id or self.key_id})

    def fail_next_post(self, count: int = 1) -> None:
        with self._lock:
            self._fail_next += count

    def posted(self, conversation_id: str | None = None, *, typing: bool = False) -> list[PostedActivity]:
        """What the bot posted (into one conversation); typing signs only when asked for."""
        with self._lock:
            return [
                a
                for a in self._activities
                if (conversation_id is None or a.conversation_id == conversation_id)
                and (a.body.get("type") != "typing") != typing
            ]

    @property
    def token_url(self) -> str:
        """Where the bot's outgoing calls get their token (client credentials)."""
        return f"{self.url}/botframework.com/oauth2/v2.0/token"

    def credentials_factory(self) -> LocalCredentialsFactory:
        return LocalCredentialsFactory(self.app_id, self._app_password, token_url=self.token_url)

    # --- documents
    def _openid_metadata(self) -> dict:
        return {
            "issuer": CHANNEL_ISSUER,
            "authorization_endpoint": f"{self.url}/v1/authorize",
            "jwks_uri": f"{self.url}/v1/.well-known/keys",
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        }

    def _jwks(self) -> dict:
        jwk = RSAAlgorithm.to_jwk(self.signing_key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.key_id, "use": "sig", "endorsements": self.endorsements}]}

    def _token(self, form: dict[str, list[str]]) -> tuple[int, dict]:
        with self._lock:
            self.token_requests += 1
        client_id, secret = form.get("client_id", [""])[0], form.get("client_secret", [""])[0]
        if not self.app_id or client_id != self.app_id or not secrets.compare_digest(secret, self._app_password or ""):
            return 401, {"error": "invalid_client"}
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._issued.add(token)
        return 200, {"token_type": "Bearer", "expires_in": 3600, "access_token": token}

    def _activity(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict]:
        match = _ACTIVITIES.match(path)
        if match is None:
            return 404, {"error": {"code": "NotFound", "message": path}}
        if self.app_id and not self._authorized(headers.get("authorization", "")):
            return 401, {"error": {"code": "Unauthorized", "message": "no valid bot token"}}
        with self._lock:
            if self._fail_next and _activity_type(raw) != "typing":  # fail the next message, not a typing sign
                self._fail_next -= 1
                return 500, {"error": {"code": "ServiceError", "message": "failing as asked"}}
        if len(raw) > MAX_ACTIVITY_BYTES:
            return 413, {"error": {"code": "MessageSizeTooBig", "message": f"{len(raw)} bytes"}}
        reply_to = unquote(match["activity"]) if match["activity"] else None
        with self._lock:
            activity_id = reply_to if method == "PUT" and reply_to else f"bot-{len(self._activities) + 1}"
            self._activities.append(
                PostedActivity(method, unquote(match["conversation"]), reply_to, activity_id, json.loads(raw), headers)
            )
        return (200 if method == "PUT" else 201), {"id": activity_id}

    def _authorized(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        with self._lock:
            return scheme == "Bearer" and token in self._issued


def _activity_type(raw: bytes) -> str | None:
    try:
        return json.loads(raw).get("type")
    except (ValueError, AttributeError):
        return None


class LocalTokenCredentials(AppCredentials):
    """The bot's credentials, getting a token from the fake's token endpoint where
    MicrosoftAppCredentials asks MSAL (which only talks https to login.microsoftonline.com)."""

    def __init__(self, app_id: str, password: str, token_url: str, oauth_scope: str) -> None:
        super().__init__(app_id=app_id, oauth_scope=oauth_scope)
        self._password = password
        self._token_url = token_url
        self._cached: tuple[str, float] | None = None  # (token, monotonic time it is good until)

    def get_access_token(self, force_refresh: bool = False) -> str:
        """Cached until a minute before it expires, as MSAL caches it."""
        if self._cached and not force_refresh and time.monotonic() < self._cached[1]:
            return self._cached[0]
        scope = self.oauth_scope if self.oauth_scope.endswith("/.default") else f"{self.oauth_scope}/.default"
        form = {"grant_type": "client_credentials", "client_id": self.microsoft_app_id, "client_secret": self._password, "scope": scope}
        response = requests.post(self._token_url, data=form, timeout=10)
        response.raise_for_status()
        token = response.json()
        self._cached = (token["access_token"], time.monotonic() + float(token.get("expires_in", 3600)) - 60)
        return self._cached[0]


class LocalCredentialsFactory(PasswordServiceClientCredentialFactory):
    """botbuilder's password factory (same app id checks), handing out LocalTokenCredentials."""

    def __init__(self, app_id: str | None, password: str | None, token_url: str) -> None:
        super().__init__(app_id, password)
        self._token_url = token_url

    async def create_credentials(self, app_id, oauth_scope, login_endpoint, validate_authority) -> AppCredentials:
        if await self.is_authentication_disabled():
            return MicrosoftAppCredentials.empty()
        if not await self.is_valid_app_id(app_id):
            raise PermissionError("Invalid app_id")
        return LocalTokenCredentials(app_id, self.password, self._token_url, oauth_scope)
