"""Real offline FreqAI backtests (one pair, a few days, short training windows) and the model
listing. Models and predictions go to a temporary user_data directory."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest
from freqtrade.configuration import Configuration
from freqtrade.enums import RunMode
from freqtrade.optimize.backtesting import Backtesting

from ftpack.ml_evidence import parse_log
from ftpack.offline import install
from ftpack.report import load_strategy_stats
from ftpack.tiers.ml.regime import REGIMES
from packtest import CONFIG_DIR, REPO, latest_result, run_freqtrade_offline

pytestmark = pytest.mark.slow  # real Freqtrade runs


def tiny_config(tmp_path: Path, base: str, freqai: dict) -> Path:
    """``base`` with short FreqAI windows and a temporary user_data directory."""
    (tmp_path / "user_data").mkdir()
    config = tmp_path / "config.json"
    config.write_text(json.dumps({
        "add_config_files": [str(CONFIG_DIR / base)],
        "user_data_dir": str(tmp_path / "user_data"),
        "freqai": {"identifier": "test", **freqai},
    }))
    return config


def backtest(tmp_path: Path, name: str, config: Path, args: list[str]) -> dict:
    """Run one offline backtest; return its strategy stats."""
    out = tmp_path / name
    out.mkdir()
    run_freqtrade_offline([
        "backtesting", "-c", str(config), *args,
        "--datadir", str(REPO / "user_data" / "data" / "binance"),
        "--strategy-path", str(REPO / "user_data" / "strategies"),
        "--freqaimodel-path", str(REPO / "user_data" / "freqaimodels"),
        "--export", "trades", "--backtest-directory", str(out),
    ])
    return load_strategy_stats(latest_result(out))


def trade_keys(stats: dict) -> list[tuple]:
    return [(t["pair"], t["open_date"], t["close_date"], t["profit_abs"]) for t in stats["trades"]]


@pytest.mark.parametrize(
    ("base", "pair", "timerange", "freqai"),
    [
        ("freqai-spot.json", "SUI/USDT", "20250801-20250805",
         {"train_period_days": 5, "backtest_period_days": 2}),
        ("freqai-futures.json", "ETH/USDT:USDT", "20250605-20250607",
         {"train_period_days": 2, "backtest_period_days": 1}),
    ],
)
def test_walk_forward_freqai_backtest_logs_every_window(in_repo, tmp_path, monkeypatch, caplog,
                                                        base, pair, timerange, freqai):
    config = tiny_config(tmp_path, base, freqai)
    monkeypatch.setenv("FREQTRADE__ML_GATE__ENABLED", "true")
    caplog.set_level(logging.INFO)
    gated = backtest(tmp_path, "gated", config, ["--pairs", pair, "--timerange", timerange])
    windows = parse_log(caplog.text)
    assert len(windows) == 2 and {w.pair for w in windows} == {pair}
    for window in windows:
        assert window.seconds is not None and window.seconds > 0
        tb = window.metrics["&-tb"]
        assert 1 <= len(tb["features"]) <= 15
        assert tb["n_validation"] > 0
        assert "accuracy" in window.metrics["&-regime"]
    assert gated["total_trades"] == len(gated["trades"])


def test_gate_off_trades_exactly_like_the_tier(in_repo, tmp_path):
    # The tier's own five pairs over two weeks (a few trades with its hyperopted defaults).
    config = tiny_config(tmp_path, "freqai-spot.json",
                         {"train_period_days": 5, "backtest_period_days": 7})
    args = ["--timerange", "20250801-20250815"]
    ml = backtest(tmp_path, "ml", config, args)
    tier = backtest(tmp_path, "tier", CONFIG_DIR / "backtest-tier2.json", args)
    assert tier["total_trades"] > 0
    assert trade_keys(ml) == trade_keys(tier)


def test_list_freqaimodels_shows_the_pack_model(in_repo, capsys):
    run_freqtrade_offline(["list-freqaimodels", "--userdir", "user_data", "-1"])
    assert "TripleBarrierLGBM" in capsys.readouterr().out.split()


def freqai_predictions(config: Path, pair: str, timerange: str) -> pd.DataFrame:
    """FreqAI's prediction columns of one in-process backtest analysis, indexed by date."""
    install()
    cfg = Configuration.from_files([str(config)])
    cfg.update({"runmode": RunMode.BACKTEST, "timerange": timerange,
                "strategy_path": str(REPO / "user_data" / "strategies"),
                "freqaimodel_path": str(REPO / "user_data" / "freqaimodels"),
                "datadir": REPO / "user_data" / "data" / "binance"})
    cfg["exchange"]["pair_whitelist"] = [pair]
    shutil.rmtree(Path(cfg["user_data_dir"]) / "models", ignore_errors=True)
    backtesting = Backtesting(cfg)
    data, _ = backtesting.load_bt_data()
    backtesting._set_strategy(backtesting.strategylist[0])
    frame = backtesting.strategy.advise_all_indicators(data)[pair].set_index("date")
    return frame[["up", "down", "flat", *REGIMES, "tb_threshold_up", "do_predict"]]


def test_predictions_do_not_change_when_the_future_is_cut(in_repo, tmp_path):
    """No look-ahead in the model output: a backtest cut at 2025-08-04 12:55 predicts every
    candle it predicts exactly as the full backtest does. (Only the cut run's very last candle
    has no prediction: FreqAI predicts candles before the range end, Freqtrade includes it.)
    """
    config = tiny_config(tmp_path, "freqai-spot.json",
                         {"train_period_days": 5, "backtest_period_days": 2})
    full = freqai_predictions(config, "SUI/USDT", "20250801-20250806")
    cut_end = int(pd.Timestamp("2025-08-04 12:55", tz="UTC").timestamp())
    start = int(pd.Timestamp("2025-08-01", tz="UTC").timestamp())
    cut = freqai_predictions(config, "SUI/USDT", f"{start}-{cut_end}")
    both = cut.index[(cut["do_predict"] == 1).to_numpy()]
    assert len(both) > 500
    assert (full.loc[both, "do_predict"] == 1).all()
    pd.testing.assert_frame_equal(cut.loc[both], full.loc[both])
