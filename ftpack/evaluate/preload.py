"""Imported once by the fold pool's fork server, so every fold process starts with Freqtrade's
backtesting and hyperopt code and the bundled markets snapshot already loaded (a fork is cheap;
importing them costs seconds per process).
"""

import freqtrade.optimize.backtesting
import freqtrade.optimize.hyperopt
import freqtrade.optimize.optimize_reports
import talib.abstract

import risk_protections
from ftpack.offline import load_snapshot, snapshot_path

load_snapshot(snapshot_path())

__all__ = ["freqtrade", "risk_protections", "talib"]
