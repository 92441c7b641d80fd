"""The small-account Freqtrade pack: the tiers' rule libraries (``ftpack.tiers``) and the tools
around them (offline markets, evaluation, reports).
"""
