"""The fake's domain: sessions and their rules, with no HTTP in sight.

``model`` (sessions, cart items, profiles, the clock) -> ``changes`` (what an operation carries and
makes) -> ``backend`` (the store: one method per operation, ``reset``), with ``profiles``,
``queries`` and ``session_history`` beside it; ``campaign_model``/``campaigns`` (declared
campaigns), ``code_checks``, ``effects`` and ``rollbacks`` (what the rule engine answers);
``wire`` turns all of it into Talon.One's JSON and back; ``effects_hook`` checks a test's stand-in
for the rule engine. Nothing here imports an HTTP or test
library, or anything of the fake above it (a test reads every import to keep it so).
"""
