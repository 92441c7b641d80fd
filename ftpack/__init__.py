"""Shared code of the small-account Freqtrade pack: offline markets, paths and tier signals."""
