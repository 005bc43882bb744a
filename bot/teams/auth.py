"""Bot Framework authentication built from the settings. botbuilder checks every incoming JWT
(signature against the channel's OpenID keys, issuer, audience = our app id, the serviceurl
claim, the channel's endorsement) and signs outgoing connector calls with the app's credentials."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from botbuilder.integration.aiohttp import ConfigurationServiceClientCredentialFactory
from botbuilder.schema import CallerIdConstants
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AppCredentials,
    AuthenticateRequestResult,
    AuthenticationConfiguration,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    BotFrameworkAuthenticationFactory,
    ClaimsIdentity,
    ConnectorFactory,
    ServiceClientCredentialsFactory,
    UserTokenClient,
)

from bot.settings import Settings

log = logging.getLogger(__name__)

OAUTH_SCOPE = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE


def login_url(settings: Settings) -> str:
    tenant = settings.teams_app_tenant_id if settings.teams_app_type == "SingleTenant" else None
    return AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX + (
        tenant or AuthenticationConstants.DEFAULT_CHANNEL_AUTH_TENANT
    )


class _AppConfiguration:
    """The attribute names botbuilder's configuration-driven credential factory reads."""

    def __init__(self, settings: Settings) -> None:
        self.APP_ID = settings.teams_app_id
        self.APP_PASSWORD = settings.teams_app_password.get_secret_value() if settings.teams_app_password else None
        self.APP_TYPE = settings.teams_app_type
        self.APP_TENANTID = settings.teams_app_tenant_id


def app_credentials_factory(settings: Settings) -> ServiceClientCredentialsFactory:
    """Password (MultiTenant / SingleTenant) or managed identity credentials, as botbuilder makes
    them; with no app id, authentication is off (allowed only by teams_dev_without_auth)."""
    return ConfigurationServiceClientCredentialFactory(_AppConfiguration(settings))


class ReusedCredentialsFactory(ServiceClientCredentialsFactory):
    """botbuilder asks for new credentials on every turn, and each new MicrosoftAppCredentials
    has its own MSAL app and token cache, so a token would be fetched for every message. Reusing
    them per (app, scope, login endpoint) fetches one about once an hour."""

    def __init__(self, inner: ServiceClientCredentialsFactory) -> None:
        self._inner = inner
        self._made: dict[tuple, AppCredentials] = {}

    async def is_valid_app_id(self, app_id: str) -> bool:
        return await self._inner.is_valid_app_id(app_id)

    async def is_authentication_disabled(self) -> bool:
        return await self._inner.is_authentication_disabled()

    async def create_credentials(self, app_id, oauth_scope, login_endpoint, validate_authority) -> AppCredentials:
        key = (app_id, oauth_scope, login_endpoint, validate_authority)
        if key not in self._made:
            self._made[key] = await self._inner.create_credentials(app_id, oauth_scope, login_endpoint, validate_authority)
        return self._made[key]


def bot_framework_authentication(
    settings: Settings, credentials: ServiceClientCredentialsFactory
) -> BotFrameworkAuthentication:
    # Always the parameterized form, with the public cloud's values unless the settings name other
    # signing keys or issuer (sovereign clouds, the local test harness): one code path everywhere.
    return BotFrameworkAuthenticationFactory.create(
        validate_authority=True,
        to_channel_from_bot_login_url=login_url(settings),
        to_channel_from_bot_oauth_scope=OAUTH_SCOPE,
        to_bot_from_channel_token_issuer=settings.teams_token_issuer or AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
        oauth_url=AuthenticationConstants.OAUTH_URL,
        to_bot_from_channel_open_id_metadata_url=settings.teams_openid_metadata_url
        or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
        to_bot_from_emulator_open_id_metadata_url=AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
        caller_id=CallerIdConstants.public_azure_channel.value,
        credential_factory=credentials,
        auth_configuration=AuthenticationConfiguration(),
    )


class ReusedClientsAuthentication(BotFrameworkAuthentication):
    """botbuilder makes a new Bot Connector client and a new user token client for every turn. Each
    one builds its HTTP pipeline (msrest's retry policy alone costs milliseconds of CPU, on the
    event loop, so other requests wait) and opens an aiohttp session that nobody closes. These are
    reused per app, service URL and audience instead: one connection pool per Bot Connector,
    closed by close(). Checking the tokens stays with `inner`."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self._clients: dict[tuple, object] = {}

    async def authenticate_request(self, activity, auth_header: str) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _ReusedConnectors(self, result.connector_factory, _app_of(result.claims_identity))
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _ReusedConnectors(self, self._inner.create_connector_factory(claims_identity), _app_of(claims_identity))

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        return await self.reused(("user tokens", _app_of(claims_identity)),
                                 lambda: self._inner.create_user_token_client(claims_identity))

    def create_bot_framework_client(self):
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)

    async def reused(self, key: tuple, create: Callable[[], Awaitable]):
        key = (id(asyncio.get_running_loop()), *key)  # an aiohttp session belongs to the loop it was made on
        if key not in self._clients:
            made = await create()
            if self._clients.setdefault(key, made) is not made:  # another turn made one meanwhile
                await _close(made)
        return self._clients[key]

    async def close(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await _close(client)


class _ReusedConnectors(ConnectorFactory):
    def __init__(self, owner: ReusedClientsAuthentication, inner: ConnectorFactory, app: tuple) -> None:
        self._owner, self._inner, self._app = owner, inner, app

    async def create(self, service_url: str, audience: str = None) -> ConnectorClient:
        return await self._owner.reused(("connector", self._app, service_url, audience),
                                        lambda: self._inner.create(service_url, audience))


def _app_of(claims_identity: ClaimsIdentity | None) -> tuple:
    """What decides the app a client acts for: the audience (channel tokens) or appid (emulator) claim."""
    claims = claims_identity.claims if claims_identity is not None else {}
    return claims.get(AuthenticationConstants.AUDIENCE_CLAIM), claims.get(AuthenticationConstants.APP_ID_CLAIM)


async def _close(client) -> None:
    # botbuilder's user token client has no close of its own: its REST client (msrest, as the
    # connector) is the one with the aiohttp session
    rest_client = client._client if isinstance(client, UserTokenClient) else client
    try:
        await rest_client.__aexit__(None, None, None)
    except Exception:
        log.debug("teams: closing a Bot Framework client failed", exc_info=True)
