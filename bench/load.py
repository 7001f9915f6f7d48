"""The load driver: simulated contestants on loopback, in a few client processes.

Each process runs an asyncio loop of aiohttp sessions (one cookie jar per simulated
contestant, CSRF tokens read from the pages as a browser's form or the page's script
would). Processes move through the phases together: the parent holds a barrier at the
start and end of each, so a phase's wall time, the server's memory and the workers'
CPU are read there.

Every simulated contestant (and every connection of the anonymous phases) connects
from an address of its own in 127.0.0.0/8, so the per-address rate limits, on as in
production, count each one as the separate client it stands for.
"""

import asyncio
import multiprocessing
import random
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

import aiohttp

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SAVE_URL = re.compile(r'data-save-url="([^"]+)"')
RADIO = re.compile(r'name="q(\d+)" value="(\d+)"')
START_FORM = re.compile(r'action="(/tuan-thi/\d+/vao-thi/)"')

# Phases in order; the parent walks the same list. The references (bench/refapps.py)
# run first and last, so a drift of the machine's load during the run shows.
REFERENCE_PHASES = {
    "ref_hello": "hello",
    "ref_session": "session_update",
    "ref_hello_end": "hello",
    "ref_session_end": "session_update",
}
PHASES = (
    "ref_hello",
    "ref_session",
    "healthz",
    "home",
    "login",
    "prepare",
    "start",
    "attempt_page",
    "save",
    "submit",
    "result",
    "flow",
    "ref_hello_end",
    "ref_session_end",
)


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


async def _get_loop(rec, plan, endpoint, url, deadline, base=""):
    async def one_connection(i: int):
        connector = _connector(source_address(plan.client_index, 60_000 + i))
        async with _new_http(plan, connector, base=base) as http:
            await _until(
                deadline,
                lambda: _call(rec, http, endpoint, "GET", url, expect=(200,)),
            )
        await connector.close()

    await asyncio.gather(*(one_connection(i) for i in range(plan.connections)))


async def _ref_session(rec, plan, actor: Actor, n: int) -> None:
    """The session + UPDATE reference, with a save's cookie and body."""
    if actor.ref_http is None:
        actor.ref_http = _new_http(plan, actor.connector, actor, plan.ref_session_base)
    await _call(
        rec,
        actor.ref_http,
        "ref session+UPDATE",
        "POST",
        "/",
        data={"seq": str(n), "position": "0", "choice": "1"},
        expect=(200,),
    )


async def _login_loop(rec, plan, deadline):
    phones = list(plan.login_phones)
    # A login costs ~0.3 s of hashing: a few at a time, or the phase outlasts itself.
    connections = min(plan.connections, 4)

    async def one_connection(offset: int):
        n = offset
        connector = _connector(source_address(plan.client_index, 61_000 + offset))
        while time.perf_counter() < deadline:
            async with _new_http(plan, connector) as http:
                _s, body, _l = await _call(
                    rec,
                    http,
                    "login page",
                    "GET",
                    "/tai-khoan/dang-nhap/",
                    expect=(200,),
                )
                token = CSRF_INPUT.search(body)
                if not token:
                    return
                await _call(
                    rec,
                    http,
                    "login",
                    "POST",
                    "/tai-khoan/dang-nhap/",
                    data={
                        "csrfmiddlewaretoken": token.group(1),
                        "username": phones[n % len(phones)],
                        "password": plan.password,
                    },
                    expect=(302,),
                )
            n += connections
        await connector.close()

    await asyncio.gather(*(one_connection(i) for i in range(connections)))


async def _prepare(rec, plan, actor: Actor) -> None:
    """Open the contest page: the session's CSRF token and the start form."""
    _s, body, _l = await _call(
        rec, actor.http, "contest page", "GET", plan.contest_path, expect=(200,)
    )
    token = CSRF_INPUT.search(body)
    form = START_FORM.search(body)
    if token and form:
        actor.csrf, actor.start_url = token.group(1), form.group(1)


