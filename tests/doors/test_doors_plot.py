"""The README's `plot-dataframe` commands, as written, chart every strategy's plot_config."""

from __future__ import annotations

import pytest
from doors_helpers import (
    command_config,
    option,
    plot_columns,
    plot_file,
    plot_files_locked,
    readme_commands,
    run,
)
from doors_helpers import trace_names as names

# Shares its plot files with test_doors_backtest.py: one xdist group, one worker.
pytestmark = pytest.mark.xdist_group("plot-files")

PLOTS = readme_commands("freqtrade-offline plot-dataframe")
FRESH_CLONE = [c for c in PLOTS if "--no-trades" in c]


def test_readme_plots_every_strategy_on_a_fresh_clone() -> None:
    strategies = {command_config(c)["strategy"] for c in FRESH_CLONE}
    assert strategies == {"StablecoinSpread", "SmallCapMomentum", "PerpScalper",
                          "SmallCapMomentumML", "PerpScalperML"}


@pytest.mark.slow
@pytest.mark.parametrize("command", FRESH_CLONE, ids=lambda c: command_config(c)["strategy"])
def test_plot_dataframe_html_holds_every_plot_config_column(command: list[str]) -> None:
    config = command_config(command)
    pairs = [option(command, "--pairs")]
    files = [plot_file(pair, config["timeframe"]) for pair in pairs]
    with plot_files_locked():
        for path in files:
            path.unlink(missing_ok=True)
        done = run(command)
        htmls = [path.read_text(encoding="utf-8") for path in files if path.exists()]
    assert done.returncode == 0, done.stderr[-3000:]
    assert "not found in your strategy" not in done.stderr  # plot_config names a missing column
    assert len(htmls) == len(files), done.stderr[-3000:]
    columns = plot_columns(config["strategy"])
    for path, html in zip(files, htmls, strict=True):
        missing = set(columns) - names(html)
        assert not missing, f"{path.name} lacks {sorted(missing)}"
