"""The ``evaluation`` config section: fold layout, re-tuning, cost levels, seeds and thresholds.

A config's ``evaluation`` section holds the defaults; ``evaluation.profiles.<name>`` overlays
(selected with ``--profile``) change some keys for one kind of run, e.g. a quick fixed-parameter
run on the bundled data and a full re-tuning run on the development history. Command-line
options override both.

Cost levels: Freqtrade charges one fee per side (``--fee``) on every fill, so each level is a
fee per side applied to both sides: ``zero`` = 0, ``maker`` = maker fee, ``realistic`` = what
the strategy's orders really pay, ``taker`` = taker fee, ``taker+slippage`` = taker fee +
``risk.slippage`` (the slippage allowance of the risk layer, charged on both fills). Fees come
from ``evaluation.fees[<trading mode>]``; the defaults are Binance's base rates (spot 0.1 %
maker and taker, 0.075 % with ``"bnb_discount": true``; USDT-M futures 0.02 % maker, 0.05 %
taker). ``evaluation.fees.realistic`` says what the orders pay:

* ``{"entry": "maker", "exit": "taker"}``: the mean of the two fees per side (one fee on both
  fills gives the same round trip), 25 % lower with ``"bnb_discount": true`` (spot fees paid
  in BNB); the default is taker on both;
* ``{"pair_fees": "stablecoin.fees", "liquidity": "maker"}``: the config's dated per-pair
  table (:mod:`risk_protections.fees`), the largest fee any evaluated pair paid at any time
  of the evaluated folds (resolved by the evaluator once the folds are planned).

``evaluation.verdict_cost`` names the level the verdict, the statistics and the re-tuning
read (default ``taker``; ``realistic`` judges at the fee the bot really pays).
``evaluation.trial_ledger`` names a research ledger (JSON lines, :mod:`ftpack.evaluate.trials`)
whose distinct variants count as trials in the Deflated Sharpe Ratio, besides
``variants_tried_by_hand``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from freqtrade.exceptions import ConfigurationError

DEFAULT_FEES: dict[str, dict[str, float]] = {
    "spot": {"maker": 0.001, "taker": 0.001},
    "futures": {"maker": 0.0002, "taker": 0.0005},
}
BNB_DISCOUNT = 0.25  # Binance spot: fees paid in BNB are 25 % lower (0.1 % -> 0.075 %)
PRIMARY_COST = "taker"  # the verdict's cost level unless evaluation.verdict_cost says otherwise
REALISTIC = "realistic"
COST_LABELS = ("zero", "maker", REALISTIC, PRIMARY_COST, "taker+slippage")
LIQUIDITY = ("maker", "taker")
# settings derived from evaluation.fees.realistic, not keys of the section
DERIVED = frozenset({"realistic_fee", "realistic_basis", "pair_fees", "pair_fee_liquidity"})
MODES = ("fixed", "retune")


@dataclass(frozen=True)
class HyperoptSettings:
    """Freqtrade hyperopt on each fold's train window (re-tune mode)."""

    epochs: int = 40
    loss: str = "SharpeHyperOptLossDaily"
    spaces: tuple[str, ...] = ("buy", "sell")
    min_trades: int = 1
    random_state: int = 2025  # fold i uses random_state + i
    top_k: int = 5  # parameter sets per fold backtested out of sample for the PBO matrix


