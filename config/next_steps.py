"""What the company should do next, from where it stands: a pure function over plain data,
ranked, the most pressing step first. The home page turns each step into a labelled link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

CONTINUE = "continue"
CONFIRM = "confirm"
SUBMIT = "submit"
START = "start"
INVITE = "invite"
REVIEW_LINES = "review_lines"
FILE_REQUESTS = "file_requests"
OVERDUE = "overdue"
MARK_DONE = "mark_done"
REQUEST_PDF = "request_pdf"
REASSESS = "reassess"

# Steps only an administrator of the company can take.
ADMIN_STEPS = frozenset(
    {SUBMIT, START, INVITE, REVIEW_LINES, FILE_REQUESTS, OVERDUE, MARK_DONE, REASSESS}
)


@dataclass(frozen=True)
class Situation:
    """Where the company stands, as the home page reads it."""

    is_admin: bool
    today: date
    reassess_after_days: int
    members: int = 1
    draft: bool = False
    answered: int = 0
    visible: int = 0
    to_confirm: int = 0  # answers copied from the previous diagnostic, not confirmed yet
    last_submitted_on: date | None = None
    has_plan: bool = False
    proposed_lines: int = 0
    accepted_lines: int = 0
    overdue_lines: int = 0  # accepted lines whose target quarter is over
    requests_to_file: int = 0  # accepted first-year lines a route may fund, not requested yet
    pdf: str = "none"  # "none", "pending", "current" or "outdated"


def next_steps(s: Situation) -> list[str]:
    """The steps to take, most pressing first; an administrator's steps only for one."""
    steps: list[str] = []
    if s.draft:
        complete = s.visible > 0 and s.answered >= s.visible
        if s.to_confirm:  # submission waits for them
            steps += [CONFIRM] if complete else [CONFIRM, CONTINUE]
        elif complete:
            steps += [SUBMIT, CONTINUE]
        else:
            steps += [CONTINUE, SUBMIT]
    elif s.last_submitted_on is None:
        steps.append(START)
    if s.members <= 1:
        steps.append(INVITE)
    if s.has_plan:
        if s.proposed_lines:
            steps.append(REVIEW_LINES)
        if s.requests_to_file:  # the OPCO agrees before the training starts
            steps.append(FILE_REQUESTS)
        if s.overdue_lines:  # done since, or to plan again
            steps.append(OVERDUE)
        if s.accepted_lines > s.overdue_lines:
            steps.append(MARK_DONE)
        if s.pdf in ("none", "outdated"):
            steps.append(REQUEST_PDF)
    if (
        not s.draft
        and s.last_submitted_on is not None
        and s.today >= s.last_submitted_on + timedelta(days=s.reassess_after_days)
    ):
        steps.insert(0, REASSESS)  # a year on, the plan's steps belong to the new round
    if not s.is_admin:
        steps = [step for step in steps if step not in ADMIN_STEPS]
    return steps
