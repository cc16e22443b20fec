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

CONF_HOMES: Final = "homes"
CONF_POLL_INTERVAL: Final = "poll_interval"
CONF_PUSH: Final = "push"
CONF_EXCLUDED_DEVICES: Final = "excluded_devices"
CONF_SYNC_AREAS: Final = "sync_areas"

REGIONS: Final = ("cn", "de", "i2", "ru", "sg", "us")
LANGUAGES: Final = ("en", "zh-Hans")

DEFAULT_REGION: Final = "de"
DEFAULT_LANGUAGE: Final = "en"
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
