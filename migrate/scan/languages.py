"""Which language (rules/languages.yaml) a path is written in: by file name, extension, template suffix, shebang."""

from __future__ import annotations

from pathlib import PurePath

from migrate.ruleset.model import Language


class LanguageIndex:
    """Lookup tables built once from the ruleset's languages."""

    def __init__(self, languages: dict[str, Language], template_suffixes: tuple[str, ...]) -> None:
        self.languages = languages
        self.template_suffixes = tuple(s.lower() for s in template_suffixes)
        self.by_name: dict[str, Language] = {}
        self.by_ext: dict[str, Language] = {}
        self.shebangs: list[tuple[str, Language]] = []
        for lang in languages.values():
            for filename in lang.filenames:
                self.by_name[filename.lower()] = lang
            for ext in lang.extensions:
                self.by_ext[ext] = lang
            for shebang in lang.shebangs:
                self.shebangs.append((shebang, lang))
        self.fallback = languages.get("text")

    def detect(self, path: PurePath, head: bytes = b"") -> Language | None:
        """The language of a file, or None when it is not something the scanner reads."""
        name = path.name.lower()
        for _ in range(2):  # strip at most one template suffix (config.json.example -> config.json)
            lang = self._by_filename(name)
            if lang is not None:
                return lang
            stripped = next((name[: -len(s)] for s in self.template_suffixes if name.endswith(s)), None)
            if not stripped:
                break
            name = stripped
            if name.startswith(".env") or name in ("env", "config", "settings", "credentials"):
                return self.by_name.get(".env") if name.startswith(".env") else self.languages.get("ini")
        if head.startswith(b"#!"):
            first = head.split(b"\n", 1)[0].decode("latin-1").lower()
            for shebang, lang in self.shebangs:
                if f"/{shebang}" in first or f" {shebang}" in first:
                    return lang
        return None

    def _by_filename(self, name: str) -> Language | None:
        if name in self.by_name:
            return self.by_name[name]
        if name.startswith(".env"):  # .env.local, .env.production
            return self.by_name.get(".env")
        suffix = PurePath(name).suffix
        if suffix and suffix in self.by_ext:
            return self.by_ext[suffix]
        if name.endswith(".postman_collection.json"):
            return self.by_ext.get(".json")
        return None
