"""The exception every startup refusal of the pack raises.

Freqtrade's ``main`` ends the process with status 2 for a ``FreqtradeException`` but catches
``ConfigurationError`` separately and leaves the status unset, so ``sys.exit(None)`` reports
success (0) to a supervisor or CI. ``PackConfigError`` is an ``OperationalException`` that is not
a ``ConfigurationError``: wherever it is raised at startup (strategy load, ``bot_start``, the
protection manager), the process logs the message and exits 2. Messages start with the key the
owner sets, e.g. ``risk.pause_minutes: …`` or ``api_server.jwt_secret_key: …``.
"""

from __future__ import annotations

from freqtrade.exceptions import OperationalException


class PackConfigError(OperationalException):
    """An impossible or unsafe setting; the message starts with the owner's key."""
