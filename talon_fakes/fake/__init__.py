"""The stateful fake of the session endpoints, bottom to top.

``model`` (sessions, profiles, the clock) -> ``backend`` (one method per operation, ``reset``)
-> ``wire`` (domain <-> Talon.One JSON) -> ``app`` (the HTTP handlers, bound to the routes table)
-> ``server`` (:class:`~talon_fakes.fake.server.TalonFake` on a socket) and ``inprocess``.
The domain modules import no HTTP library; the fake never imports the generators.
"""
