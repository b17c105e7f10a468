"""Hatch build hook: compile drafting/locale/*/LC_MESSAGES/messages.po to .mo, so that the wheel
ships catalogs ready to load (an editable install compiles them on first use: drafting.i18n)."""
from __future__ import annotations

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileCatalogs(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        root = Path(self.root)
        for po_path in sorted((root / "drafting" / "locale").glob("*/LC_MESSAGES/messages.po")):
            with po_path.open("rb") as source:
                catalog = read_po(source, locale=po_path.parent.parent.name, domain="messages")
            mo_path = po_path.with_suffix(".mo")
            with mo_path.open("wb") as out:
                write_mo(out, catalog, use_fuzzy=False)
            build_data["force_include"][str(mo_path)] = str(mo_path.relative_to(root))
