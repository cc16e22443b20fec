"""The aiohttp application: OAuth, HTTP API, spec service and the `/_sim/` control API."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
import contextlib
from contextvars import ContextVar
import html
import json
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from aiohttp import web
from cryptography import x509
from cryptography.x509.oid import NameOID

from .cloud import AuthError, Cloud, Fault, NotFoundError
from .lan import LanTwin
from .spec import TEMPLATE_KINDS, JsonDict, SpecError

CLOUD_KEY: Final = web.AppKey("cloud", Cloud)
STOPPING_KEY: Final = web.AppKey("stopping", asyncio.Event)
RESTART_KEY: Final = web.AppKey[Callable[[], Awaitable[None]]]("restart_broker")
BROKER_RUN_KEY: Final = web.AppKey[Callable[[bool], Awaitable[None]]]("run_broker")
TIMEOUT_KEY: Final = web.AppKey("fault_timeout", float)
TOKENS_SYNCED_KEY: Final = web.AppKey[Callable[[], Awaitable[None]]]("tokens_synced")
# Signs a PEM certificate signing request with the simulator's CA (raises ValueError).
CSR_SIGNER_KEY: Final = web.AppKey[Callable[[bytes], str]]("csr_signer")
LAN_KEY: Final = web.AppKey("lan", LanTwin)
# Set by handlers that change tokens: the broker reload is then awaited, not waited for blocking.
DEFER_BROKER_RELOAD: ContextVar[bool] = ContextVar("defer_broker_reload", default=False)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def ok(result: Any) -> web.Response:
    """The cloud's success envelope."""
    return web.json_response({"code": 0, "message": "ok", "result": result})


def unauthorized() -> web.Response:
    """HTTP 401, as the cloud answers an invalid or expired token."""
    return web.json_response({"code": 401, "message": "unauthorized"}, status=401)


def bad_request(message: str) -> web.Response:
    """HTTP 400 with a JSON error."""
    return web.json_response({"code": -1, "message": message}, status=400)


def _cloud(request: web.Request) -> Cloud:
    return request.app[CLOUD_KEY]


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer"):
        return None
    return header[len("Bearer") :].strip() or None


async def _json_body(request: web.Request) -> JsonDict:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="invalid JSON body") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="JSON object expected")
    return body


@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count requests and apply injected faults (not to `/_sim/`)."""
    path = request.path
    if path.startswith("/_sim/"):
        return await handler(request)
    cloud = _cloud(request)
    cloud.http_counts[path] += 1
    fault = cloud.take_fault(path)
    if fault is None:
        return await handler(request)
    return await _apply_fault(request, handler, fault)


async def _apply_fault(request: web.Request, handler: Handler, fault: Fault) -> web.StreamResponse:
    if fault.late:
        response = await handler(request)
        await asyncio.sleep(fault.latency)
        return response
    if fault.latency:
        await asyncio.sleep(fault.latency)
    if fault.timeout:
        stopping = request.app[STOPPING_KEY]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), request.app[TIMEOUT_KEY])
        return web.Response(status=504, text="gateway timeout")
    if fault.status is not None:
        return web.Response(status=fault.status, text=f"simulated error {fault.status}")
    if fault.rate_limit:
        body = {"code": 429, "message": "too many requests"}
        return web.json_response(body, status=429, headers={"Retry-After": "1"})
    if fault.malformed:
        return web.Response(
            text='{"code": 0, "message": "ok", "result": [', content_type="application/json"
        )
    return await handler(request)


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Check `Authorization: Bearer<token>` and `X-Client-AppId` on `/app/v2/` calls."""
    path = request.path
    if path.startswith("/app/v2/") and path != "/app/v2/ha/oauth/get_token":
        cloud = _cloud(request)
        if request.headers.get("X-Client-AppId") != cloud.client_id:
            return unauthorized()
        if not cloud.access_ok(_bearer(request)):
            return unauthorized()
    return await handler(request)


