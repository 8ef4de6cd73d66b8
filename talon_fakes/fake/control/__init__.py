"""The fake's control API (``/__admin/``) and what it shows: seeding, faults, the clock,
campaigns and reset over HTTP (``admin``, reading its input in ``admin_input``), the journal as
JSON (``journal_view``), the dashboard page (``dashboard``) and ``serve --log``'s lines
(``requestlog``).
"""
