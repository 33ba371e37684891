"""A build on several machines: `build --shard K/N` renders a share, `build --merge` the index."""

from __future__ import annotations

import fnmatch
import glob
import json
import random
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support import APHP, RECORDS, ROOT, minimal_variant, small_workspace

TODAY = ("--today", "2026-01-01")


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    """A workspace with the AP-HP record, three small English ones and one that fails."""
    incidents = small_workspace(tmp_path)
    (incidents / "older").mkdir()
    (incidents / "older" / "queue.yaml").write_text(minimal_variant(
        "2024-11-20-queue-backlog", **{"2025-03-02": "2024-11-20", "Checkout": "Queue"}))
    broken = (RECORDS / "invalid" / "no-offset.yaml").read_text()
    (incidents / "broken.yaml").write_text(
        broken.replace("id: 2025-03-02-checkout-latency", "id: broken"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _files(folder: Path) -> dict[str, bytes]:
    """Return what a reader of the folder sees: every file but the hidden ones, by name."""
    return {path.name: path.read_bytes() for path in folder.iterdir()
            if path.is_file() and not path.name.startswith(".")}


def _shards(run, count: int, *extra: str) -> list[tuple[int, str]]:
    """Build every shard of `count` into shard-K/; return each one's status and stderr."""
    results = []
    for number in range(1, count + 1):
        status, _, err = run("build", "--shard", f"{number}/{count}", "-o", f"shard-{number}",
                             "--jobs", "1", *TODAY, *extra)
        results.append((status, err))
    return results


def _mtimes(folder: Path) -> dict[str, int]:
    """Return when each output of the folder, and the shard's manifest, was last written."""
    return {path.name: path.stat().st_mtime_ns for path in folder.iterdir()
            if not path.name.startswith(".") or path.name == ".postmortem-shard.json"}


def _manifest(folder: Path) -> dict:
    return json.loads((folder / ".postmortem-shard.json").read_text())


# ---- The deal -------------------------------------------------------------------------------


def test_the_deal_is_complete_balanced_and_the_same_whatever_the_order_of_discovery():
    from postmortem.workspace.shard import deal

    incidents = Path("incidents")
    picker = random.Random(16)
    sizes = {incidents / f"{number:03}.yaml": picker.randrange(500, 40_000)
             for number in range(101)}
    for count in (1, 2, 3, 7):
        shares = deal(sizes, incidents, count)
        assert len(shares) == count
        dealt = [path for share in shares for path in share]
        assert sorted(dealt) == sorted(sizes)  # every record once
        totals = [sum(sizes[path] for path in share) for share in shares]
        assert max(totals) - min(totals) <= max(sizes.values())
        assert max(len(share) for share in shares) - min(len(share) for share in shares) <= 1
        shuffled = list(sizes.items())
        picker.shuffle(shuffled)
        assert deal(dict(shuffled), incidents, count) == shares


def test_the_deal_gives_the_largest_first_and_breaks_ties_by_path_in_the_folder():
    from postmortem.workspace.shard import deal

    incidents = Path("/ci/runner-7/incidents")
    sizes = {incidents / "b.yaml": 10, incidents / "a.yaml": 10, incidents / "z" / "c.yaml": 99,
             incidents / "d.yaml": 1}
    assert deal(sizes, incidents, 2) == [
        [incidents / "z" / "c.yaml", incidents / "b.yaml"],
        [incidents / "a.yaml", incidents / "d.yaml"]]
    # Another machine, another checkout folder: the same deal.
    moved = {Path("/home/me/incidents") / path.relative_to(incidents): size
             for path, size in sizes.items()}
    assert [[path.name for path in share] for share in deal(moved, Path("/home/me/incidents"), 2)
            ] == [["c.yaml", "b.yaml"], ["a.yaml", "d.yaml"]]


# ---- Shards and their merge -----------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 3])
def test_the_merge_of_the_shards_gives_the_files_of_a_build_on_one_machine(workspace, run,
                                                                          count):
    status, _, err = run("build", "-o", "whole", "--format", "md", "--jobs", "1", *TODAY)
    assert status == 1 and "4 rendered, 0 up to date, 0 removed, 1 failed" in err
    results = _shards(run, count, "--format", "md")
    assert [status for status, _ in results].count(1) == 1  # the shard that took broken.yaml
    taken = [_manifest(workspace / f"shard-{number}") for number in range(1, count + 1)]
    sources = [r["source"] for m in taken for r in m["records"]] + [
        f["source"] for m in taken for f in m["failed"]]
    assert sorted(sources) == sorted(str(p) for p in Path("incidents").rglob("*.yaml")) == sorted(
        set(sources))
    for number, (_, err) in enumerate(results, 1):
        assert f"shard {number}/{count}: " in err and "of 5 record(s)" in err
        assert "the index is left to 'postmortem build --merge'" in err
        assert not (workspace / f"shard-{number}" / "index.md").exists()
        assert not (workspace / f"shard-{number}" / "actions.csv").exists()
    status, _, err = run("build", "--merge", *(f"shard-{n}" for n in range(1, count + 1)),
                         "-o", "merged", *TODAY)
    assert status == 1  # a record failed, as in the build on one machine
    assert "incidents/broken.yaml:25:9: error: timeline[0].at: " in err
    assert f"merged {count} shard(s) into merged/: 5 record(s), 1 failed, in " in err
    merged, whole = _files(workspace / "merged"), _files(workspace / "whole")
    assert sorted(merged) == sorted(whole)
    assert [name for name in sorted(whole) if merged[name] != whole[name]] == []
    index = merged["index.md"].decode()
    assert "Not included, because the record has errors: `incidents/broken.yaml`" in index
    assert "2024-11-20-queue-backlog.md" in index


def test_a_merge_with_html_gives_the_same_index_page_and_links_that_work(workspace, run):
    (workspace / "incidents" / "broken.yaml").unlink()
    assert run("build", "-o", "whole", "--format", "md,html", "--jobs", "2", *TODAY)[0] == 0
    assert [status for status, _ in _shards(run, 2, "--format", "md,html")] == [0, 0]
    status, _, err = run("build", "--merge", "shard-2", "shard-1", *TODAY)  # into output/
    assert status == 0, err
    merged, whole = _files(workspace / "output"), _files(workspace / "whole")
    assert sorted(merged) == sorted(whole)
    assert [name for name in sorted(whole) if merged[name] != whole[name]] == []
    page = merged["index.html"].decode()
    assert f'href="{APHP.stem}.html"' in page
    assert all(f"{name}.html" in merged for name in (APHP.stem, "2025-06-10-search-outage"))


def test_a_shard_rebuilds_only_what_changed_in_its_share(workspace, run):
    _shards(run, 2, "--format", "md")
    folders = [workspace / "shard-1", workspace / "shard-2"]
    before = {folder: _mtimes(folder) for folder in folders}
    results = _shards(run, 2, "--format", "md")
    assert all(" 0 rendered, " in err for _, err in results)
    assert {folder: _mtimes(folder) for folder in folders} == before
    # An edit that keeps the record's size keeps the deal: a record's size decides its shard.
    search = workspace / "incidents" / "search.yaml"
    search.write_text(search.read_text().replace("severity: moderate", "severity: critical"))
    results = _shards(run, 2, "--format", "md")
    rendered = [err for _, err in results if "rendered incidents/search.yaml" in err]
    assert len(rendered) == 1 and " 1 rendered, " in rendered[0]
    assert sum(" 0 rendered, " in err for _, err in results) == 1
    assert run("build", "--merge", "shard-1", "shard-2", *TODAY)[0] == 1  # broken.yaml
    assert "| Critical |" in (workspace / "output" / "index.md").read_text()


def test_a_record_dealt_to_another_shard_leaves_the_folder_of_its_former_one(workspace, run):
    (workspace / "incidents" / "broken.yaml").unlink()
    _shards(run, 2, "--format", "md")
    where = {r["source"]: number for number in (1, 2)
             for r in _manifest(workspace / f"shard-{number}")["records"]}
    # A record larger than any comes first in the deal: every other record moves over.
    shutil.copy(APHP, workspace / "incidents" / "big.yaml")
    big = workspace / "incidents" / "big.yaml"
    big.write_text(big.read_text().replace(f"id: {APHP.stem}", "id: big-one") + "# " * 4000)
    _shards(run, 2, "--format", "md")
    moved = {r["source"]: number for number in (1, 2)
             for r in _manifest(workspace / f"shard-{number}")["records"]}
    assert moved["incidents/big.yaml"] == 1
    for source, number in where.items():
        assert moved[source] == 3 - number
        incident_id = next(r["id"] for r in _manifest(workspace / f"shard-{3 - number}")
                           ["records"] if r["source"] == source)
        assert not (workspace / f"shard-{number}" / f"{incident_id}.md").exists()
    assert run("build", "--merge", "shard-1", "shard-2", "-o", "merged", *TODAY)[0] == 0
    index = (workspace / "merged" / "index.md").read_text()
    assert len([line for line in index.splitlines()
                if line.startswith("| ") and "](" in line]) == 5


def test_a_whole_build_in_a_shard_folder_makes_it_no_longer_a_shard(workspace, run):
    _shards(run, 2, "--format", "md")
    run("build", "-o", "shard-1", "--format", "md", "--jobs", "1", *TODAY)
    assert not (workspace / "shard-1" / ".postmortem-shard.json").exists()
    status, _, err = run("build", "--merge", "shard-1", "shard-2", "-o", "merged", *TODAY)
    assert (status, err) == (1, "postmortem build: error: shard-1/: no .postmortem-shard.json, "
                                "so not the output folder of a shard: give --merge the output "
                                "folders of 'postmortem build --shard K/N'\n")


# ---- What a merge refuses -------------------------------------------------------------------


def _edit_manifest(folder: Path, **changes: object) -> None:
    path = folder / ".postmortem-shard.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


def _refused(workspace: Path, run, *folders: str) -> str:
    """Merge `folders` into merged/; check that it fails and writes nothing; return the error."""
    status, out, err = run("build", "--merge", *folders, "-o", "merged", *TODAY)
    assert (status, out) == (1, "")
    assert err.startswith("postmortem build: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert not (workspace / "merged").exists()
    return err.removeprefix("postmortem build: error: ").rstrip("\n")


def test_a_missing_shard_is_refused(workspace, run):
    _shards(run, 3, "--format", "md")
    assert _refused(workspace, run, "shard-1", "shard-3") == (
        "shard 2/3 is missing: give --merge the folder of each of the 3 shards (given: 1/3 in "
        "shard-1/, 3/3 in shard-3/)")


def test_a_shard_given_twice_is_refused(workspace, run):
    _shards(run, 2, "--format", "md")
    shutil.copytree(workspace / "shard-2", workspace / "again")
    assert _refused(workspace, run, "shard-1", "shard-2", "again") == (
        "again/: shard 2/2 again, already given in shard-2/: give --merge each shard's folder "
        "once")


def test_shards_of_two_splits_are_refused(workspace, run):
    _shards(run, 2, "--format", "md")
    run("build", "--shard", "3/3", "-o", "third", "--format", "md", "--jobs", "1", *TODAY)
    assert _refused(workspace, run, "shard-1", "shard-2", "third") == (
        "third/: shard 3/3, but shard-1/ holds shard 1/2: give --merge the folders of one split")


def test_shards_of_other_records_are_refused(workspace, run):
    _shards(run, 2, "--format", "md")
    (workspace / "incidents" / "checkout.yaml").unlink()
    run("build", "--shard", "2/2", "-o", "shard-2", "--format", "md", "--jobs", "1", *TODAY)
    assert _refused(workspace, run, "shard-1", "shard-2") == (
        "shard-2/: shard 2/2 was dealt from other records than shard 1/2 in shard-1/: build "
        "every shard from the same files (one commit)")


@pytest.mark.parametrize("change, error", [
    ({"environment": "00"}, "shard-2/: shard 2/2 was rendered with other formats, documents, "
     "templates, settings or libraries than shard 1/2 in shard-1/: build every shard with one "
     "installation and the same options"),
    ({"postmortem": "0.0.1"}, "shard-2/: shard 2/2 was built by postmortem 0.0.1, and this is "
     "postmortem {version}: build the shards and merge them with one version"),
    ({"manifest": 99}, "shard-2/: its .postmortem-shard.json cannot be read (ValueError: "
     "manifest format 99): build the shard again"),
])
def test_shards_rendered_differently_are_refused(workspace, run, change, error):
    from postmortem import __version__

    _shards(run, 2, "--format", "md")
    _edit_manifest(workspace / "shard-2", **change)
    assert _refused(workspace, run, "shard-1", "shard-2") == error.format(version=__version__)


def test_shards_of_other_formats_are_refused(workspace, run):
    _shards(run, 2, "--format", "md")
    run("build", "--shard", "2/2", "-o", "shard-2", "--format", "md,html", "--jobs", "1", *TODAY)
    assert "shard-2/: shard 2/2 was rendered with other formats" in _refused(
        workspace, run, "shard-1", "shard-2")


def test_a_record_id_in_two_shards_is_refused(workspace, run):
    _shards(run, 2, "--format", "md")
    first = _manifest(workspace / "shard-1")["records"][0]
    second = _manifest(workspace / "shard-2")
    second["records"][0]["id"] = first["id"]
    (workspace / "shard-2" / ".postmortem-shard.json").write_text(json.dumps(second))
    assert _refused(workspace, run, "shard-1", "shard-2") == (
        f"shard-2/: the record id {first['id']!r} of {second['records'][0]['source']} is also "
        f"the id of {first['source']} in shard 1/2 (shard-1/): build every shard from the same "
        "files (one commit)")


def test_an_unreadable_export_is_refused(workspace, run):
    _shards(run, 2, "--format", "md")
    record = _manifest(workspace / "shard-2")["records"][0]
    (workspace / "shard-2" / f"{record['id']}.json").write_text("{not json")
    error = _refused(workspace, run, "shard-1", "shard-2")
    assert error.startswith(f"shard-2/: the export shard-2/{record['id']}.json of "
                            f"{record['source']} cannot be read (JSONDecodeError: ")
    assert error.endswith("): build shard 2/2 again")


def test_a_listed_output_that_is_missing_is_refused(workspace, run):
    _shards(run, 2, "--format", "md")
    record = _manifest(workspace / "shard-1")["records"][0]
    (workspace / "shard-1" / f"{record['id']}.md").unlink()
    assert _refused(workspace, run, "shard-1", "shard-2") == (
        f"shard-1/: {record['id']}.md is missing, though the shard's manifest lists it: give "
        "--merge the whole folder of shard 1/2, or build it again")


@pytest.mark.parametrize("folder, error", [
    ("absent", "absent/: no such folder: give --merge the output folders of 'postmortem build "
     "--shard K/N'"),
    ("incidents", "incidents/: no .postmortem-shard.json, so not the output folder of a "
     "shard: give --merge the output folders of 'postmortem build --shard K/N'"),
])
def test_a_folder_that_is_not_a_shard_is_refused(workspace, run, folder, error):
    _shards(run, 2, "--format", "md")
    assert _refused(workspace, run, "shard-1", folder) == error


def test_a_manifest_that_lists_a_file_outside_its_folder_is_refused(workspace, run):
    _shards(run, 2, "--format", "md")
    manifest = _manifest(workspace / "shard-2")
    manifest["records"][0]["outputs"].append("../incidents/checkout.yaml")
    (workspace / "shard-2" / ".postmortem-shard.json").write_text(json.dumps(manifest))
    assert _refused(workspace, run, "shard-1", "shard-2") == (
        "shard-2/: its .postmortem-shard.json cannot be read (output name "
        "'../incidents/checkout.yaml'): build the shard again")


# ---- Usage ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["3/2", "0/2", "x", "2", "1/0", "-1/2", "1/2/3", "a/b", ""])
def test_a_shard_that_is_not_k_of_n_is_a_usage_error(workspace, run, value):
    status, _, err = run("build", f"--shard={value}", "--format", "md")
    assert status == 2
    assert err.endswith("postmortem build: error: argument --shard: not a shard K/N, with N "
                        "the number of shares and K from 1 to N (such as 1/2): "
                        f"{value!r}\n")
    assert not (workspace / "output").exists()


def test_shard_and_merge_together_are_a_usage_error(workspace, run):
    status, _, err = run("build", "--shard", "1/2", "--merge", "a", "b")
    assert status == 2
    assert err.endswith("error: argument --merge: not allowed with argument --shard\n")


def test_the_summary_of_a_shard_is_in_the_language_of_messages(workspace, run, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "fr")
    _, _, err = run("build", "--shard", "1/2", "--format", "md", "--jobs", "1", *TODAY)
    assert "part 1/2 : 3 fiche(s) sur 5 : " in err
    assert "l’index est laissé à « postmortem build --merge »" in err


# ---- The workflow of the integrations page ------------------------------------------------


def _sharded_workflow() -> str:
    page = (ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    [block] = [block for block in re.findall(r"^```yaml\n(.*?)^```$", page,
                                             flags=re.MULTILINE | re.DOTALL)
               if "--merge" in block]
    return block


def _runs(job: dict) -> dict[str, str]:
    return {step["id"]: step["run"] for step in job["steps"] if "id" in step}


def _uses(job: dict, action: str) -> dict:
    [step] = [step for step in job["steps"] if step.get("uses", "").startswith(action + "@")]
    return step


def test_the_sharded_workflow_is_one_github_accepts(tmp_path):
    workflow = tmp_path / "postmortem-shards.yml"
    workflow.write_text(_sharded_workflow(), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         str(workflow)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_sharded_workflow_builds_every_shard_and_merges_what_they_upload(tmp_path):
    from postmortem.cli import build_parser

    jobs = yaml.safe_load(_sharded_workflow())["jobs"]
    shard, merge = jobs["shard"], jobs["merge"]
    numbers = shard["strategy"]["matrix"]["shard"]
    line = _runs(shard)["build"]
    assert line.startswith("postmortem build ")
    parsed = [build_parser().parse_args(
        shlex.split(line.replace("${{ matrix.shard }}", str(number)))[1:])
        for number in numbers]
    assert sorted((args.shard.number, args.shard.count) for args in parsed) == [
        (number, len(numbers)) for number in range(1, len(numbers) + 1)]
    kept = _uses(shard, "actions/upload-artifact")["with"]
    assert Path(kept["path"]) == Path(parsed[0].output)
    assert kept["include-hidden-files"] is True  # the manifest
    assert merge["needs"] == "shard" and "!cancelled()" in merge["if"]
    downloaded = _uses(merge, "actions/download-artifact")["with"]
    # download-artifact puts each artifact in a folder named after it, under its path.
    for number in numbers:
        name = kept["name"].replace("${{ matrix.shard }}", str(number))
        assert fnmatch.fnmatch(name, downloaded["pattern"])
        (tmp_path / downloaded["path"] / name).mkdir(parents=True)
    merge_words = shlex.split(_runs(merge)["merge"])
    folders = [found for word in merge_words[3:]
               for found in sorted(glob.glob(word, root_dir=tmp_path))]
    args = build_parser().parse_args([*merge_words[1:3], *folders])
    assert len(args.merge) == len(numbers)
    reviews = _uses(merge, "actions/upload-artifact")["with"]
    assert Path(reviews["path"]) == Path("output")


def test_two_records_with_one_id_fail_in_their_shards_as_in_a_whole_build(workspace, run):
    incidents = workspace / "incidents"
    (incidents / "broken.yaml").unlink()
    shutil.copy(incidents / "checkout.yaml", incidents / "copy.yaml")
    (incidents / "copy.yaml").write_text((incidents / "copy.yaml").read_text() + "# copy\n")
    assert run("build", "-o", "whole", "--format", "md", "--jobs", "1", *TODAY)[0] == 1
    results = _shards(run, 2, "--format", "md")
    failing = [err for _, err in results if "is also the id of" in err]
    assert len(failing) == 2  # checkout.yaml and copy.yaml, a size apart, in two shards
    status, _, err = run("build", "--merge", "shard-1", "shard-2", "-o", "merged", *TODAY)
    assert status == 1
    assert ("incidents/copy.yaml:2:5: error: id: id '2025-03-02-checkout-latency' is also the "
            "id of incidents/checkout.yaml") in err
    assert _files(workspace / "merged") == _files(workspace / "whole")