# --------------------------------------------------------------------------- OAuth
_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Xiaomi Account (simulated)</title></head>
<body><h1>Authorize MIoT Connect</h1>
<p>Allow the application {client_id} to access the homes and devices of {nick}?</p>
<p><a id="authorize" href="{href}">Authorize</a></p></body></html>
"""
_REQUIRED = ("redirect_uri", "client_id", "response_type", "device_id", "state")


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


async def authorize(request: web.Request) -> web.StreamResponse:
    """The OAuth authorize page."""
    cloud = _cloud(request)
    query = request.query
    missing = [name for name in _REQUIRED if not query.get(name)]
    if missing:
        return web.Response(status=400, text=f"missing parameters: {', '.join(missing)}")
    if query["client_id"] != cloud.client_id or query["response_type"] != "code":
        return web.Response(status=400, text="invalid client_id or response_type")
    params = {"redirect_uri": query["redirect_uri"], "state": query["state"]}
    if query.get("scope"):
        params["scope"] = query["scope"]
    if query.get("skip_confirm", "").lower() in ("1", "true"):
        return _redirect_with_code(cloud, params)
    href = html.escape("/oauth2/authorize/confirm?" + urlencode(params))
    page = _PAGE.format(
        client_id=html.escape(cloud.client_id), nick=html.escape(cloud.nickname), href=href
    )
    return web.Response(text=page, content_type="text/html")


def _redirect_with_code(cloud: Cloud, params: dict[str, str]) -> web.StreamResponse:
    code = cloud.create_code(params["redirect_uri"], params.get("scope", ""))
    raise web.HTTPFound(
        _with_query(params["redirect_uri"], {"code": code, "state": params["state"]})
    )


async def authorize_confirm(request: web.Request) -> web.StreamResponse:
    """The target of the page's Authorize link: redirect with a code."""
    query = request.query
    if not query.get("redirect_uri") or "state" not in query:
        return web.Response(status=400, text="missing parameters")
    params = {key: query[key] for key in ("redirect_uri", "state", "scope") if key in query}
    return _redirect_with_code(_cloud(request), params)


async def get_token(request: web.Request) -> web.Response:
    """Code exchange and refresh."""
    cloud = _cloud(request)
    try:
        data = json.loads(request.query.get("data", ""))
    except ValueError:
        return bad_request("invalid data")
    if not isinstance(data, dict):
        return bad_request("invalid data")
    if str(data.get("client_id")) != cloud.client_id:
        return unauthorized()
    DEFER_BROKER_RELOAD.set(True)
    try:
        if "code" in data:
            if not data.get("device_id"):
                return bad_request("device_id required")
            tokens = cloud.exchange_code(str(data["code"]), str(data.get("redirect_uri", "")))
        elif "refresh_token" in data:
            tokens = cloud.refresh(str(data["refresh_token"]))
        else:
            return bad_request("code or refresh_token required")
    except AuthError:
        return unauthorized()
    await request.app[TOKENS_SYNCED_KEY]()
    return ok(tokens)


async def user_profile(request: web.Request) -> web.Response:
    """`/user/profile`."""
    cloud = _cloud(request)
    if request.query.get("clientId") != cloud.client_id or not cloud.access_ok(
        request.query.get("token")
    ):
        return unauthorized()
    data = {
        "miliaoNick": cloud.nickname,
        "unionId": f"union-{cloud.uid}",
        "miliaoIcon": "",
        "miliaoIcon_orig": "",
    }
    return web.json_response({"code": 0, "result": "ok", "description": "success", "data": data})


async def get_central_crt(request: web.Request) -> web.Response:
    """`ha/oauth/get_central_crt`: sign the user certificate request of the official client's
    central hub gateway support (`{"csr": <base64 of the PEM request>}` -> `result.cert`)."""
    cloud = _cloud(request)
    body = await _json_body(request)
    csr = body.get("csr")
    if not isinstance(csr, str) or not csr:
        return bad_request("csr required")
    try:
        pem = base64.b64decode(csr, validate=True)
        subject = x509.load_pem_x509_csr(pem).subject
        names = subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        common_name = str(names[0].value) if names else ""
        if common_name.startswith("mips.") and common_name.split(".")[1] != str(cloud.uid):
            return bad_request("csr is for another account")
        cert = request.app[CSR_SIGNER_KEY](pem)
    except ValueError as err:
        return bad_request(f"invalid csr: {err}")
    return ok({"cert": cert})


# --------------------------------------------------------------------------- HTTP API
def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except TypeError, ValueError:
        return default


async def gethome(request: web.Request) -> web.Response:
    """`homeroom/gethome`: homes with the first page of dids."""
    cloud = _cloud(request)
    body = await _json_body(request)
    chunk, has_more, next_index = cloud.page(0, cloud.home_page_size)
    own: list[JsonDict] = []
    shared: list[JsonDict] = []
    for home in sorted(cloud.homes.values(), key=lambda h: h.id):
        placed = [(room_id, did) for h, room_id, did in chunk if h is home]
        if home.shared:
            if body.get("fetch_share"):
                shared.append(cloud.home_json(home, placed if body.get("fetch_share_dev") else []))
        else:
            own.append(cloud.home_json(home, placed))
    return ok(
        {
            "homelist": own,
            "share_home_list": shared,
            "has_more": has_more,
            "max_id": str(next_index),
        }
    )


