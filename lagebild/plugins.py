"""The one registry of extension points: source formats now, detectors and exporters later.

Built-in formats register through the very same pluggy hooks a third-party plugin uses (an
entry point in the ``lagebild`` group). A built-in that fails to import fails start-up and the
tests: nothing is discovered by walking folders and nothing turns an error into a warning.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass

import pluggy

from lagebild.errors import ConfigError, FormatError
from lagebild.ingest.base import SourceFormat

__all__ = ["BUILTIN_PLUGINS", "Registry", "hookimpl", "hookspec", "load_registry"]

hookspec = pluggy.HookspecMarker("lagebild")
hookimpl = pluggy.HookimplMarker("lagebild")

#: Modules of the built-in plugins, registered in this order.
BUILTIN_PLUGINS = (
    "lagebild.ingest.twitter_v2",
    "lagebild.ingest.twitter_io",
    "lagebild.ingest.crowdtangle",
    "lagebild.ingest.telegram",
    "lagebild.ingest.bluesky",
    "lagebild.ingest.mastodon",
    "lagebild.ingest.coortweet",
    "lagebild.ingest.ira538",
    "lagebild.ingest.generic",
)


class Specs:
    """Hook specifications: every extension point Lagebild offers."""

    @hookspec
    def lagebild_source_formats(self) -> list[SourceFormat]:  # type: ignore[empty-body]
        """Return the source formats this plugin provides."""


@dataclass(frozen=True)
class Registry:
    """Everything the plugins registered, by name."""

    formats: Mapping[str, SourceFormat]

    def format(self, name: str) -> SourceFormat:
        """The source format called ``name``; an unknown name lists the known ones."""
        try:
            return self.formats[name]
        except KeyError:
            known = ", ".join(sorted(self.formats))
            raise FormatError(
                f"unknown format {name!r}", hint=f"use one of: {known} (see `lagebild formats`)"
            ) from None


def load_registry(*, entry_points: bool = True) -> Registry:
    """Register the built-in plugins and, unless disabled, those installed as entry points."""
    pm = pluggy.PluginManager("lagebild")
    pm.add_hookspecs(Specs)
    for module in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(module), name=module)
    if entry_points:
        pm.load_setuptools_entrypoints("lagebild")
    formats: dict[str, SourceFormat] = {}
    for provided in pm.hook.lagebild_source_formats():
        for fmt in provided:
            if fmt.name in formats:
                raise ConfigError(f"two plugins register the source format {fmt.name!r}")
            formats[fmt.name] = fmt
    return Registry(formats=formats)