@dataclass(frozen=True)
class EvaluationSettings:
    """Everything that shapes one evaluation (see the module docstring)."""

    mode: str = "fixed"
    train_days: int = 30
    test_days: int = 7
    step_days: int | None = None  # default: test_days
    anchored: bool = False
    start: str | None = None  # YYYYMMDD: evaluate no data before this day
    end: str | None = None  # YYYYMMDD: ... nor from this day on
    required_pairs: tuple[str, ...] = ()  # data every fold needs (informative pairs)
    min_pairs: int = 1
    datadir: str | None = None
    hyperopt: HyperoptSettings = field(default_factory=HyperoptSettings)
    fees: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_FEES["spot"]))
    slippage: float = 0.002
    # realistic fee per side; None until resolved from a dated per-pair table (pair_fees)
    realistic_fee: float | None = None
    realistic_basis: str = "taker entries and exits"
    pair_fees: str | None = None  # config key of a dated per-pair fee table
    pair_fee_liquidity: str = "maker"
    verdict_cost: str = PRIMARY_COST
    trial_ledger: str | None = None
    variants_tried_by_hand: int | None = None
    parameters_tuned_on: str | None = None  # YYYYMMDD-YYYYMMDD the fixed parameters were chosen on
    null_seeds: int = 200
    bootstrap_reps: int = 2000
    seed: int = 2025
    thresholds: dict[str, Any] = field(default_factory=dict)

    @property
    def step(self) -> int:
        return self.step_days or self.test_days

    @property
    def retune(self) -> bool:
        return self.mode == "retune"

    def costs(self) -> dict[str, float]:
        """Fee per side of each cost level, in COST_LABELS order."""
        if self.realistic_fee is None:
            raise ValueError(f"the realistic fee from {self.pair_fees} is not resolved yet")
        return {
            "zero": 0.0,
            "maker": self.fees["maker"],
            REALISTIC: self.realistic_fee,
            PRIMARY_COST: self.fees["taker"],
            "taker+slippage": self.fees["taker"] + self.slippage,
        }

    def hand_variants(self) -> int:
        """Hand-tried variants for the DSR's trial count (1 = only this one, when not stated)."""
        return self.variants_tried_by_hand or 1


def _fail(key: str, message: str) -> ConfigurationError:
    return ConfigurationError(f"evaluation.{key}: {message}")


