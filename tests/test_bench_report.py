"""The bench's verdict on the p99 target counts the portal's requests only."""

from bench.report import verdicts


def _row(phase: str, endpoint: str, p99_ms: float) -> dict:
    return {
        "phase": phase,
        "endpoint": endpoint,
        "p99_ms": p99_ms,
        "req_per_s": 100.0,
        "errors": 0,
    }


def _p99_verdict(rows: list[dict]) -> tuple[str, bool]:
    for target, measured, met in verdicts({"endpoints": rows}):
        if target.startswith("p99 of every request"):
            return measured, met
    raise AssertionError("no p99 verdict")


def test_a_slow_reference_is_not_the_portals_p99():
    rows = [
        _row("ref_session", "ref session+UPDATE", 395.0),
        _row("ref_hello_end", "ref hello", 320.0),
        _row("login", "login", 1800.0),
        _row("start", "start", 250.0),
    ]

    assert _p99_verdict(rows) == ("250 ms", True)


def test_a_slow_portal_request_misses_the_target():
    rows = [_row("ref_hello", "ref hello", 40.0), _row("result", "result", 310.0)]

    assert _p99_verdict(rows) == ("310 ms", False)
