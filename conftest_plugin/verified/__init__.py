"""A verified-fake suite of the customer-session life cycle, shipped with the package.

Every test is ``talon_verified``: it runs against the fake by default, and against your own
Talon.One sandbox with::

    TALON_BASE_URL=https://yourbaseurl.talon.one TALON_API_KEY=... TALON_MANAGEMENT_KEY=... \\
        pytest --pyargs talon_fakes._plugin.verified --talon-live

Each response is checked against its contract (add ``--talon-strict`` to fail on unknown
fields). The sessions it makes have fresh ``talon-fakes-`` integration IDs; nothing is deleted.
"""
