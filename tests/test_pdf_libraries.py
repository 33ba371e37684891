"""A system without Pango or HarfBuzz: the PDF command names the package to install."""

from __future__ import annotations

import ctypes

import pytest

from postmortem.render import libraries

from support import RECORDS


@pytest.fixture
def system_without(monkeypatch):
    """Make the dynamic loader fail for the libraries whose file names contain a word."""
    def remove(*words: str) -> None:
        real = ctypes.CDLL

        def loader(name, *args, **kwargs):
            if any(word in name for word in words):
                raise OSError(f"{name}: cannot open shared object file: No such file or directory")
            return real(name, *args, **kwargs)

        monkeypatch.setattr(libraries.ctypes, "CDLL", loader)
        libraries._opens.cache_clear()

    yield remove
    libraries._opens.cache_clear()


def test_render_without_pango_names_the_packages_and_writes_nothing(run, tmp_path,
                                                                     system_without):
    system_without("pango")
    status, out, err = run("render", RECORDS / "minimal.yaml", "--format", "md,pdf",
                           "-o", tmp_path)
    assert (status, out) == (1, "")
    assert err.startswith("postmortem render: error: PDF output needs Pango and PangoFT2, "
                          "which this system lacks: install ")
    assert "'sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0' on Debian or Ubuntu" in err
    assert "'sudo dnf install pango' on Fedora" in err
    assert "'brew install pango' on macOS with Homebrew" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_build_without_harfbuzz_says_so_before_rendering(run, tmp_path, system_without,
                                                           monkeypatch):
    system_without("libharfbuzz")
    (tmp_path / "incidents").mkdir()
    (tmp_path / "incidents" / "minimal.yaml").write_bytes((RECORDS / "minimal.yaml").read_bytes())
    monkeypatch.chdir(tmp_path)
    status, _, err = run("build", "--format", "pdf")
    assert status == 1
    assert err.startswith("postmortem build: error: PDF output needs HarfBuzz, which")
    assert "libharfbuzz0b" in err
    assert not (tmp_path / "output").exists()
    # Markdown needs none of them.
    assert run("build", "--format", "md", "--quiet")[0] == 0


def test_a_missing_subsetter_is_a_note_not_an_error(system_without):
    system_without("harfbuzz-subset")
    note = libraries.require_pdf_libraries()
    assert note == ("note: HarfBuzz's font subsetter is not installed, so PDFs take longer to "
                    "write: install 'sudo apt-get install libharfbuzz-subset0' on Debian or "
                    "Ubuntu, 'sudo dnf install harfbuzz' on Fedora, 'brew install harfbuzz' on "
                    "macOS with Homebrew")


def test_this_machine_has_every_library_the_pdf_needs():
    assert libraries.require_pdf_libraries() is None
