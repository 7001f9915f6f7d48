"""A simulated contestant's steps, as a browser and the page's script take them:
the anonymous pages, login, start, the attempt page, each save, submit and result,
and the whole 30-question journey of the flow phase."""

import asyncio
import random
import time
from collections import defaultdict

from bench.loadkit import (
    CSRF_INPUT,
    RADIO,
    SAVE_URL,
    START_FORM,
    Actor,
    Plan,
    Recorder,
    _call,
    _connector,
    _new_http,
    _until,
    source_address,
)


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
    """Each connection works through its own share of the items, round and round:
    one contestant never has two requests in flight, as the page never sends two
    saves at once (with fewer items than connections, some connections share)."""
    items = list(items)
    if not items:
        return

    async def worker(offset: int):
        mine = items[offset::connections] or [items[offset % len(items)]]
        n = offset
        while time.perf_counter() < deadline:
            await work(mine[(n // connections) % len(mine)], n)
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