def _int(section: dict[str, Any], key: str, minimum: int) -> int:
    value = section[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _fail(key, f"must be a whole number >= {minimum}, got {value!r}.")
    return value


def _fee_table(section: dict[str, Any], trading_mode: str) -> dict[str, float]:
    raw = section.get("fees") or {}
    if not isinstance(raw, dict):
        raise _fail("fees", f"must be an object per trading mode, got {raw!r}.")
    fees = {**DEFAULT_FEES[trading_mode], **(raw.get(trading_mode) or {})}
    for side in ("maker", "taker"):
        fee = fees[side]
        if isinstance(fee, bool) or not isinstance(fee, int | float) or not 0 <= fee < 0.1:
            raise _fail(f"fees.{trading_mode}.{side}", f"must be 0 <= fee < 0.1, got {fee!r}.")
    if raw.get("bnb_discount"):
        if trading_mode != "spot":
            raise _fail("fees.bnb_discount", "applies to spot fees only.")
        fees = {side: fee * (1 - BNB_DISCOUNT) for side, fee in fees.items()}
    return {"maker": float(fees["maker"]), "taker": float(fees["taker"])}


def _realistic(section: dict[str, Any], fees: dict[str, float], trading_mode: str
               ) -> dict[str, Any]:
    """``realistic_fee``/``realistic_basis`` or ``pair_fees`` from ``fees.realistic``."""
    raw = (section.get("fees") or {}).get(REALISTIC) or {"entry": "taker", "exit": "taker"}
    if not isinstance(raw, dict):
        raise _fail("fees.realistic", f"must be an object, got {raw!r}.")
    if "pair_fees" in raw:
        unknown = sorted(set(raw) - {"pair_fees", "liquidity"})
        liquidity = raw.get("liquidity", "maker")
        if unknown or liquidity not in LIQUIDITY or not isinstance(raw["pair_fees"], str):
            raise _fail("fees.realistic", "needs pair_fees (a config key) and optional "
                                          f"liquidity (maker or taker), got {raw!r}.")
        return {"realistic_fee": None, "pair_fees": raw["pair_fees"],
                "pair_fee_liquidity": liquidity,
                "realistic_basis": f"{liquidity} fee of each pair's dated {raw['pair_fees']}"}
    sides = {k: v for k, v in raw.items() if k != "bnb_discount"}
    if set(sides) != {"entry", "exit"} or not set(sides.values()) <= set(LIQUIDITY):
        raise _fail("fees.realistic", "needs entry and exit (maker or taker each; optional "
                                      f"bnb_discount), or pair_fees, got {raw!r}.")
    fee = (fees[raw["entry"]] + fees[raw["exit"]]) / 2
    basis = f"{raw['entry']} entries, {raw['exit']} exits"
    if raw.get("bnb_discount"):
        if trading_mode != "spot":
            raise _fail("fees.realistic.bnb_discount", "applies to spot fees only.")
        fee, basis = fee * (1 - BNB_DISCOUNT), f"{basis}, fees paid in BNB (-25 %)"
    return {"realistic_fee": fee, "realistic_basis": basis}


def merged_section(config: dict[str, Any], profile: str | None) -> dict[str, Any]:
    """``config["evaluation"]`` with ``profiles[profile]`` laid over it (nested dicts merged)."""
    section = dict(config.get("evaluation") or {})
    profiles = section.pop("profiles", {}) or {}
    if profile is None:
        return section
    if profile not in profiles:
        raise _fail("profiles", f"no profile {profile!r} (known: {', '.join(profiles) or 'none'}).")
    for key, value in profiles[profile].items():
        if isinstance(value, dict) and isinstance(section.get(key), dict):
            section[key] = {**section[key], **value}
        else:
            section[key] = value
    return section


def parse_settings(
    config: dict[str, Any], profile: str | None = None, overrides: dict[str, Any] | None = None
) -> EvaluationSettings:
    """Validated settings from the config (``evaluation`` + profile) and command-line overrides.

    ``overrides`` holds only the options given on the command line (``None`` values ignored);
    ``hyperopt`` keys go in ``overrides["hyperopt"]``.
    """
    section = merged_section(config, profile)
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    hyper_over = overrides.pop("hyperopt", {}) or {}
    section = {**section, **overrides}
    defaults = EvaluationSettings()
    known = set(EvaluationSettings.__dataclass_fields__) - DERIVED
    unknown = sorted(set(section) - known)
    if unknown:
        raise _fail(unknown[0], f"unknown key (known: {', '.join(sorted(known))}).")
    merged = {f: section.get(f, getattr(defaults, f)) for f in known}
    if merged["mode"] not in MODES:
        raise _fail("mode", f"must be one of {', '.join(MODES)}, got {merged['mode']!r}.")
    for key, minimum in (("train_days", 0), ("test_days", 1), ("min_pairs", 1),
                         ("null_seeds", 10), ("bootstrap_reps", 100), ("seed", 0)):
        merged[key] = _int(merged, key, minimum)
    if merged["step_days"] is not None:
        merged["step_days"] = _int(merged, "step_days", 1)
    if merged["variants_tried_by_hand"] is not None:
        merged["variants_tried_by_hand"] = _int(merged, "variants_tried_by_hand", 1)
    if merged["mode"] == "retune" and merged["train_days"] < 1:
        raise _fail("train_days", "re-tuning needs a train window of at least 1 day.")
    hyper_raw = {**(section.get("hyperopt") or {}), **{k: v for k, v in hyper_over.items()
                                                         if v is not None}}
    hyper_known = set(HyperoptSettings.__dataclass_fields__)
    if set(hyper_raw) - hyper_known:
        raise _fail(f"hyperopt.{sorted(set(hyper_raw) - hyper_known)[0]}", "unknown key.")
    hyper = replace(HyperoptSettings(), **hyper_raw)
    for key, minimum in (("epochs", 1), ("min_trades", 0), ("random_state", 0), ("top_k", 1)):
        _int(hyper.__dict__, key, minimum)
    hyper = replace(hyper, spaces=tuple(hyper.spaces))
    trading_mode = "futures" if config.get("trading_mode") == "futures" else "spot"
    merged["fees"] = _fee_table(section, trading_mode)
    merged.update(_realistic(section, merged["fees"], trading_mode))
    if merged["verdict_cost"] not in COST_LABELS:
        raise _fail("verdict_cost", f"must be one of {', '.join(COST_LABELS)}, "
                                    f"got {merged['verdict_cost']!r}.")
    merged["slippage"] = float((config.get("risk") or {}).get("slippage", defaults.slippage))
    merged["required_pairs"] = tuple(merged["required_pairs"])
    merged["hyperopt"] = hyper
    merged["thresholds"] = dict(merged["thresholds"] or {})
    return EvaluationSettings(**merged)
