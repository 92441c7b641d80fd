"""Real evaluations of Freqtrade's own SampleStrategy (never copied into the repository: it is
loaded from the installed freqtrade/templates): re-tuning, the HTML report in Chromium, the local
pool against a Dask cluster, and the cost sweep against plain ``freqtrade backtesting --fee``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import freqtrade
import pytest

from ftpack.evaluate.cli import main
from ftpack.report import load_strategy_stats
from packtest import REPO, latest_result, run_freqtrade_offline

pytestmark = pytest.mark.slow

TEMPLATES = Path(freqtrade.__file__).parent / "templates"
CONFIG = REPO / "tests" / "evaluate" / "sample-strategy.json"
BASE = ["-c", str(CONFIG), "--strategy-path", str(TEMPLATES), "--no-evidence"]
RUN_DEPENDENT = ("timings", "evaluated_at", "command")


def evaluate(out: Path, *extra: str) -> dict[str, Any]:
    assert main([*BASE, "--output-dir", str(out), *extra]) == 0
    return json.loads((out / "SampleStrategy.json").read_text())


@pytest.fixture(scope="module", autouse=True)
def from_repo() -> Any:
    """Freqtrade resolves ./user_data from the working directory."""
    before = Path.cwd()
    os.chdir(REPO)
    yield
    os.chdir(before)


@pytest.fixture(scope="module")
def retuned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("retune")
    return evaluate(out), out


def test_sample_strategy_is_retuned_on_each_train_window(retuned) -> None:
    doc, out = retuned
    assert doc["strategy"] == "SampleStrategy" and doc["mode"] == "retune"
    assert [f["train"] for f in doc["folds"]] == [["2025-05-02", "2025-05-08"],
                                                  ["2025-05-06", "2025-05-12"],
                                                  ["2025-05-10", "2025-05-16"]]
    assert [f["test"] for f in doc["folds"]] == [["2025-05-08", "2025-05-12"],
                                                 ["2025-05-12", "2025-05-16"],
                                                 ["2025-05-16", "2025-05-20"]]
    assert all(f["pairs"] == ["BTC/USDT", "ETH/USDT"] for f in doc["folds"])
    assert [f["hyperopt"]["random_state"] for f in doc["folds"]] == [7, 8, 9]
    assert all(f["hyperopt"]["epochs"] == 4 for f in doc["folds"])
    # DSR trials: 4 epochs x 3 folds + 1 stated hand-tried variant
    assert doc["trials"]["total"] == 13 == doc["deflated_sharpe"]["n_trials"]
    assert doc["pbo"]["applicable"] and doc["pbo"]["n_configurations"] >= 2
    taker = doc["performance"]["taker"]
    assert taker["trades"] == sum(f["trades"] for f in doc["folds"]) > 0
    assert doc["fees"]["per_side"] == {"zero": 0.0, "maker": 0.001, "realistic": 0.001,
                                       "taker": 0.001, "taker+slippage": pytest.approx(0.003)}
    assert doc["verdict_cost"] == "taker"
    assert doc["performance"]["realistic"] == taker  # same fee: one run serves both levels
    assert "trades" in doc["targets"]["missed"] and not doc["targets"]["met"]
    assert set(doc["by_cost"]) == {"taker", "realistic"}
    assert doc["by_cost"]["taker"]["verdict"] == doc["verdict"]["verdict"]
    assert doc["by_cost"]["taker"]["failed"] == doc["verdict"]["failed"]
    assert doc["performance"]["zero"]["net_profit_abs"] > taker["net_profit_abs"]
    assert doc["verdict"]["verdict"] == "no edge"  # 12 days cannot give 100 trades
    assert "out_of_sample_trades" in doc["verdict"]["failed"]
    assert len(doc["code_hash"]) == 64
    audit = doc["risk_audit"]
    assert audit["breaches_stressed"] == sum(f["breaches_stressed"] for f in doc["folds"])
    # the whole data holds every crash the history before a fold's start holds, and more
    for when in ("trade", "day"):
        stressed, record = audit[f"stressed_worst_{when}_abs"], audit[f"record_worst_{when}_abs"]
        assert record <= stressed < 0
        assert stressed == min(f[f"stressed_worst_{when}_abs"] for f in doc["folds"])
    # the latest fold's choice, in Freqtrade's parameter-file format
    params = json.loads((out / "SampleStrategy.params.json").read_text())
    assert params["params"]["buy"] == doc["folds"][-1]["parameters"]["buy"] == doc["parameters"][
        "buy"]


def test_the_html_report_loads_in_headless_chromium(retuned) -> None:
    from playwright.sync_api import sync_playwright

    _, out = retuned
    page_file = out / "SampleStrategy.html"
    text = page_file.read_text()
    assert 'src="http' not in text and len(text) > 1_000_000  # plotly.js is inlined
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium") or
                                     "/usr/bin/chromium",
                                     args=["--headless", "--no-sandbox", "--disable-gpu",
                                           "--disable-quic", "--no-first-run",
                                           "--disable-background-networking",
                                           "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri(), wait_until="load", timeout=60_000)
            traces = page.evaluate(
                "() => document.getElementById('evaluation').data"
                ".map(t => ({name: t.name, n: (t.y || t.x || []).length}))")
        finally:
            browser.close()
    assert errors == []
    equity = next(t for t in traces if t["name"] == "strategy equity")
    assert equity["n"] == 12  # one point per out-of-sample day
    assert {"buy & hold", "drawdown", "random-entry total profit", "daily loss limit"} <= {
        t["name"] for t in traces}


def test_dask_cluster_gives_the_same_json_as_the_local_pool(tmp_path) -> None:
    from distributed import LocalCluster

    local = evaluate(tmp_path / "pool", "--profile", "fixed")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      scheduler_port=0, dashboard_address=None) as cluster:
        dask = evaluate(tmp_path / "dask", "--profile", "fixed", "--scheduler",
                        cluster.scheduler_address)
    assert len(local["folds"]) == 2
    for key in RUN_DEPENDENT:
        local.pop(key), dask.pop(key)
    assert dask == local

    # The cost sweep's repeated runs on one loaded window equal a fresh Freqtrade run.
    fold = local["folds"][0]
    directory = tmp_path / "cli"
    directory.mkdir()
    run_freqtrade_offline([
        "backtesting", "-c", str(CONFIG), "--strategy-path", str(TEMPLATES),
        "--timerange", "1746144000-1746402900", "--fee", "0.003", "--export", "trades",
        "--backtest-directory", str(directory), "--cache", "none",
    ])
    stats = load_strategy_stats(latest_result(directory))
    assert fold["test"] == ["2025-05-02", "2025-05-05"]
    assert stats["total_trades"] > 0
    assert stats["profit_total_abs"] == pytest.approx(fold["profit_by_cost"]["taker+slippage"])
