"""Normalising place names for search: one key per name, blind to case, accents and spacing."""

from __future__ import annotations

import unicodedata


def search_key(text: str) -> str:
    """Lower-case `text`, drop its accents and collapse whitespace: " Áncash  Ñuñoa" → "ancash nunoa".

    Stored in `TerritorialUnit.name_search`; apply it to the user's query too, so "medellin"
    finds "Medellín". Keep scripts/build_reference_data.py's copy in step.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