async def _start(rec, actor: Actor) -> bool:
    status, _b, location = await _call(
        rec,
        actor.http,
        "start",
        "POST",
        actor.start_url,
        data={"csrfmiddlewaretoken": actor.csrf},
        expect=(302,),
    )
    if status == 302 and location.startswith("/bai-thi/"):
        actor.attempt_url = location
        return True
    return False


async def _attempt_page(rec, actor: Actor) -> None:
    _s, body, _l = await _call(
        rec, actor.http, "attempt page", "GET", actor.attempt_url, expect=(200,)
    )
    save = SAVE_URL.search(body)
    token = CSRF_INPUT.search(body)
    if save and token:
        actor.save_url, actor.csrf = save.group(1), token.group(1)
        radios: dict[int, list[int]] = defaultdict(list)
        for position, value in RADIO.findall(body):
            radios[int(position)].append(int(value))
        actor.radios = dict(radios)


async def _save(rec, actor: Actor, position: int, rng: random.Random) -> None:
    actor.seq += 1
    await _call(
        rec,
        actor.http,
        "save",
        "POST",
        actor.save_url,
        data={
            "seq": str(actor.seq),
            "position": str(position),
            "choice": str(rng.choice(actor.radios[position])),
        },
        headers={"X-CSRFToken": actor.csrf},
        expect=(200,),
    )


async def _submit(rec, actor: Actor, rng: random.Random) -> str:
    data = {"csrfmiddlewaretoken": actor.csrf, "prediction": str(rng.randrange(5000))}
    for position, values in actor.radios.items():
        data[f"q{position}"] = str(rng.choice(values))
    status, _b, location = await _call(
        rec,
        actor.http,
        "submit",
        "POST",
        actor.attempt_url + "nop-bai/",
        data=data,
        expect=(302,),
    )
    return location if status == 302 else ""


async def _result(rec, actor: Actor, url: str) -> None:
    await _call(rec, actor.http, "result", "GET", url, expect=(200,))


async def _pool(items, connections: int, deadline: float, work) -> None:
    """Run work(item) for each item with at most `connections` in flight, until deadline."""
    queue = list(items)

    async def worker():
        while queue and time.perf_counter() < deadline:
            await work(queue.pop())

    await asyncio.gather(*(worker() for _ in range(connections)))


async def _round_robin(items, connections: int, deadline: float, work) -> None:
    items = list(items)
    if not items:
        return

    async def worker(offset: int):
        n = offset
        while time.perf_counter() < deadline:
            await work(items[n % len(items)], n)
            n += connections

    await asyncio.gather(*(worker(i) for i in range(connections)))


async def _flow(rec: Recorder, plan: Plan, actor: Actor, rng) -> None:
    """One contestant's whole journey: contest page, start, 30 saves, submit, result."""
    await _prepare(rec, plan, actor)
    if not actor.start_url or not await _start(rec, actor):
        return
    await _attempt_page(rec, actor)
    if not actor.save_url:
        return
    for position in sorted(actor.radios):  # one in flight at a time, as the page does
        await _save(rec, actor, position, rng)
    location = await _submit(rec, actor, rng)
    if location:
        await _result(rec, actor, location)
        rec.flows += 1


