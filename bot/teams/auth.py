"""Bot Framework authentication built from the settings. botbuilder checks every incoming JWT
(signature against the channel's OpenID keys, issuer, audience = our app id, the serviceurl
claim, the channel's endorsement) and signs outgoing connector calls with the app's credentials."""

from __future__ import annotations

from botbuilder.integration.aiohttp import ConfigurationServiceClientCredentialFactory
from botbuilder.schema import CallerIdConstants
from botframework.connector.auth import (
    AppCredentials,
    AuthenticationConfiguration,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    BotFrameworkAuthenticationFactory,
    ServiceClientCredentialsFactory,
)

from bot.settings import Settings

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
