"""The portal's database backends (see contest_portal/db/busy_health.py)."""
