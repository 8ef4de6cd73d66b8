"""``talon-fakes proxy``: the validating recording proxy (:mod:`talon_fakes.contracts.proxy`) on the
command line."""

from __future__ import annotations

import click

from talon_fakes.cli.options import listen_options, until_signalled

_PROXY_HELP = """Forward every request to UPSTREAM unchanged and check each exchange on the way.

Point the client under test at the proxy instead of Talon.One (or a `talon-fakes serve` fake).
Each request and answer is checked against the contract of its route and status, and one line
per exchange says the verdict: ok, drift (unknown fields), broken, or unchecked (a route or
status without a contract). The answer always goes back to the client unchanged.

The first line of stdout is the proxy's base URL (e.g. http://127.0.0.1:50123), flushed at once,
as `talon-fakes serve` does. With --record FILE, every exchange is written to FILE as a JSON Line
(FILE is overwritten; credentials such as Authorization are redacted); check it again later with
`talon-fakes check --exchanges FILE`.

\b
Stopped by Ctrl-C or SIGTERM, it prints a summary and exits:
  0  no exchange broke its contract
  1  some exchange did
  2  it could not listen (a port in use) or UPSTREAM is not an http(s) URL
"""


class _CannotProxy(click.ClickException):
    exit_code = 2


@click.command("proxy", help=_PROXY_HELP, short_help="A proxy that checks and records every exchange.")
@click.option(
    "--upstream",
    required=True,
    metavar="URL",
    help="The Talon.One deployment (or fake) to forward to, e.g. https://mycompany.europe-west1.talon.one",
)
@listen_options
@click.option(
    "--record",
    metavar="FILE",
    type=click.Path(dir_okay=False, writable=True),
    help="Write every exchange to FILE as JSON Lines (overwritten), for `check --exchanges`.",
)
@click.option("--strict", is_flag=True, help="Unknown fields are errors (broken), not drift warnings.")
@click.pass_context
def command(
    ctx: click.Context, upstream: str, host: str, port: int, record: str | None, strict: bool
) -> None:
    """Run ``proxy``: its help is the module's ``_PROXY_HELP``."""
    import sys

    from talon_fakes.contracts.proxy import ValidatingProxy

    try:
        proxy = ValidatingProxy(upstream, host=host, port=port, record=record, strict=strict, out=sys.stdout)
    except ValueError as error:
        raise click.BadParameter(str(error), ctx, param_hint="'--upstream'") from None
    with until_signalled(proxy.stop) as wait:
        try:
            proxy.start()
        except OSError as error:
            reason = error.strerror or str(error)
            raise _CannotProxy(f"cannot listen on {host}:{port}: {reason}; choose another --port") from None
        click.echo(proxy.base_url)
        click.echo(f"forwarding to {proxy.upstream}; stop with Ctrl-C or SIGTERM")
        sys.stdout.flush()
        wait()
    counts = proxy.verdicts
    total = sum(counts.values())
    click.echo(
        f"proxied {total} exchange{'' if total == 1 else 's'}: {counts['ok']} ok, {counts['broken']} broken, "
        f"{counts['drift']} with drift warnings, {counts['unchecked']} not checked"
        + (f"; recorded in {record}" if record else "")
    )
    ctx.exit(1 if counts["broken"] else 0)
