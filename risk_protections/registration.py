"""Make Freqtrade's ProtectionResolver find this package's protections.

Freqtrade resolves a protection by scanning only its own ``plugins/protections`` folder
(``ProtectionResolver.user_subdir`` is None, so ``user_data`` is never searched). ``register()``
wraps ``ProtectionResolver.load_object`` so that names in ``PROTECTIONS`` resolve to these
classes (imported by reference, so they unpickle in hyperopt workers) and every other name
falls through to Freqtrade unchanged. It runs on ``import risk_protections``, which every
strategy using ``RiskManagedMixin`` does before Freqtrade builds its ProtectionManager
(backtesting, hyperopt workers, dry-run and live). It is idempotent.
"""

from __future__ import annotations

import logging
from typing import Any

from freqtrade.constants import Config
from freqtrade.resolvers import ProtectionResolver

from risk_protections.protections import PROTECTIONS

logger = logging.getLogger(__name__)

_MARKER = "_risk_protections_registered"


def is_registered() -> bool:
    """True when ``register()`` has patched ProtectionResolver in this process."""
    return bool(getattr(ProtectionResolver, _MARKER, False))


def register() -> None:
    """Route PROTECTIONS names through ProtectionResolver.load_object (once per process)."""
    if is_registered():
        return
    freqtrade_load_object = ProtectionResolver.load_object

    def load_object(
        cls: type[ProtectionResolver],
        object_name: str,
        config: Config,
        *,
        kwargs: dict[str, Any],
        extra_dir: str | None = None,
    ) -> Any:
        protection = PROTECTIONS.get(object_name)
        if protection is None:
            return freqtrade_load_object(object_name, config, kwargs=kwargs, extra_dir=extra_dir)
        logger.info(f"Using resolved protection {object_name} from '{protection.__module__}'...")
        return protection(**kwargs)

    ProtectionResolver.load_object = classmethod(load_object)
    setattr(ProtectionResolver, _MARKER, True)
