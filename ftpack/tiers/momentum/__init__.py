"""Tier 2 (SmallCapMomentum) rules that are its own: the intraday session."""
