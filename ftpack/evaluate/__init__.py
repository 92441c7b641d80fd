"""Strategy evaluator: walk-forward out-of-sample evaluation of any Freqtrade strategy."""
