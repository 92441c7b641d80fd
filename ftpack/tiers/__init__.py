"""The tiers' rule libraries: pure functions the strategies in ``user_data/strategies`` wire
to Freqtrade's callbacks (``indicators`` shared by tiers 2 and 3, ``momentum`` tier 2,
``scalping`` tier 3, ``stablecoin`` tier 1, ``ml`` the FreqAI variants).
"""
