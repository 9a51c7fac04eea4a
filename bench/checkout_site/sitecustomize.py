"""Imported at start-up by every process a bench runs in a checkout (bench/journey.py puts
this directory on PYTHONPATH): drops the virtualenv's editable-install finder.

The virtualenv is shared between checkouts, and its editable install maps this project's
packages to the working tree it was installed from. PYTHONPATH puts the checkout first, but
the finder still answers for a module the checkout lacks (reports.admin in an older
checkout, say), and the older code would then import today's: without the finder, only the
checkout's own files are imported.
"""

import sys

sys.meta_path[:] = [
    finder
    for finder in sys.meta_path
    if not getattr(finder, "__module__", "").startswith("__editable__")
]
