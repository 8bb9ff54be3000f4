"""AWS report manifests: the list of files one Cost and Usage Report was split into.

AWS splits a large report into parts and writes a manifest beside them:
``<report>-Manifest.json`` (legacy CUR: ``reportKeys``, S3 keys) or
``Manifest.json`` (CUR 2.0 data exports: ``dataFiles``, S3 URIs).  Opening the
manifest imports every part as one report.  The parts are found next to the
manifest as they were downloaded: an S3 key is tried from its file name
upwards (``name``, ``<assembly id>/name``, …) under the manifest's folder and
its parents, so a copy of the bucket's folder, or the parts dropped beside the
manifest, both work.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from app.costs_import.reader import CostImportError

MAX_MANIFEST_BYTES = 10_000_000
_SEARCH_UP = 3  # parent folders of the manifest's searched for the parts


def is_manifest(path: Path) -> bool:
    return path.name.lower().endswith("manifest.json")


def parts(manifest: Path) -> list[Path]:
    """The report files ``manifest`` lists, found on disk; CostImportError names one that is missing."""
    data = _load(manifest)
    keys = data.get("reportKeys") or data.get("dataFiles")
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and k for k in keys):
        raise CostImportError(f"{manifest.name}: lists no report files (no reportKeys or dataFiles)")
    found = []
    for key in keys:
        part = _locate(manifest.parent, key)
        if part is None:
            raise CostImportError(
                f"{manifest.name}: part {PurePosixPath(key).name} is not beside the manifest "
                f"(looked in {manifest.parent} and the folders above); download every part of the report"
            )
        found.append(part)
    return found


def _load(manifest: Path) -> dict[str, Any]:
    try:
        if manifest.stat().st_size > MAX_MANIFEST_BYTES:
            raise CostImportError(f"{manifest.name}: is too large to be a report manifest")
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CostImportError(f"{manifest.name}: cannot be opened ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CostImportError(f"{manifest.name}: is not a report manifest (not JSON: {exc})") from None
    if not isinstance(data, dict):
        raise CostImportError(f"{manifest.name}: is not a report manifest (not a JSON object)")
    return data


def _locate(folder: Path, key: str) -> Path | None:
    """The local file an S3 key or URI names, searched by its trailing path components."""
    components = [p for p in PurePosixPath(key.split("://", 1)[-1]).parts if p not in ("/", "..", ".")]
    bases = [folder, *list(folder.parents)[:_SEARCH_UP]]
    for base in bases:
        for start in range(len(components) - 1, -1, -1):
            candidate = base.joinpath(*components[start:])
            if candidate.is_file():
                return candidate
    return None
