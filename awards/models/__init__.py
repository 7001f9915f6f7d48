"""The awards app's models, one module per subject; every name is importable from
awards.models as before (migrations name the callable defaults there)."""

from awards.models.audit import AdminChange, AuditEntry
from awards.models.certificates import (
    CERTIFICATE_CODE_ALPHABET,
    CERTIFICATE_CODE_LENGTH,
    Certificate,
    UnitCertificate,
    VerificationCode,
    new_certificate_code,
)
from awards.models.results import (
    ApprovableResult,
    ResultRow,
    RevokedRoundResult,
    RoundResult,
    UnitResult,
    UnitResultRow,
    new_share_token,
)
from awards.models.rules import (
    ContestantGroup,
    Disqualification,
    PrizeTier,
    RankingRules,
    Signatory,
    UnitGroup,
    default_order,
    default_unit_tie_break,
)

__all__ = [
    "CERTIFICATE_CODE_ALPHABET",
    "CERTIFICATE_CODE_LENGTH",
    "AdminChange",
    "ApprovableResult",
    "AuditEntry",
    "Certificate",
    "ContestantGroup",
    "Disqualification",
    "PrizeTier",
    "RankingRules",
    "ResultRow",
    "RevokedRoundResult",
    "RoundResult",
    "Signatory",
    "UnitCertificate",
    "UnitGroup",
    "UnitResult",
    "UnitResultRow",
    "VerificationCode",
    "default_order",
    "default_unit_tie_break",
    "new_certificate_code",
    "new_share_token",
]
