"""The dependency audit run by `make test` (scripts/dependency_audit.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location(
    "dependency_audit", ROOT / "scripts/dependency_audit.py"
)
dependency_audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dependency_audit)

VULNERABLE = {
    "dependencies": [
        {"name": "autodiag", "skip_reason": "distribution marked as editable"},
        {"name": "django", "version": "5.2.19", "vulns": []},
        {
            "name": "weasyprint",
            "version": "69.0",
            "vulns": [{"id": "GHSA-aaaa", "aliases": ["CVE-2026-1"], "fix_versions": ["70.0"]}],
        },
    ]
}


def test_a_known_vulnerability_fails_the_audit():
    found, unchecked = dependency_audit.problems(VULNERABLE, {})
    assert found == ["weasyprint 69.0: GHSA-aaaa (fixed in: 70.0)"]
    assert unchecked == []


def test_a_reviewed_exception_by_id_or_alias_passes():
    assert dependency_audit.problems(VULNERABLE, {"CVE-2026-1": "reviewed"}) == ([], [])


def test_a_dependency_that_could_not_be_checked_fails_the_audit():
    report = {"dependencies": [{"name": "celery", "skip_reason": "Dependency not found on PyPI"}]}
    assert dependency_audit.problems(report, {})[1] == ["celery: Dependency not found on PyPI"]
    # Some checked, some not: the service answers, so a gap is an error.
    partial = {"dependencies": [*report["dependencies"], VULNERABLE["dependencies"][1]]}
    status, message = dependency_audit.verdict(partial, {}, strict=False)
    assert status == 2
    assert "could not be checked" in message


def test_a_service_that_answers_for_nothing_is_reported_not_hidden():
    report = {
        "dependencies": [
            {"name": name, "skip_reason": "Dependency not found on PyPI"}
            for name in ("celery", "django")
        ]
    }
    status, message = dependency_audit.verdict(report, {}, strict=False)
    assert status == 0
    assert message.startswith("Dependency audit NOT PERFORMED")
    assert dependency_audit.verdict(report, {}, strict=True)[0] == 2


def test_vulnerabilities_fail_and_a_clean_report_passes():
    assert dependency_audit.verdict(VULNERABLE, {}, strict=False)[0] == 1
    clean = {"dependencies": VULNERABLE["dependencies"][:2]}
    assert dependency_audit.verdict(clean, {}, strict=True) == (
        0,
        "Dependency audit: 1 dependencies checked, no known vulnerability.",
    )


def test_exceptions_need_a_reason(tmp_path):
    path = tmp_path / "exceptions.txt"
    path.write_text("# comment\nGHSA-aaaa  Not used here (reviewed 2026-11-24)\n")
    assert dependency_audit.read_exceptions(path) == {
        "GHSA-aaaa": "Not used here (reviewed 2026-11-24)"
    }
    path.write_text("GHSA-bbbb\n")
    with pytest.raises(SystemExit, match="needs a reason"):
        dependency_audit.read_exceptions(path)


def test_the_shipped_exceptions_file_reads_and_dev_extras_pin_pip_audit():
    dependency_audit.read_exceptions()
    assert '"pip-audit==' in (ROOT / "pyproject.toml").read_text()
    assert "dependency_audit.py" in (ROOT / "scripts/test.sh").read_text()
