"""The pack's FreqAI machinery: labels, purged walk-forward training, feature selection,
the regime model's labels and the ML gate the tiers call.

Modules (one job each): :mod:`labels` (triple-barrier targets), :mod:`regime` (regime labels),
:mod:`features` (FreqAI feature hooks shared by the ML tier variants), :mod:`splits` (purged,
embargoed walk-forward folds), :mod:`selection` (importance-based feature selection),
:mod:`training` (fit + validation of one FreqAI window), :mod:`gate` (entry gate and stake
scale from the model's output), :mod:`tier` (the mixin that makes a tier's FreqAI variant),
:mod:`evidence` (the per-window report command).
"""
