"""Fingerprint what a build's outputs depend on, so that a change renders them again."""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from postmortem import __version__
from postmortem.analysis.history import workspace_versions
from postmortem.workspace.config import BuildOptions

# The installed libraries whose version can change an output: the PDF engine and what it
# parses, hyphenates, draws and embeds with; translations; templates; Markdown; the model;
# the YAML reader; the time zones.
LIBRARIES = (
    "weasyprint", "pydyf", "tinyhtml5", "tinycss2", "cssselect2", "pyphen", "pillow",
    "fonttools", "babel", "jinja2", "markupsafe", "markdown-it-py", "mdit-py-plugins",
    "pydantic", "pydantic-core", "pyyaml", "tzdata",
)
# The dependencies that no output depends on: a new one must be listed in one of the two.
# Completion, lint's word forms, serve's watcher.
NOT_IN_OUTPUTS = ("argcomplete", "lemminflect", "simplemma", "watchfiles")


def environment_digest(options: BuildOptions) -> bytes:
    """Hash what every output depends on besides its record."""
    # Python itself too: its version can change how a value is written (repr, floats).
    digest = hashlib.sha256(f"{__version__}|{platform.python_version()}|"
                            f"{sorted(options.formats)}|{sorted(options.documents)}".encode())
    digest.update(_library_versions().encode())
    # The workspace's locales and labels; its catalogues are hashed with the templates.
    digest.update(repr((options.render.locales, options.render.labels)).encode())
    package = Path(__file__).parent.parent
    folders = [*options.template_dirs, *options.render.translation_dirs, package]
    files = sorted(
        path for folder in folders if folder.is_dir() for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts)
    for path in files:
        digest.update(str(path.relative_to(path.anchor)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


def record_fingerprints(digest: bytes, incidents: Path,
                        sources: dict[Path, bytes]) -> dict[Path, str]:
    """Fingerprint each record: its bytes, its git version and the environment's digest."""
    # Reports name the git version they show: a commit changes them too.
    versions = workspace_versions(incidents) if sources else {}
    resolve = _resolver()
    return {path: hashlib.sha256(digest + versions.get(resolve(path), "").encode() + b"\0"
                                 + raw).hexdigest()
            for path, raw in sources.items()}


def _resolver() -> Callable[[Path], Path]:
    """Return a `Path.resolve` that resolves each folder once: records share a few folders."""
    folders: dict[Path, Path] = {}

    def resolve(path: Path) -> Path:
        if path.name in ("", ".", "..") or path.is_symlink():
            return path.resolve()
        folder = folders.get(path.parent)
        if folder is None:
            folder = folders[path.parent] = path.parent.resolve()
        return folder / path.name

    return resolve


def _library_versions() -> str:
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            # A library that another stops requiring (WeasyPrint's own) is simply absent.
            versions.append(f"{name} absent")
    return "|".join(versions)
