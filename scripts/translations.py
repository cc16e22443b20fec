"""Translation upkeep for MIoT Connect.

python scripts/translations.py missing [LANG ...]
    Per language, the keys of strings.json that translations/<lang>.json lacks
    (missing), has although strings.json no longer does (obsolete), has with other
    {placeholders} than English (placeholders), or has translated from an older English
    text (stale: the English text changed after the translation file's last commit,
    found with git when it is available). Exits 1 when anything is listed.

python scripts/translations.py sync-en
    Writes translations/en.json from strings.json, with `[%key:...%]` references
    resolved the way Home Assistant's translation build does.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
import json
from pathlib import Path
import re
import subprocess
import sys
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
COMPONENT = ROOT / "custom_components" / "miot_connect"
DOMAIN = COMPONENT.name
STRINGS = COMPONENT / "strings.json"
TRANSLATIONS = COMPONENT / "translations"
SOURCE_LANGUAGE = "en"

_REFERENCE = re.compile(r"\[%key:([a-z0-9_:\-]+)%\]")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def load(path: Path) -> dict[str, Any]:
    """A JSON object from a file."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """`{"a": {"b": "x"}}` → `{"a.b": "x"}`."""
    flat: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = str(value)
    return flat


def placeholders(text: str) -> set[str]:
    """The `{name}` placeholders of a string."""
    return set(_PLACEHOLDER.findall(text))


def _lookup(data: dict[str, Any], path: list[str]) -> Any:
    node: Any = data
    for part in path:
        if not isinstance(node, dict) or part not in node:
            raise KeyError("::".join(path))
        node = node[part]
    return node


def _external(path: list[str]) -> dict[str, Any]:
    """The strings a `[%key:...%]` reference outside this integration points into."""
    import homeassistant  # only needed for references to core strings

    package = Path(homeassistant.__file__).parent
    if path[0] == "common":
        # Core's own strings.json (a source checkout) holds `common`.
        for candidate in (
            package / "strings.json",
            package.parent / "homeassistant" / "strings.json",
        ):
            if candidate.exists():
                return load(candidate)
        raise KeyError("common strings are not available in this Home Assistant install")
    if path[0] == "component" and len(path) > 1:
        translation = package / "components" / path[1] / "translations" / "en.json"
        if translation.exists():
            return {"component": {path[1]: load(translation)}}
    raise KeyError("::".join(path))


def resolve(data: dict[str, Any]) -> dict[str, Any]:
    """Replace `[%key:a::b::c%]` references like Home Assistant's translation build.

    `component::<this domain>::...` points into strings.json itself; other components and
    `common::...` are read from the installed Home Assistant. References may be nested.
    """
    own = {"component": {DOMAIN: data}}

    def text(value: str, seen: tuple[str, ...]) -> str:
        def replace(match: re.Match[str]) -> str:
            key = match.group(1)
            if key in seen:
                raise ValueError(f"circular reference {key}")
            path = key.split("::")
            try:
                target = _lookup(own, path)
            except KeyError:
                target = _lookup(_external(path), path)
            if not isinstance(target, str):
                raise ValueError(f"reference {key} is not a string")
            return text(target, (*seen, key))

        return _REFERENCE.sub(replace, value)

    def walk(node: dict[str, Any]) -> dict[str, Any]:
        return {
            key: walk(value)
            if isinstance(value, dict)
            else text(value, ())
            if isinstance(value, str)
            else value
            for key, value in node.items()
        }

    return walk(data)


def languages() -> list[str]:
    """Languages with a translation file, English excluded."""
    return sorted(path.stem for path in TRANSLATIONS.glob("*.json") if path.stem != SOURCE_LANGUAGE)


def _git(*args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


def _english_when_translated(lang: str) -> dict[str, str] | None:
    """strings.json as it was when translations/<lang>.json was last committed."""
    file = TRANSLATIONS / f"{lang}.json"
    if _git("diff", "--quiet", "HEAD", "--", str(file)) is None:
        return None  # uncommitted changes (or no git): the translator is working on it
    commit = (_git("log", "-1", "--format=%H", "--", str(file)) or "").strip()
    if not commit:
        return None
    old = _git("show", f"{commit}:{STRINGS.relative_to(ROOT).as_posix()}")
    if old is None:
        return None
    return flatten(resolve(json.loads(old)))


def problems(lang: str, english: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(kind, key) of everything to fix in one language."""
    translated = flatten(load(TRANSLATIONS / f"{lang}.json"))
    for key in english:
        if key not in translated:
            yield "missing", key
    for key in translated:
        if key not in english:
            yield "obsolete", key
    for key, text in english.items():
        if key in translated and placeholders(translated[key]) != placeholders(text):
            yield "placeholders", key
    before = _english_when_translated(lang)
    if before is not None:
        for key, text in english.items():
            if key in translated and key in before and before[key] != text:
                yield "stale", key


def cmd_missing(langs: list[str]) -> int:
    """Print what each language lacks; 1 if anything does."""
    english = flatten(resolve(load(STRINGS)))
    found = False
    if _git("--version") is None:
        print("note: git is not available, so changed English texts (stale) are not checked")
    for lang in langs or languages():
        if not (TRANSLATIONS / f"{lang}.json").exists():
            print(f"{lang}: no translations/{lang}.json ({len(english)} keys missing)")
            found = True
            continue
        items = list(problems(lang, english))
        if not items:
            print(f"{lang}: complete")
            continue
        found = True
        print(f"{lang}: {len(items)} to do")
        for kind, key in items:
            print(f"  {kind:12} {key}: {english.get(key, '')}")
    return 1 if found else 0


def cmd_sync_en() -> int:
    """Write translations/en.json from strings.json."""
    data = resolve(load(STRINGS))
    target = TRANSLATIONS / f"{SOURCE_LANGUAGE}.json"
    target.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line entry."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    missing = commands.add_parser(
        "missing", help="list missing, obsolete and stale keys per language"
    )
    missing.add_argument(
        "languages", nargs="*", help="language codes (default: every translation file)"
    )
    commands.add_parser("sync-en", help="regenerate translations/en.json from strings.json")
    args = parser.parse_args(argv)
    if args.command == "missing":
        return cmd_missing(args.languages)
    return cmd_sync_en()


if __name__ == "__main__":
    sys.exit(main())
