"""Tier 1 building blocks: stablecoin fair value, de-peg guard, fees and the cycle scanner."""
