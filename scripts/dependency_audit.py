"""Dependency audit: the installed (pinned) dependencies against known vulnerabilities.

Runs pip-audit on the virtual environment with its default vulnerability service, the
PyPI JSON API (https://pypi.org/pypi/<name>/<version>/json, which publishes the OSV
advisories of each release). Fails on any known vulnerability not listed, with a
reason, in dependency-audit-exceptions.txt, and when only some dependencies could be
checked. When the service answers for none of them (a network that does not reach it),
the audit says loudly that it checked nothing and lets the suite run, unless
DEPENDENCY_AUDIT_STRICT=1 asks to fail then too.

Usage: .venv/bin/python scripts/dependency_audit.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXCEPTIONS = ROOT / "dependency-audit-exceptions.txt"
SERVICE = "the PyPI JSON API (https://pypi.org/pypi/<name>/<version>/json)"


def read_exceptions(path: Path = EXCEPTIONS) -> dict[str, str]:
    """Reviewed exceptions: one `ID  reason` per line; `#` starts a comment."""
    exceptions: dict[str, str] = {}
    if not path.exists():
        return exceptions
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        vuln_id, _, reason = line.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{path.name}:{number}: {vuln_id} needs a reason after its id.")
        exceptions[vuln_id] = reason.strip()
    return exceptions


def problems(report: dict, exceptions: dict[str, str]) -> tuple[list[str], list[str]]:
    """(vulnerabilities not excepted, dependencies that could not be checked)."""
    found, unchecked = [], []
    for dep in report.get("dependencies", []):
        reason = dep.get("skip_reason")
        if reason:
            if "editable" not in reason:  # the project itself
                unchecked.append(f"{dep['name']}: {reason}")
            continue
        for vuln in dep.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            if ids & exceptions.keys():
                continue
            fixes = ", ".join(vuln.get("fix_versions", [])) or "none yet"
            found.append(f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in: {fixes})")
    return found, unchecked


def verdict(report: dict, exceptions: dict[str, str], *, strict: bool) -> tuple[int, str]:
    """(exit status, message) of an audit report."""
    found, unchecked = problems(report, exceptions)
    checked = sum(1 for d in report.get("dependencies", []) if not d.get("skip_reason"))
    if found:
        return 1, (
            "Dependency audit: known vulnerabilities in the pinned dependencies:\n  "
            + "\n  ".join(found)
            + "\nUpgrade the pin in pyproject.toml, or, once reviewed, list the id with "
            f"the reason in {EXCEPTIONS.name}."
        )
    if unchecked and (checked or strict):
        return 2, (
            f"Dependency audit: {len(unchecked)} dependencies could not be checked against "
            f"{SERVICE}.\n  " + "\n  ".join(unchecked[:5])
        )
    if unchecked:
        return 0, (
            f"Dependency audit NOT PERFORMED: {SERVICE} does not answer from this machine for "
            f"any of the {len(unchecked)} dependencies. Nothing was checked; run it where "
            "pypi.org answers (DEPENDENCY_AUDIT_STRICT=1 makes this an error)."
        )
    return 0, f"Dependency audit: {checked} dependencies checked, no known vulnerability."


def main() -> int:
    exceptions = read_exceptions()
    command = [
        str(Path(sys.executable).parent / "pip-audit"),
        "--local",
        "--skip-editable",
        "--progress-spinner",
        "off",
        "--format",
        "json",
    ]
    for vuln_id in exceptions:
        command += ["--ignore-vuln", vuln_id]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report = json.loads(result.stdout)
    except ValueError:
        print(
            f"Dependency audit: pip-audit could not query {SERVICE}.\n"
            "Check that this machine reaches pypi.org; CI must.\n" + result.stderr[-2000:],
            file=sys.stderr,
        )
        return 2
    status, message = verdict(
        report, exceptions, strict=os.environ.get("DEPENDENCY_AUDIT_STRICT") == "1"
    )
    print(message, file=sys.stderr if status or "NOT" in message else sys.stdout)
    return status


if __name__ == "__main__":
    sys.exit(main())