async def get_dev_room_page(request: web.Request) -> web.Response:
    """`homeroom/get_dev_room_page`: further dids by home and room."""
    cloud = _cloud(request)
    body = await _json_body(request)
    start = max(_int(body.get("start_id"), 0), 0)
    limit = max(_int(body.get("limit"), 150), 1)
    chunk, has_more, next_index = cloud.page(start, limit)
    info: list[JsonDict] = []
    order: list[str] = []
    grouped: dict[str, list[tuple[str | None, str]]] = {}
    for home, room_id, did in chunk:
        if home.id not in grouped:
            order.append(home.id)
            grouped[home.id] = []
        grouped[home.id].append((room_id, did))
    for home_id in order:
        entry = cloud.home_json(cloud.homes[home_id], grouped[home_id])
        rooms = [room for room in entry["roomlist"] if room["dids"]]
        info.append({"id": home_id, "roomlist": rooms, "dids": entry["dids"]})
    return ok({"info": info, "has_more": has_more, "max_id": str(next_index)})


async def device_list_page(request: web.Request) -> web.Response:
    """`home/device_list_page`: device details for the dids asked for, paged; with an empty
    list (or none) the account's own device list, devices shared with it on their own included."""
    cloud = _cloud(request)
    body = await _json_body(request)
    dids = body.get("dids")
    if isinstance(dids, list) and dids:
        candidates = [
            str(did) for did in dids if str(did) in cloud.devices and str(did) not in cloud.hidden
        ]
    else:
        candidates = cloud.account_dids()
    start_did = body.get("start_did")
    start = candidates.index(start_did) if start_did in candidates else 0
    limit = max(_int(body.get("limit"), 200), 1)
    chunk = candidates[start : start + limit]
    rest = candidates[start + limit :]
    result = {
        "list": [cloud.device_json(cloud.devices[did]) for did in chunk],
        "has_more": bool(rest),
        "next_start_did": rest[0] if rest else "",
    }
    if not rest:
        cloud.listed_once()
    return ok(result)


def _params_list(body: JsonDict) -> list[JsonDict]:
    params = body.get("params")
    if not isinstance(params, list) or not all(isinstance(item, dict) for item in params):
        raise web.HTTPBadRequest(text="params list expected")
    return params


async def prop_get(request: web.Request) -> web.Response:
    """`miotspec/prop/get`."""
    body = await _json_body(request)
    return ok(_cloud(request).get_properties(_params_list(body)))


async def prop_set(request: web.Request) -> web.Response:
    """`miotspec/prop/set`."""
    body = await _json_body(request)
    return ok(_cloud(request).set_properties(_params_list(body)))


async def action(request: web.Request) -> web.Response:
    """`miotspec/action`."""
    body = await _json_body(request)
    params = body.get("params")
    if not isinstance(params, dict):
        return bad_request("params object expected")
    return ok(_cloud(request).do_action(params))


# --------------------------------------------------------------------------- spec service
async def spec_instance(request: web.Request) -> web.Response:
    """`/miot-spec-v2/instance?type=<urn>`."""
    instance = _cloud(request).specs.by_urn(request.query.get("type", ""))
    if instance is None:
        return web.json_response({"error_code": 404, "error_msg": "not found"}, status=404)
    doc = {key: value for key, value in instance.doc.items() if not key.startswith("_")}
    return web.json_response(doc)


async def spec_instances(request: web.Request) -> web.Response:
    """`/miot-spec-v2/instances?status=all` (or `released`, `debug`, `preview`)."""
    status = request.query.get("status", "all")
    return web.json_response({"instances": _cloud(request).specs.instances_list(status)})


async def spec_template_list(request: web.Request) -> web.Response:
    """`/miot-spec-v2/template/list/<kind>`: the spec standard library of one kind."""
    kind = request.match_info["kind"]
    if kind not in TEMPLATE_KINDS:
        return web.json_response({"error_code": 404, "error_msg": "not found"}, status=404)
    return web.json_response({"result": _cloud(request).specs.template_list(kind)})


async def spec_property_values(request: web.Request) -> web.Response:
    """`/miot-spec-v2/normalization/list/property_value`: standard value names."""
    return web.json_response({"result": _cloud(request).specs.property_value_list()})


