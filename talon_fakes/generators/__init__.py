"""Generators: documents valid by construction, from one set of builders.

``sources`` (a seeded random source or Hypothesis draws) -> ``builders`` (sessions from legal
histories) -> ``entities`` (one per contract) -> ``factories`` (Faker) and ``strategies``
(Hypothesis). ``traits`` holds an entity's checked options, ``overrides`` the JSON-named overrides
and the totals derived after them, ``promotions`` the rule-engine outcomes a generated session can
show; ``histories`` and ``mutations`` (one-rule-broken documents) sit beside them. ``talon-fakes
sample`` is :mod:`talon_fakes.cli.sample`.
"""
