"""Build connector objects from config entry data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.storage import STORAGE_DIR

from .const import (
    CONF_BASE_URL,
    CONF_CA_FILE,
    CONF_DEVICE_ID,
    CONF_MQTT_HOST,
    CONF_MQTT_PORT,
    CONF_REDIRECT_URL,
    CONF_REGION,
    CONF_TOKEN,
    DEFAULT_REDIRECT_URL,
    DOMAIN,
    OAUTH_CALLBACK_PATH,
    PUSH_BACKOFF_MAX,
)
from .miot import (
    CloudEndpoints,
    Home,
    MiotAuth,
    MiotCloudClient,
    MiotPushClient,
    OAuthToken,
    SpecService,
)


@dataclass(slots=True)
class AccountInfo:
    """Who signed in and which homes they have."""

    uid: str
    nickname: str
    homes: list[Home]


def build_endpoints(config: Mapping[str, Any]) -> CloudEndpoints:
    """Real hosts of the region, or the overrides from advanced mode."""
    return CloudEndpoints.for_region(
        config[CONF_REGION],
        base_url=config.get(CONF_BASE_URL),
        mqtt_host=config.get(CONF_MQTT_HOST),
        mqtt_port=config.get(CONF_MQTT_PORT),
        ca_file=config.get(CONF_CA_FILE),
    )


def redirect_uri(config: Mapping[str, Any]) -> str:
    """Where Xiaomi sends the browser after the user approved access."""
    return str(config.get(CONF_REDIRECT_URL, DEFAULT_REDIRECT_URL)).rstrip("/") + (
        OAUTH_CALLBACK_PATH
    )


def new_auth(
    hass: HomeAssistant,
    config: Mapping[str, Any],
    token: OAuthToken | None = None,
    on_token_update: Callable[[OAuthToken], None] | None = None,
    session: aiohttp.ClientSession | None = None,
) -> MiotAuth:
    """An auth object for this entry's device id and redirect URI."""
    return MiotAuth(
        session or async_get_clientsession(hass),
        build_endpoints(config),
        device_id=config[CONF_DEVICE_ID],
        redirect_uri=redirect_uri(config),
        token=token,
        on_token_update=on_token_update,
    )


async def async_fetch_account(
    hass: HomeAssistant,
    session: aiohttp.ClientSession,
    config: Mapping[str, Any],
    token: OAuthToken,
) -> AccountInfo:
    """Check the token: the profile gives the account id, then the homes are listed."""
    client = MiotCloudClient(new_auth(hass, config, token, session=session))
    profile = await client.get_user_profile()
    homes = await client.get_homes()
    # The account id is the owner uid of the user's own homes (as the cloud reports it in
    # `gethome`); the profile only has a union id, used when the account has no own home.
    own = [home.uid for home in homes if home.uid and not home.shared]
    return AccountInfo(
        uid=own[0] if own else profile.union_id, nickname=profile.nickname, homes=homes
    )


async def async_build_clients(
    hass: HomeAssistant,
    session: aiohttp.ClientSession,
    config: Mapping[str, Any],
    on_token_update: Callable[[OAuthToken], None],
) -> tuple[MiotCloudClient, SpecService, MiotPushClient]:
    """Cloud client, spec service (disk cache in .storage) and push client of an entry."""
    auth = new_auth(
        hass, config, OAuthToken.from_dict(config[CONF_TOKEN]), on_token_update, session
    )
    endpoints = auth.endpoints
    specs = SpecService(session, endpoints, hass.config.path(STORAGE_DIR, DOMAIN, "specs"))
    # Reconnect attempts back off to at most 30 s, so push is back ≤ 30 s after the broker is.
    push = MiotPushClient(endpoints, auth=auth, backoff_max=PUSH_BACKOFF_MAX)
    return MiotCloudClient(auth), specs, push