async def multi_language(request: web.Request) -> web.Response:
    """`/instance/v2/multiLanguage?urn=<urn>` (plain text for an unknown urn)."""
    instance = _cloud(request).specs.by_urn(request.query.get("urn", ""))
    if instance is None:
        return web.Response(text="no such urn")
    return web.json_response({"data": instance.multi_language()})


# --------------------------------------------------------------------------- control API
def _device_or_404(cloud: Cloud, did: str) -> Any:
    try:
        return cloud.device(did)
    except NotFoundError:
        raise web.HTTPNotFound(text=f"unknown did {did}") from None


async def sim_devices(request: web.Request) -> web.Response:
    """List devices."""
    items = [
        {
            "did": d.did,
            "name": d.name,
            "model": d.model,
            "urn": d.urn,
            "online": d.online,
            "home_id": d.home_id,
            "room_id": d.room_id,
            "parent_id": d.parent_id,
            "shared_by": (
                {"userid": d.shared_by[0], "nickname": d.shared_by[1]} if d.shared_by else None
            ),
        }
        for d in _cloud(request).iter_devices()
    ]
    return web.json_response(items)


async def sim_device(request: web.Request) -> web.Response:
    """One device with values and the action log."""
    device = _device_or_404(_cloud(request), request.match_info["did"])
    props = {f"{s}.{p}": value for (s, p), value in device.values.items()}
    return web.json_response(
        {"did": device.did, "online": device.online, "properties": props, "actions": device.actions}
    )


async def _any_body(request: web.Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="invalid JSON body") from None


async def sim_properties(request: web.Request) -> web.Response:
    """Set values as the device would."""
    cloud = _cloud(request)
    did = request.match_info["did"]
    _device_or_404(cloud, did)
    body = await _any_body(request)
    items = body if isinstance(body, list) else [body]
    try:
        for item in items:
            cloud.set_property(did, int(item["siid"]), int(item["piid"]), item["value"])
    except (KeyError, TypeError, ValueError, NotFoundError) as err:
        # SpecError is a ValueError
        return bad_request(f"invalid property: {err}")
    return web.json_response({"ok": True})


async def sim_event(request: web.Request) -> web.Response:
    """Fire an event."""
    cloud = _cloud(request)
    did = request.match_info["did"]
    _device_or_404(cloud, did)
    body = await _json_body(request)
    try:
        cloud.fire_event(did, int(body["siid"]), int(body["eiid"]), list(body.get("arguments", [])))
    except (KeyError, TypeError, ValueError, NotFoundError) as err:
        return bad_request(f"invalid event: {err}")
    return web.json_response({"ok": True})


async def sim_online(request: web.Request) -> web.Response:
    """Bring a device online/offline."""
    cloud = _cloud(request)
    did = request.match_info["did"]
    _device_or_404(cloud, did)
    body = await _json_body(request)
    cloud.set_online(did, bool(body.get("online", True)))
    return web.json_response({"ok": True})


def _shared_by(value: Any) -> tuple[int, str] | None:
    """`{"userid", "nickname"}` of the control API -> (uid, nickname)."""
    if value is None:
        return None
    return int(value["userid"]), str(value["nickname"])


async def sim_add_device(request: web.Request) -> web.Response:
    """Add a device."""
    cloud = _cloud(request)
    body = await _json_body(request)
    try:
        device = cloud.add_device(
            str(body["did"]),
            str(body.get("name") or body["did"]),
            str(body.get("model", "")),
            urn=body.get("urn"),
            room_id=body.get("room") or body.get("room_id"),
            home_id=body.get("home_id") or next(iter(cloud.homes), None),
            online=bool(body.get("online", True)),
            parent_id=body.get("parent_id"),
            properties=body.get("properties"),
            shared_by=_shared_by(body.get("shared_by")),
        )
    except (KeyError, TypeError, ValueError, NotFoundError) as err:
        return bad_request(f"cannot add device: {err}")
    await _sync_lan(request)
    return web.json_response({"did": device.did, "urn": device.urn}, status=201)


async def sim_remove_device(request: web.Request) -> web.Response:
    """Remove a device."""
    cloud = _cloud(request)
    did = request.match_info["did"]
    _device_or_404(cloud, did)
    cloud.remove_device(did)
    await _sync_lan(request)
    return web.json_response({"ok": True})


# --------------------------------------------------------------------------- LAN twin
async def _sync_lan(request: web.Request) -> None:
    if (lan := request.app.get(LAN_KEY)) is not None:
        await lan.sync()


