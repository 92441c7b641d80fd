"""Any Freqtrade strategy under the pack's risk rules, chosen in the config.

``freqtrade backtesting --strategy RiskGuarded`` with ``"risk": {"strategy": "SampleStrategy"}``
loads the named strategy with Freqtrade's own ``StrategyResolver`` (the same search paths:
``--strategy-path``, ``user_data/strategies``) and builds, at run time, the class::

    class RiskGuarded(RiskManagedMixin, SampleStrategy): ...

so the wrapped strategy keeps its signals, stop, ROI and callbacks, and gains the risk layer:
the four risk protections (its own protections are appended, like ``risk_extra_protections``),
risk-capped stakes (its own ``custom_stake_amount``, when it has one, cut to the rules), the
entry veto, the data checks and the startup validation. A strategy that already uses
``RiskManagedMixin`` is used as it is. The class is named ``RiskGuarded`` (the
``--strategy`` name, which backtest results and the audit use); the log names the wrapped one.

Backtesting, dry-run and live. Hyperopt pickles strategies by class name and cannot rebuild
this class in its workers: hyperopt the strategy itself, with ``RiskManagedMixin`` in its file.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from freqtrade.constants import Config
from freqtrade.resolvers import StrategyResolver
from freqtrade.strategy import IStrategy

from risk_protections.config import risk_section
from risk_protections.errors import PackConfigError
from risk_protections.mixin import RiskManagedMixin

logger = logging.getLogger(__name__)

NAME = "RiskGuarded"
KEY = "risk.strategy"


def wrapped_class(config: Config) -> type[IStrategy]:
    """The strategy class named by ``risk.strategy``, found as Freqtrade finds strategies."""
    name = risk_section(config).get("strategy")
    if not isinstance(name, str) or not name or name == NAME:
        raise PackConfigError(
            f"{KEY}: {NAME} needs the name of the strategy to run under the risk rules, "
            f'e.g. "risk": {{"strategy": "SampleStrategy"}}; got {name!r}.'
        )
    try:
        strategy = StrategyResolver.load_strategy({**copy.deepcopy(config), "strategy": name})
    except PackConfigError:
        raise
    except Exception as err:
        raise PackConfigError(f"{KEY}: cannot load strategy {name!r}: {err}") from err
    return type(strategy)


def _declares_order_types(target: type[IStrategy]) -> bool:
    classes = target.__mro__[: target.__mro__.index(IStrategy)]
    return any("order_types" in vars(cls) for cls in classes)


def _stake_within_the_rules(target: type[IStrategy]) -> Any:
    """``custom_stake_amount`` that lets the risk layer cut the strategy's own stake: the
    strategy's choice is passed to ``RiskManagedMixin.custom_stake_amount`` as the proposed
    stake, which keeps the smaller of it and the rules' bound."""
    own = target.custom_stake_amount

    def custom_stake_amount(self: Any, *, proposed_stake: float, **kwargs: Any) -> float:
        wanted = own(self, proposed_stake=proposed_stake, **kwargs)
        return RiskManagedMixin.custom_stake_amount(self, proposed_stake=wanted, **kwargs)

    return custom_stake_amount


def guarded_class(target: type[IStrategy]) -> type[IStrategy]:
    """``RiskGuarded(RiskManagedMixin, target)``; ``target`` itself when it has the mixin."""
    if issubclass(target, RiskManagedMixin):
        return target
    attrs: dict[str, Any] = {"__module__": target.__module__, "__doc__": target.__doc__}
    own = vars(target).get("protections", getattr(target, "protections", []))
    if isinstance(own, property) and own.fget is not None:
        getter = own.fget
        attrs["risk_extra_protections"] = property(lambda self: list(getter(self) or []))
    else:
        attrs["risk_extra_protections"] = list(own or [])
    if target.adjust_trade_position is not IStrategy.adjust_trade_position:
        attrs["adjust_trade_position"] = target.adjust_trade_position  # capped by the mixin
    if target.custom_stake_amount is not IStrategy.custom_stake_amount:
        attrs["custom_stake_amount"] = _stake_within_the_rules(target)
    if _declares_order_types(target):  # the mixin keeps a strategy's declared stop choice
        attrs["order_types"] = dict(target.order_types)
    return type(NAME, (RiskManagedMixin, target), attrs)


def guarded_strategy(config: Config) -> IStrategy:
    """An instance of the strategy named by ``risk.strategy`` under the risk rules."""
    target = wrapped_class(config)
    logger.info(f"risk: {NAME} runs {target.__name__} under the pack's risk rules.")
    return guarded_class(target)(config)
