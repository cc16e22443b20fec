"""Constants shared by the simulator modules."""

from typing import Final

CLIENT_ID: Final = "2882303761520251711"
DEFAULT_UID: Final = 1234567890
DEFAULT_NICKNAME: Final = "Demo User"
INTERNAL_MQTT_USER: Final = "miot-simulator"

# Result codes (protocol.md)
CODE_OK: Final = 0
CODE_VALUE_ERROR: Final = -4005
CODE_ACTION_PARAM_ERROR: Final = -4006
CODE_DID_ERROR: Final = -4007
CODE_BAD_IID: Final = -704083036
CODE_OFFLINE: Final = -704042011
CODE_BAD_ACTION: Final = -704040005

AUTH_CODE_TTL: Final = 600.0