def _lan_or_404(request: web.Request) -> LanTwin:
    lan = request.app.get(LAN_KEY)
    if lan is None:
        raise web.HTTPNotFound(text="the LAN twin is not running (Simulator(lan=True), --lan)")
    return lan


async def sim_lan(request: web.Request) -> web.Response:
    """Where each Wi-Fi device listens (host, port), its token, faults and packet counts."""
    lan = _lan_or_404(request)
    await lan.sync()
    return web.json_response(lan.describe())


async def sim_lan_device(request: web.Request) -> web.Response:
    """Set LAN faults of one device: `silent`, `wrong_token`, `latency`; `reboot`."""
    lan = _lan_or_404(request)
    await lan.sync()
    did = request.match_info["did"]
    _device_or_404(_cloud(request), did)
    try:
        device = lan.device(did)
    except KeyError:
        return bad_request(f"{did} is not a Wi-Fi device")
    body = await _json_body(request)
    try:
        latency = float(body.get("latency", device.faults.latency))
    except TypeError, ValueError:
        return bad_request("latency must be a number")
    if latency < 0:
        return bad_request("latency must not be negative")
    device.faults.latency = latency
    device.faults.silent = bool(body.get("silent", device.faults.silent))
    device.faults.wrong_token = bool(body.get("wrong_token", device.faults.wrong_token))
    if body.get("reboot"):
        device.reboot()
    return web.json_response(device.describe())


async def sim_lan_clear(request: web.Request) -> web.Response:
    """Clear every LAN fault."""
    _lan_or_404(request).clear_faults()
    return web.json_response({"ok": True})


async def sim_token(request: web.Request) -> web.Response:
    """Give a device a new token (`{"token": "<32 hex>"}`, or a random one)."""
    cloud = _cloud(request)
    did = request.match_info["did"]
    _device_or_404(cloud, did)
    body = await _json_body(request)
    token = body.get("token")
    try:
        new = cloud.set_token(did, None if token is None else str(token))
    except ValueError as err:
        return bad_request(str(err))
    return web.json_response({"did": did, "token": new})


async def sim_add_fault(request: web.Request) -> web.Response:
    """Inject a fault."""
    body = await _json_body(request)
    try:
        fault = Fault.from_json(body)
    except (TypeError, ValueError) as err:
        return bad_request(f"invalid fault: {err}")
    _cloud(request).faults.append(fault)
    return web.json_response({"ok": True, "faults": len(_cloud(request).faults)})


async def sim_clear_faults(request: web.Request) -> web.Response:
    """Clear faults."""
    _cloud(request).faults.clear()
    return web.json_response({"ok": True})


async def sim_revoke(request: web.Request) -> web.Response:
    """Revoke every token."""
    DEFER_BROKER_RELOAD.set(True)
    _cloud(request).revoke_tokens()
    await request.app[TOKENS_SYNCED_KEY]()
    return web.json_response({"ok": True})


async def sim_expire(request: web.Request) -> web.Response:
    """Expire every access token."""
    DEFER_BROKER_RELOAD.set(True)
    _cloud(request).expire_tokens()
    await request.app[TOKENS_SYNCED_KEY]()
    return web.json_response({"ok": True})


async def sim_broker_restart(request: web.Request) -> web.Response:
    """Restart mosquitto on the same port."""
    await request.app[RESTART_KEY]()
    return web.json_response({"ok": True})


async def sim_broker_stop(request: web.Request) -> web.Response:
    """Stop mosquitto until `/_sim/broker/start` (a broker outage)."""
    await request.app[BROKER_RUN_KEY](False)
    return web.json_response({"ok": True})


async def sim_broker_start(request: web.Request) -> web.Response:
    """Start mosquitto again on the same port."""
    await request.app[BROKER_RUN_KEY](True)
    return web.json_response({"ok": True})


async def sim_hide(request: web.Request) -> web.Response:
    """Leave a device out of the next `lists` device-list answers (default 1)."""
    cloud = _cloud(request)
    did = request.match_info["did"]
    _device_or_404(cloud, did)
    body = await _json_body(request)
    cloud.hide(did, _int(body.get("lists"), 1))
    return web.json_response({"ok": True})


async def sim_raw_push(request: web.Request) -> web.Response:
    """Push `{"siid", "piid", "value"}` unchecked, as a misbehaving device would."""
    cloud = _cloud(request)
    did = request.match_info["did"]
    _device_or_404(cloud, did)
    body = await _json_body(request)
    try:
        cloud.push_raw(did, int(body["siid"]), int(body["piid"]), body.get("value"))
    except (KeyError, TypeError, ValueError) as err:
        return bad_request(f"siid and piid required: {err}")
    return web.json_response({"ok": True})


