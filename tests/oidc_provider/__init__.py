"""A real OpenID Connect provider for the sign-in tests: a small Django project with
django-oauth-toolkit's OIDC support, started on loopback by `server.run_provider`."""
