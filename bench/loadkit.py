"""What the load driver's phases share: the plan, a simulated contestant, the HTTP
calls on loopback (each from its own address) and the recorder of their timings."""

import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

import aiohttp

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SAVE_URL = re.compile(r'data-save-url="([^"]+)"')
RADIO = re.compile(r'name="q(\d+)" value="(\d+)"')
START_FORM = re.compile(r'action="(/tuan-thi/\d+/vao-thi/)"')


@dataclass
class Actor:
    """One simulated contestant: a session cookie and what the pages told it."""

    user_id: int
    session_key: str
    phone: str = ""
    csrf: str = ""
    start_url: str = ""
    attempt_url: str = ""
    save_url: str = ""
    radios: dict[int, list[int]] = field(default_factory=dict)
    seq: int = 0
    address: str = "127.0.0.1"
    connector: aiohttp.TCPConnector | None = None
    http: aiohttp.ClientSession | None = None
    ref_http: aiohttp.ClientSession | None = None


@dataclass
class Plan:
    base: str
    contest_path: str
    duration: float
    flow_duration: float
    connections: int
    password: str
    session_cookie: str
    login_phones: list[str]
    start_actors: list[tuple[int, str]]
    flow_actors: list[tuple[int, str]]
    ref_hello_base: str = ""
    ref_session_base: str = ""
    client_index: int = 0


def source_address(client: int, n: int) -> str:
    """The n-th loopback address of a client process: 127.<10+client>.x.y."""
    return f"127.{10 + client}.{n // 250}.{n % 250 + 1}"


def _connector(address: str) -> aiohttp.TCPConnector:
    return aiohttp.TCPConnector(limit=0, force_close=True, local_addr=(address, 0))


class Recorder:
    def __init__(self) -> None:
        self.samples: dict[str, list[tuple[float, bool, int]]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.flows = 0

    def add(self, endpoint: str, seconds: float, ok: bool, queries: int, why: str):
        self.samples[endpoint].append((seconds, ok, queries))
        if not ok and len(self.errors[endpoint]) < 5:
            self.errors[endpoint].append(why)


async def _call(
    rec: Recorder,
    http: aiohttp.ClientSession,
    endpoint: str,
    method: str,
    url: str,
    *,
    expect: tuple[int, ...],
    data: dict | None = None,
    headers: dict | None = None,
) -> tuple[int, str, str]:
    started = time.perf_counter()
    try:
        async with http.request(
            method, url, data=data, headers=headers, allow_redirects=False
        ) as response:
            body = await response.text()
            status = response.status
            location = response.headers.get("Location", "")
            queries = int(response.headers.get("X-Query-Count", "-1"))
    except (TimeoutError, aiohttp.ClientError) as error:
        rec.add(endpoint, time.perf_counter() - started, False, -1, repr(error))
        return 0, "", ""
    ok = status in expect
    why = "" if ok else f"{status} {url} {body[:200]!r}"
    rec.add(endpoint, time.perf_counter() - started, ok, queries, why)
    return status, body, location


def _new_http(plan: Plan, connector, actor: Actor | None = None, base: str = ""):
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1, as a browser keeps
    if actor is not None:
        jar.update_cookies({plan.session_cookie: actor.session_key})
    return aiohttp.ClientSession(
        base_url=base or plan.base,
        connector=connector,
        connector_owner=False,
        cookie_jar=jar,
        timeout=aiohttp.ClientTimeout(total=60),
    )


async def _until(deadline: float, work) -> None:
    while time.perf_counter() < deadline:
        if await work() is False:
            return
