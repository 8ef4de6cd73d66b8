"""The stateful fake of the session endpoints, in three rooms, bottom to top.

``domain`` (sessions, the store and its operations, campaigns and effects, and ``wire``: their
Talon.One JSON; no HTTP) -> ``web`` (requests parsed, routed, authenticated and answered by
:class:`~talon_fakes.fake.web.app.FakeApp`, served by a keep-alive HTTP/1.1 server; the OpenAPI
document) -> ``control`` (the ``/__admin/`` API, the journal view, the dashboard, the request
log). :mod:`~talon_fakes.fake.server` (:class:`~talon_fakes.fake.server.TalonFake`, on a socket)
and :mod:`~talon_fakes.fake.inprocess` (no socket) are the two ways to run it. Imports point down
only, and the fake never imports the generators (``tests/unit/test_layers.py``).
"""
