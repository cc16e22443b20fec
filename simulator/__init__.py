"""A twin of the Xiaomi MIoT cloud: OAuth, HTTP API, spec service and an MQTT broker."""

from .broker import AsyncMqttClient
from .cloud import Cloud, Device, Fault, Home, Room
from .const import CLIENT_ID, INTERNAL_MQTT_USER
from .core import Simulator

__all__ = [
    "CLIENT_ID",
    "INTERNAL_MQTT_USER",
    "AsyncMqttClient",
    "Cloud",
    "Device",
    "Fault",
    "Home",
    "Room",
    "Simulator",
]
