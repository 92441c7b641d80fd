"""Pure decision rules of the Tier 3 perpetual scalper (PerpScalper).

Each module holds one rule family as small functions on plain numbers (or numpy arrays), so
the strategy stays a thin adapter over Freqtrade callbacks and every rule can be unit-tested
on hand-built price paths: ``leverage`` (leverage ladder), ``exits`` (R-multiple partial
exits, breakeven and ATR trailing stop, time and regime exits), ``guards`` (flash-crash
move, liquidation buffer), ``funding`` (funding-rate bias) and ``breakeven`` (fee break-even).
"""
