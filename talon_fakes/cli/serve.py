"""``talon-fakes serve``: the fake standalone on a local port, for clients in any language."""

from __future__ import annotations

import errno
import os
import sys
from typing import Any

import click

from talon_fakes.cli.options import EXIT_UNREADABLE, listen_options, rules_option, secret, until_signalled


class _CannotServe(click.ClickException):
    """The fake could not listen where it was told to (a port in use, an unknown host)."""

    exit_code = EXIT_UNREADABLE


_SERVE_HELP = """Run the fake standalone, for clients in any language, until SIGINT or SIGTERM.

The first line of stdout is the base URL (e.g. http://127.0.0.1:50123), flushed at once, so a
test harness can start this command and read one line. The keys follow on the next lines.
Stopped by Ctrl-C or SIGTERM, it exits 0 once the requests in flight are answered (within
--grace-period); if it cannot listen (a port in use), it exits 2. Connections are kept alive
(HTTP/1.1); a stalled client is answered 408 after --read-timeout.
"""


def _campaigns_option(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """``--campaigns FILE``, read and checked before anything starts (a bad one exits 2)."""
    if value is None:
        return None
    from talon_fakes.errors import InvalidCampaigns
    from talon_fakes.fake.domain.campaigns import load_campaigns_file

    try:
        return load_campaigns_file(value)
    except InvalidCampaigns as error:
        raise click.BadParameter(f"{value}: {error}", ctx=ctx, param=param) from None


@click.command("serve", help=_SERVE_HELP, short_help="Run the fake on a local port until stopped.")
@listen_options
@click.option(
    "--api-key",
    metavar="KEY",
    callback=secret,
    help="The Integration API key  [default: talon-fakes-api-key]",
)
@click.option(
    "--management-key",
    metavar="KEY",
    callback=secret,
    help="The Management API key  [default: talon-fakes-management-key]",
)
@click.option(
    "--bearer-token",
    metavar="TOKEN",
    callback=secret,
    help="A Management API bearer token it also accepts (Authorization: Bearer TOKEN)  [default: none]",
)
@rules_option("The transition rules the fake enforces.")
@click.option(
    "--application-id",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="The Application the Integration API key belongs to.",
)
@click.option(
    "--read-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds a request may take to arrive, from its first byte (a stalled client gets a 408).",
)
@click.option(
    "--idle-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds a kept-alive connection may wait for its next request before it is closed.",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    default=256,
    show_default=True,
    help="Connections served at once (one thread each); past it the longest idle one is closed, else a 503.",
)
@click.option(
    "--grace-period",
    type=click.FloatRange(min=0),
    default=5.0,
    show_default=True,
    help="Seconds requests in flight get to finish after SIGINT or SIGTERM.",
)
@click.option(
    "--admin-token",
    metavar="TOKEN",
    help="The control API (/__admin/) needs Authorization: Bearer TOKEN  "
    "[default: none on loopback; beyond it, the management key]",
)
@click.option("--log", "-v", "log", is_flag=True, help="Print one line per request to stderr.")
@click.option(
    "--campaigns",
    metavar="FILE",
    callback=_campaigns_option,
    help="A JSON file of the campaigns the fake judges coupons and referrals by (see the README)  "
    "[default: none: every code is rejected as not found]",
)
def command(
    host: str,
    port: int,
    api_key: str | None,
    management_key: str | None,
    bearer_token: str | None,
    rules: str,
    application_id: int,
    read_timeout: float,
    idle_timeout: float,
    max_connections: int,
    grace_period: float,
    admin_token: str | None,
    log: bool,
    campaigns: Any,
) -> None:
    """Run ``serve``: its help is the module's ``_SERVE_HELP``."""
    from talon_fakes.errors import TalonFakesError
    from talon_fakes.fake.server import TalonFake
    from talon_fakes.fake.web.credentials import DEFAULT_API_KEY, DEFAULT_MANAGEMENT_KEY

    fake = TalonFake(
        rules=rules,
        api_key=DEFAULT_API_KEY if api_key is None else api_key,
        management_key=DEFAULT_MANAGEMENT_KEY if management_key is None else management_key,
        bearer_token=bearer_token,
        application_id=application_id,
        host=host,
        port=port,
        read_timeout=read_timeout,
        idle_timeout=idle_timeout,
        max_connections=max_connections,
        grace_period=grace_period,
        campaigns=campaigns,
    )
    from talon_fakes.fake.control.admin import required_token

    fake.admin.token = required_token(host, admin_token, fake.management_key)
    if log:
        from talon_fakes.fake.control.requestlog import RequestLog

        fake.app.observers.append(RequestLog(sys.stderr))
    with until_signalled(fake.stop) as wait:
        try:
            fake.start()
        except TalonFakesError as error:
            reason = getattr(error.__cause__, "strerror", None) or str(error)  # the OS's reason
            in_use = reason == os.strerror(errno.EADDRINUSE)
            fix = "choose another --port, or --port 0 for a free one" if in_use else "check --host and --port"
            raise _CannotServe(f"cannot listen on {host}:{port}: {reason}; {fix}") from None
        click.echo(fake.base_url)
        integration, management = fake.integration_headers, fake.management_headers
        click.echo(
            f"Integration API: Authorization: {integration['Authorization']} (application {application_id})"
        )
        click.echo(f"Management API: Authorization: {management['Authorization']}")
        if bearer_token is not None:
            click.echo(f"Management API: Authorization: {fake.bearer_headers['Authorization']}")
        if campaigns is not None:
            click.echo(f"campaigns: {', '.join(str(c.id) for c in campaigns.campaigns) or 'none'}")
        guard = "open on loopback" if fake.admin.token is None else "needs Authorization: Bearer <token>"
        if fake.admin.token is not None and admin_token is None:
            guard += " (listening beyond loopback: the token is the management key)"
        click.echo(f"control API: {fake.base_url}/__admin/ (dashboard); {guard}")
        click.echo(f"rules: {rules}; stop with Ctrl-C or SIGTERM")
        sys.stdout.flush()
        wait()
