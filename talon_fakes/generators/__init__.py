"""Generators: documents valid by construction, from one set of builders.

``sources`` (a seeded random source or Hypothesis draws) -> ``builders`` (sessions from legal
histories) -> ``entities`` (one per contract) -> ``factories`` (Faker) and ``strategies``
(Hypothesis); ``histories``, ``mutations`` (one-rule-broken documents) and ``sample`` (the CLI's
streams) sit beside them.
"""
