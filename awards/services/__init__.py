"""Writes of the awards app, one module per subject; the public names are here.

- results: a round's result computed (or previewed), its prizes and qualifiers;
- result_rows: the ranked rows of a result, written by one INSERT ... SELECT;
- result_approval: a round's result approved, its qualifiers admitted to the final;
- result_revocation: an approved list revoked, kept in the history, reopened;
- decisions: disqualifying a contestant, voiding a question;
- unit_results: the collective (unit) ranking and prizes;
- approval, audit: freezing a result and the decision log, shared by all three.
Certificates live in awards.certificate_services, suspicion checks in
awards.suspicion_selectors.
"""

from awards.services.audit import audit
from awards.services.decisions import (
    contestant_disqualify,
    contestant_disqualify_check,
    question_void,
    question_void_check,
)
from awards.services.result_approval import (
    final_sync_qualifiers,
    result_approve,
    result_checksum,
)
from awards.services.result_revocation import result_revoke
from awards.services.results import result_compute, result_preview
from awards.services.unit_results import (
    unit_result_approve,
    unit_result_checksum,
    unit_result_compute,
)

__all__ = [
    "audit",
    "contestant_disqualify",
    "contestant_disqualify_check",
    "final_sync_qualifiers",
    "question_void",
    "question_void_check",
    "result_approve",
    "result_checksum",
    "result_compute",
    "result_preview",
    "result_revoke",
    "unit_result_approve",
    "unit_result_checksum",
    "unit_result_compute",
]