async def sim_counters(request: web.Request) -> web.Response:
    """Counters."""
    return web.json_response(_cloud(request).counters())


async def sim_reset_counters(request: web.Request) -> web.Response:
    """Zero the counters."""
    _cloud(request).reset_counters()
    return web.json_response({"ok": True})


async def sim_oauth_code(request: web.Request) -> web.Response:
    """Approve without the HTML page."""
    redirect_uri = request.query.get("redirect_uri", "")
    if not redirect_uri:
        return bad_request("redirect_uri required")
    return web.json_response(
        {"code": _cloud(request).create_code(redirect_uri), "state": request.query.get("state", "")}
    )


def build_app(
    cloud: Cloud,
    stopping: asyncio.Event,
    restart_broker: Callable[[], Awaitable[None]],
    tokens_synced: Callable[[], Awaitable[None]],
    sign_csr: Callable[[bytes], str],
    fault_timeout: float = 60.0,
    lan: LanTwin | None = None,
    run_broker: Callable[[bool], Awaitable[None]] | None = None,
) -> web.Application:
    """Create the application (`lan`: the LAN twin, when it runs)."""
    app = web.Application(middlewares=[fault_middleware, auth_middleware])
    app[CLOUD_KEY] = cloud
    app[STOPPING_KEY] = stopping
    app[RESTART_KEY] = restart_broker
    app[TOKENS_SYNCED_KEY] = tokens_synced
    app[TIMEOUT_KEY] = fault_timeout
    app[CSR_SIGNER_KEY] = sign_csr
    if lan is not None:
        app[LAN_KEY] = lan
    if run_broker is not None:
        app[BROKER_RUN_KEY] = run_broker
    app.add_routes(
        [
            web.get("/oauth2/authorize", authorize),
            web.get("/oauth2/authorize/confirm", authorize_confirm),
            web.get("/app/v2/ha/oauth/get_token", get_token),
            web.get("/user/profile", user_profile),
            web.post("/app/v2/ha/oauth/get_central_crt", get_central_crt),
            web.post("/app/v2/homeroom/gethome", gethome),
            web.post("/app/v2/homeroom/get_dev_room_page", get_dev_room_page),
            web.post("/app/v2/home/device_list_page", device_list_page),
            web.post("/app/v2/miotspec/prop/get", prop_get),
            web.post("/app/v2/miotspec/prop/set", prop_set),
            web.post("/app/v2/miotspec/action", action),
            web.get("/miot-spec-v2/instance", spec_instance),
            web.get("/miot-spec-v2/instances", spec_instances),
            web.get("/miot-spec-v2/template/list/{kind}", spec_template_list),
            web.get("/miot-spec-v2/normalization/list/property_value", spec_property_values),
            web.get("/instance/v2/multiLanguage", multi_language),
            web.get("/_sim/devices", sim_devices),
            web.post("/_sim/devices", sim_add_device),
            web.get("/_sim/devices/{did}", sim_device),
            web.delete("/_sim/devices/{did}", sim_remove_device),
            web.post("/_sim/devices/{did}/properties", sim_properties),
            web.post("/_sim/devices/{did}/events", sim_event),
            web.post("/_sim/devices/{did}/online", sim_online),
            web.post("/_sim/faults", sim_add_fault),
            web.delete("/_sim/faults", sim_clear_faults),
            web.post("/_sim/tokens/revoke", sim_revoke),
            web.post("/_sim/tokens/expire", sim_expire),
            web.post("/_sim/broker/restart", sim_broker_restart),
            web.post("/_sim/broker/stop", sim_broker_stop),
            web.post("/_sim/broker/start", sim_broker_start),
            web.post("/_sim/devices/{did}/hide", sim_hide),
            web.post("/_sim/devices/{did}/raw_push", sim_raw_push),
            web.get("/_sim/counters", sim_counters),
            web.delete("/_sim/counters", sim_reset_counters),
            web.get("/_sim/oauth/code", sim_oauth_code),
            web.get("/_sim/lan", sim_lan),
            web.delete("/_sim/lan/faults", sim_lan_clear),
            web.post("/_sim/devices/{did}/lan", sim_lan_device),
            web.post("/_sim/devices/{did}/token", sim_token),
        ]
    )
    return app


__all__ = ["SpecError", "build_app"]
