"""The pure rule modules import only the Python standard library."""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_MODULES = [
    "rounds/draw.py",
    "rounds/scoring.py",
    "rounds/eligibility.py",
    "rounds/states.py",
    "accounts/normalize.py",
    "accounts/names.py",
    "accounts/proof_of_work.py",
    "accounts/code_policy.py",
    "awards/ranking.py",
    "awards/allocation.py",
    "awards/collective.py",
    "awards/qualification.py",
    "awards/settings_check.py",
    "awards/suspicion.py",
    "awards/suspicion_predictions.py",
    "reports/demographics.py",
]


def imported_top_level_names(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            # A relative import (level > 0) reaches into the project itself.
            names.add("." if node.level else node.module.split(".")[0])
    return names


# Framework-free libraries a pure module may use: the numbering plans behind
# normalize_phone are data no one should copy into the standard library's shape.
ALLOWED_OUTSIDE = {"accounts/normalize.py": {"phonenumbers"}}


@pytest.mark.parametrize("path", PURE_MODULES, ids=PURE_MODULES)
def test_pure_module_imports_only_the_standard_library(path):
    source = (ROOT / path).read_text(encoding="utf-8")

    outside = (
        imported_top_level_names(source)
        - sys.stdlib_module_names
        - ALLOWED_OUTSIDE.get(path, set())
    )

    assert outside == set(), f"{path} imports {sorted(outside)}"
