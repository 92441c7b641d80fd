"""Market replay: stock ``freqtrade trade`` against a local Binance-compatible replay of real data.

``clock`` (wall time → replay time), ``path`` (the price path inside a candle),
``market_data`` (the recorded files), ``orderbook`` (recorded or derived books), ``faults``
(injected exchange faults), ``exchange`` (what the exchange knows at the replay time),
``endpoints`` (Binance's REST JSON), ``server`` (aiohttp on 127.0.0.1), ``launch`` (ccxt URLs
and libfaketime for the bot), ``tiers`` (the pack's dry-run commands) and ``cli``
(``ftpack-replay``).
"""
