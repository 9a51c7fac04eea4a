"""The audit log: who did what, when, from which address. Append-only.

`audit.record(...)` is the one way to write an entry, from services, views, access
helpers and signal receivers. It never takes a password, a token or an answer's text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Entry


def record(action: str, **kwargs: Any) -> Entry | None:
    """Append an entry; see audit.services.record for the arguments."""
    from .services import record as _record

    return _record(action, **kwargs)
