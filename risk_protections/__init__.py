"""Absolute-money risk rules for small accounts."""
