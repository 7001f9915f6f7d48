"""What a person running the portal during the rush needs (issue 15).

- requestid: the request id of every request, in each log line and response header.
- logs: the LOGGING configuration, plain text or JSON lines.
- probes: /healthz (liveness) and /readyz (readiness), answered before host checks.
- metrics: /metrics for Prometheus, to allowed addresses only; the portal's gauges.
- cache: Django's Redis cache, timed for Prometheus.
- sentry: error reports when SENTRY_DSN is set.
"""
