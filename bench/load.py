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
import time

from bench.journey import (
    _attempt_page,
    _flow,
    _get_loop,
    _login_loop,
    _pool,
    _prepare,
    _ref_session,
    _result,
    _round_robin,
    _save,
    _start,
    _submit,
)
from bench.loadkit import (
    Actor,
    Plan,
    Recorder,
    _connector,
    _new_http,
    source_address,
)

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
