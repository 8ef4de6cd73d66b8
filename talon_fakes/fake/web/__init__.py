"""The fake's HTTP layer: a request in, Talon.One's answer out.

``calls`` parses a request (from werkzeug or straight from an in-process client), ``intake``
bounds and decodes its body, ``routes`` maps it to an operation of :mod:`talon_fakes.api`,
``credentials`` checks its keys (spelled as :mod:`talon_fakes.auth` says), ``locks`` orders
concurrent writes to a session, ``handlers`` run the domain's operations, and ``app``
(:class:`~talon_fakes.fake.web.app.FakeApp`) ties them together with injected faults and the
``journal``. ``httpserver`` and
``httpconnection`` serve it over keep-alive HTTP/1.1; ``openapi*`` describe it.
"""