async def _run_phase(
    phase, rec, plan, deadline, starters, flowers, started, finished, rng
) -> None:
    if REFERENCE_PHASES.get(phase) == "hello":
        await _get_loop(rec, plan, "ref hello", "/", deadline, plan.ref_hello_base)
    elif REFERENCE_PHASES.get(phase) == "session_update":
        await _round_robin(
            starters,
            plan.connections,
            deadline,
            lambda a, n: _ref_session(rec, plan, a, n),
        )
    elif phase == "healthz":
        await _get_loop(rec, plan, "healthz", "/healthz", deadline)
    elif phase == "home":
        await _get_loop(rec, plan, "home (anonymous)", "/", deadline)
    elif phase == "login":
        await _login_loop(rec, plan, deadline)
    elif phase == "prepare":
        await _pool(
            starters,
            plan.connections,
            float("inf"),
            lambda a: _prepare(rec, plan, a),
        )
    elif phase == "start":

        async def start_one(actor: Actor) -> None:
            if actor.start_url and await _start(rec, actor):
                started.append(actor)

        await _pool(starters, plan.connections, deadline, start_one)
    elif phase == "attempt_page":
        await _round_robin(
            started, plan.connections, deadline, lambda a, n: _attempt_page(rec, a)
        )
    elif phase == "save":
        ready = [a for a in started if a.save_url]

        async def save_one(actor: Actor, n: int) -> None:
            positions = sorted(actor.radios)
            await _save(rec, actor, positions[n % len(positions)], rng)

        await _round_robin(ready, plan.connections, deadline, save_one)
    elif phase == "submit":

        async def submit_one(actor: Actor) -> None:
            location = await _submit(rec, actor, rng)
            if location:
                finished.append((actor, location))

        await _pool(
            [a for a in started if a.save_url],
            plan.connections,
            deadline,
            submit_one,
        )
    elif phase == "result":
        await _round_robin(
            finished,
            plan.connections,
            deadline,
            lambda pair, n: _result(rec, pair[0], pair[1]),
        )
    elif phase == "flow":
        # Each connection takes the next contestant: everyone sits one attempt.
        await _pool(
            flowers, plan.connections, deadline, lambda a: _flow(rec, plan, a, rng)
        )


async def _run(plan: Plan, barrier, index: int) -> dict:
    rng = random.Random(index)
    per_phase: dict[str, Recorder] = {}
    starters = [Actor(user_id=u, session_key=k) for u, k in plan.start_actors]
    flowers = [Actor(user_id=u, session_key=k) for u, k in plan.flow_actors]
    for n, actor in enumerate((*starters, *flowers)):
        actor.address = source_address(plan.client_index, n)
        actor.connector = _connector(actor.address)
        actor.http = _new_http(plan, actor.connector, actor)
    started: list[Actor] = []
    finished: list[tuple[Actor, str]] = []
    loop = asyncio.get_running_loop()
    for phase in PHASES:
        await loop.run_in_executor(None, barrier.wait)
        rec = per_phase[phase] = Recorder()
        duration = plan.flow_duration if phase == "flow" else plan.duration
        deadline = time.perf_counter() + duration
        await _run_phase(
            phase,
            rec,
            plan,
            deadline,
            starters,
            flowers,
            started,
            finished,
            rng,
        )
        await loop.run_in_executor(None, barrier.wait)
    for actor in (*starters, *flowers):
        await actor.http.close()
        if actor.ref_http is not None:
            await actor.ref_http.close()
        await actor.connector.close()
    return {
        phase: {"samples": dict(r.samples), "errors": dict(r.errors), "flows": r.flows}
        for phase, r in per_phase.items()
    }


def client_process(plan: Plan, barrier, index: int, out) -> None:
    out.put((index, asyncio.run(_run(plan, barrier, index))))


def split(plan: Plan, parts: int) -> list[Plan]:
    """One plan per client process: connections and actors dealt out evenly."""
    plans = []
    for k in range(parts):
        plans.append(
            Plan(
                base=plan.base,
                contest_path=plan.contest_path,
                duration=plan.duration,
                flow_duration=plan.flow_duration,
                connections=max(plan.connections // parts, 1),
                password=plan.password,
                session_cookie=plan.session_cookie,
                login_phones=plan.login_phones[k::parts],
                start_actors=plan.start_actors[k::parts],
                flow_actors=plan.flow_actors[k::parts],
                ref_hello_base=plan.ref_hello_base,
                ref_session_base=plan.ref_session_base,
                client_index=k,
            )
        )
    return plans


def start_clients(plan: Plan, parts: int):
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(parts + 1)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=client_process, args=(p, barrier, i, out), daemon=True)
        for i, p in enumerate(split(plan, parts))
    ]
    for proc in procs:
        proc.start()
    return barrier, out, procs
