"""The README is the package index page: every link in it works there.

PyPI renders ``README.md`` with readme_renderer (GitHub-flavoured Markdown, the variant a
``README.md`` declared as the project's ``readme`` gets), which gives each heading an id and
rewrites ``#heading`` links to it. A link relative to the repository (``contracts/README.md``)
would resolve against the project's page on the index and lead nowhere, so every link must be
absolute or point at an id the rendered page has.
"""

from __future__ import annotations

import tomllib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from readme_renderer.markdown import render

ROOT = Path(__file__).resolve().parents[2]


class _Links(HTMLParser):
    """The ids and link targets of a rendered page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href") is not None:
            self.hrefs.append(str(found["href"]))


def broken_links(markdown: str) -> list[str]:
    """The links of ``markdown``, rendered as PyPI renders it, that would not work on its page."""
    page = render(markdown, variant="GFM")
    assert page is not None, "readme_renderer could not render the README (PyPI would refuse it)"
    links = _Links()
    links.feed(page)
    broken = []
    for href in links.hrefs:
        if href.startswith("#"):
            if href[1:] not in links.ids:
                broken.append(href)
        elif urlsplit(href).scheme not in {"http", "https", "mailto"}:
            broken.append(href)
    return broken


def test_the_readme_is_the_projects_markdown_readme() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["readme"] == "README.md"


def test_every_readme_link_works_on_the_package_index() -> None:
    broken = broken_links((ROOT / "README.md").read_text(encoding="utf-8"))
    assert broken == [], f"links that lead nowhere on the package index page: {broken}"


@pytest.mark.parametrize(
    ("markdown", "broken"),
    [
        ("## Set up\n\nSee [the set-up](#set-up).\n", []),
        ("See [the contracts](contracts/README.md).\n", ["contracts/README.md"]),
        ("## Set up\n\nSee [nowhere](#no-such-heading).\n", ["#no-such-heading"]),
        ("See [Talon.One](https://docs.talon.one/).\n", []),
    ],
)
def test_the_link_check_tells_working_from_broken(markdown: str, broken: list[str]) -> None:
    # The check can fail: a relative file link and a dangling anchor are both caught. (The
    # renderer points in-page links at its "user-content-" ids, as GitHub does.)
    assert [href.replace("#user-content-", "#") for href in broken_links(markdown)] == broken
