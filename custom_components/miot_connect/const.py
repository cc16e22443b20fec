"""Constants of the MIoT Connect integration."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

DOMAIN: Final = "miot_connect"

CONF_REGION: Final = "region"
CONF_LANGUAGE: Final = "language"
CONF_TOKEN: Final = "token"
CONF_DEVICE_ID: Final = "device_id"
CONF_UID: Final = "uid"
CONF_BASE_URL: Final = "base_url"
CONF_MQTT_HOST: Final = "mqtt_host"
CONF_MQTT_PORT: Final = "mqtt_port"
CONF_CA_FILE: Final = "ca_file"
CONF_REDIRECT_URL: Final = "redirect_url"
# Where a LAN twin lists each device's host and port (the simulator's /_sim/lan); not needed for
# real devices, which answer at the cloud's local_ip on port 54321.
CONF_LAN_DIRECTORY: Final = "lan_directory"

CONF_HOMES: Final = "homes"
CONF_POLL_INTERVAL: Final = "poll_interval"
CONF_PUSH: Final = "push"
CONF_EXCLUDED_DEVICES: Final = "excluded_devices"
CONF_SYNC_AREAS: Final = "sync_areas"
# Options of local control (a section of the options form).
SECTION_LOCAL_CONTROL: Final = "local_control"
CONF_LAN_MODE: Final = "lan_mode"
CONF_LAN_CLOUD_DEVICES: Final = "cloud_only_devices"
CONF_LAN_LOCAL_DEVICES: Final = "local_only_devices"

REGIONS: Final = ("cn", "de", "i2", "ru", "sg", "us")
# Languages of the UI translations and of device names (Home Assistant language codes).
LANGUAGES: Final = (
    "en",
    "zh-Hans",
    "zh-Hant",
    "de",
    "fr",
    "es",
    "ja",
    "ko",
    "ru",
    "pt-BR",
    "it",
    "nl",
    "pl",
    "tr",
    "uk",
    "vi",
    "cs",
)

DEFAULT_REGION: Final = "de"
DEFAULT_LANGUAGE: Final = "en"


def default_language(ha_language: str) -> str:
    """The language choice closest to Home Assistant's language (`zh-TW` → zh-Hant)."""
    lower = ha_language.strip().lower()
    if lower.startswith("zh"):
        traditional = ("hant", "tw", "hk", "mo")
        return "zh-Hant" if any(part in traditional for part in lower.split("-")) else "zh-Hans"
    by_lower = {code.lower(): code for code in LANGUAGES}
    if lower in by_lower:
        return by_lower[lower]
    if lower.startswith("pt"):
        return "pt-BR"
    return by_lower.get(lower.split("-", 1)[0], DEFAULT_LANGUAGE)


DEFAULT_POLL_INTERVAL: Final = 60
MIN_POLL_INTERVAL: Final = 10
MAX_POLL_INTERVAL: Final = 3600
DEFAULT_REDIRECT_URL: Final = "http://homeassistant.local:8123"

OAUTH_CALLBACK_PATH: Final = "/api/miot_connect/oauth/callback"

DEVICE_LIST_REFRESH: Final = timedelta(minutes=10)
PUSH_DOWN_REPAIR_AFTER: Final = timedelta(minutes=10)
# Outage policy: after this many failed cloud reads in a row (or at once when the sign-in is
# refused) values are no longer trusted: entities are unavailable unless push is connected.
OUTAGE_AFTER_FAILED_READS: Final = 2
# While reads fail, the next attempt comes this soon (instead of the poll interval).
OUTAGE_RETRY: Final = timedelta(seconds=15)
# Longest wait between two push reconnect attempts (seconds, jittered down to half).
PUSH_BACKOFF_MAX: Final = 30.0
# A device that just went missing from the list is checked again this soon (a glitch heals
# within this time instead of the ten-minute list refresh).
MISSING_RECHECK: Final = timedelta(seconds=30)
# A device missing from the cloud's device list is kept (unavailable) this long before it is
# removed with its entities; one glitchy answer must not delete what the user set on it.
DEVICE_MISSING_GRACE: Final = timedelta(hours=24)
# Setup's cloud part (homes, device list, specs) gives up after this long, so that a slow cloud
# never holds Home Assistant's start: the entry is retried later (Home Assistant's backoff).
SETUP_CLOUD_TIMEOUT: Final = 60.0
# Entities are created with their first values when these come within this long; otherwise
# they are created at once and the values follow (the read goes on in the background).
FIRST_VALUES_WAIT: Final = 10.0

# Countries (ISO 3166-1 alpha-2) mapped to the Xiaomi cloud region that serves them.
COUNTRY_REGIONS: Final[dict[str, str]] = {
    "CN": "cn",
    "HK": "sg",
    "TW": "sg",
    "IN": "i2",
    "RU": "ru",
    "US": "us",
    "CA": "us",
    "MX": "us",
    "BR": "us",
    "SG": "sg",
    "MY": "sg",
    "TH": "sg",
    "VN": "sg",
    "ID": "sg",
    "PH": "sg",
    "JP": "sg",
    "KR": "sg",
    "AU": "sg",
    "NZ": "sg",
}

CONF_VOICE_ALIASES: Final = "voice_aliases"
CONF_VOICE_SPEAKER: Final = "voice_speaker"

# Xiaoai speakers: the spec service and its actions, by urn name.
SPEAKER_SERVICE: Final = "intelligent-speaker"
PLAY_TEXT: Final = "play-text"
EXECUTE_TEXT: Final = "execute-text-directive"

# Xiaoai listening (MiNA): the credential lives in the entry's data, the choices in its options.
CONF_XIAOAI: Final = "xiaoai"
CONF_XIAOAI_LISTEN: Final = "xiaoai_listen"
CONF_XIAOAI_ROUTE: Final = "xiaoai_route"
CONF_XIAOAI_PREFIX: Final = "xiaoai_prefix"
EVENT_XIAOAI_HEARD: Final = "miot_connect_xiaoai_heard"
