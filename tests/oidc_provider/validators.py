"""The provider's claims hook: each user's claims are read from claims.json
(username -> claims), which the test writes before starting the server."""

import json
from typing import Any

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "citizen_id": "profile"}

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        claims = json.loads((settings.DATA_DIR / "claims.json").read_text())
        return claims.get(request.user.get_username(), {})
