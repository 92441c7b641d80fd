"""RiskGuarded: run any strategy under the pack's risk rules.

``freqtrade backtesting --strategy RiskGuarded -c … `` with ``"risk": {"strategy": "<Name>"}``
in a config layer (``<Name>`` found in ``--strategy-path`` or ``user_data/strategies``). See
``risk_protections/guarded.py``.
"""

from typing import Any

from freqtrade.constants import Config
from freqtrade.strategy import IStrategy

from risk_protections.guarded import guarded_strategy


class RiskGuarded(IStrategy):
    """Freqtrade loads this class by name; it answers with the named strategy under the rules."""

    def __new__(cls, config: Config) -> Any:
        return guarded_strategy(config)
