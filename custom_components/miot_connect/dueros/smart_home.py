"""One DuerOS message in, one out: token check, discovery, dispatch to the handler registry."""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.core import Context, HomeAssistant
import jwt

from . import queries  # noqa: F401  (registers the Query handlers)
from .config import DuerOSConfig
from .const import (
    ERR_DRIVER_INTERNAL,
    ERR_EXPIRED_TOKEN,
    ERR_INVALID_TOKEN,
    ERR_UNSUPPORTED_OPERATION,
    MAX_APPLIANCES,
    MAX_GROUPS,
    NAMESPACE_CONTROL,
    NAMESPACE_DISCOVERY,
    PAYLOAD_VERSION,
)
from .handlers import HANDLERS, check_mode, required_action
from .messages import Directive, DuerOSError, Response, build_message, unexpected

_LOGGER = logging.getLogger(__name__)


def discover(config: DuerOSConfig) -> Response:
    """DiscoverAppliancesResponse: exposed entities, and areas as groups."""
    exposed = config.exposed()
    if len(exposed) > MAX_APPLIANCES:
        _LOGGER.warning(
            "DuerOS takes at most %s appliances; %s are exposed, so the last %s (by entity id)"
            " are left out of discovery",
            MAX_APPLIANCES,
            len(exposed),
            len(exposed) - MAX_APPLIANCES,
        )
    entities = exposed[:MAX_APPLIANCES]
    groups: dict[str, list[str]] = {}
    appliances = []
    for entity in entities:
        appliance = entity.appliance()
        appliances.append(appliance)
        if room := appliance["additionalApplianceDetails"].get("room"):
            groups.setdefault(room, []).append(entity.entity_id)
    discovered_groups = [
        {
            "groupName": name,
            "applianceIds": ids,
            "groupNotes": f"{name} (Home Assistant)",
            "additionalGroupDetails": {},
        }
        for name, ids in sorted(groups.items())[:MAX_GROUPS]
    ]
    return Response({"discoveredAppliances": appliances, "discoveredGroups": discovered_groups})


async def async_handle_message(
    hass: HomeAssistant, config: DuerOSConfig, body: Any
) -> dict[str, Any]:
    """Answer one request body; never raises (errors become the protocol's error names)."""
    namespace = NAMESPACE_CONTROL
    version = PAYLOAD_VERSION
    try:
        directive = Directive.from_body(body)
        namespace, version = directive.namespace, directive.payload_version
        response = await _async_dispatch(hass, config, directive)
        name = response.name or directive.response_name()
        return build_message(namespace, name, response.payload, version)
    except DuerOSError as err:
        return build_message(namespace, err.name, err.payload, version)
    except Exception:
        _LOGGER.exception("DuerOS request failed")
        return build_message(namespace, ERR_DRIVER_INTERNAL, {}, version)


def _token_error(hass: HomeAssistant, token: str | None) -> str:
    """ExpiredAccessTokenError for a genuine token past its lifetime whose grant still stands
    (DuerOS then refreshes it); InvalidAccessTokenError for anything else (unlinked, revoked,
    foreign, garbage)."""
    if not token:
        return ERR_INVALID_TOKEN
    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        refresh_token = hass.auth.async_get_refresh_token(str(issuer))
        if refresh_token is None or not refresh_token.user.is_active:
            return ERR_INVALID_TOKEN
        jwt.decode(
            token,
            refresh_token.jwt_key,
            algorithms=["HS256"],
            issuer=refresh_token.id,
            options={"verify_exp": False},
        )
    except jwt.InvalidTokenError:
        return ERR_INVALID_TOKEN
    return ERR_EXPIRED_TOKEN


async def _async_dispatch(
    hass: HomeAssistant, config: DuerOSConfig, directive: Directive
) -> Response:
    token = directive.access_token
    refresh_token = hass.auth.async_validate_access_token(token) if token else None
    if refresh_token is None:
        raise DuerOSError(_token_error(hass, token))
    if directive.namespace == NAMESPACE_DISCOVERY:
        if directive.name != "DiscoverAppliancesRequest":
            raise DuerOSError(ERR_UNSUPPORTED_OPERATION)
        if isinstance(open_uid := directive.payload.get("openUid"), str) and open_uid:
            config.open_uid_seen(open_uid)
        return discover(config)
    handler = HANDLERS.get(directive.name)
    if handler is None:
        raise DuerOSError(ERR_UNSUPPORTED_OPERATION)
    entity = config.appliance(directive.appliance_id)
    action = required_action(directive.name)
    if action is not None and action not in entity.actions():
        raise DuerOSError(ERR_UNSUPPORTED_OPERATION)
    check_mode(entity, directive)
    context = Context(user_id=refresh_token.user.id)
    return await handler(hass, directive, entity, context)


__all__ = ["async_handle_message", "discover", "unexpected"]
