"""The evidence command's log parser on FreqAI's and the model's own log line formats."""

from __future__ import annotations

import pandas as pd

from ftpack.ml_evidence import parse_log

LOG = """\
2026-11-22 04:40:25,320 - freqtrade.freqai.freqai_interface - INFO - Training SUI/USDT, 1/2 pairs from 2025-07-02 00:00:00 to 2025-08-01 00:00:00, 1/2 trains
2026-11-22 04:40:53,755 - TripleBarrierLGBM - INFO - ftpack-ml window {"pair": "SUI/USDT", "&-tb": {"auc_up": 0.54, "features": ["%-a", "%-b"]}, "&-regime": {"accuracy": NaN}}
2026-11-22 04:40:53,755 - freqtrade.freqai.base_models.BaseClassifierModel - INFO - -------------------- Done training SUI/USDT (1.68 secs) --------------------
2026-11-22 04:40:54,320 - freqtrade.freqai.freqai_interface - INFO - Training SUI/USDT, 1/2 pairs from 2025-07-09 00:00:00 to 2025-08-08 00:00:00, 2/2 trains
2026-11-22 04:40:54,329 - freqtrade.freqai.data_kitchen - INFO - Found backtesting prediction file at
2026-11-22 04:40:55,320 - freqtrade.freqai.freqai_interface - INFO - Training OP/USDT, 2/2 pairs from 2025-07-02 00:00:00 to 2025-08-01 00:00:00, 1/2 trains
2026-11-22 04:40:56,755 - freqtrade.freqai.base_models.BaseClassifierModel - INFO - -------------------- Done training SUI/USDT (9.00 secs) --------------------
"""  # noqa: E501


def test_parse_log_pairs_windows_with_their_metrics_and_times():
    first, reused, other = parse_log(LOG)
    assert (first.pair, first.train_end) == ("SUI/USDT", pd.Timestamp("2025-08-01", tz="UTC"))
    assert first.seconds == 1.68
    assert first.metrics["&-tb"]["features"] == ["%-a", "%-b"]
    assert first.metrics["&-regime"]["accuracy"] != first.metrics["&-regime"]["accuracy"]  # NaN
    assert reused.seconds is None and reused.metrics == {}  # predictions reused, no training
    assert other.pair == "OP/USDT" and other.seconds is None  # a timing line of another pair
