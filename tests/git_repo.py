"""Temporary git repositories holding records, with fixed authors and dates."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from support import APHP

RECORD = Path("incidents") / APHP.name

#: The three versions of the AP-HP record: (commit date, author, subject).
APHP_COMMITS = [
    ("2024-09-02T10:00:00+02:00", "Cellule qualité", "Premier brouillon de la revue"),
    ("2024-09-16T15:30:00+02:00", "Cellule qualité", "Passage en relecture"),
    ("2024-10-01T09:00:00+02:00", "Direction générale", "Approbation de la revue"),
]
NEW_TIMELINE_ENTRY = (
    "  - at: \"2024-08-20T10:00+02:00\"\n"
    "    kind: milestone\n"
    "    text: Rapport d'analyse de l'hébergeur remis à l'AP-HP.\n"
    "    sources: [presse-avec-afp-global-switch]\n"
)


def git(repo: Path, *arguments: str, date: str = "2024-01-01T00:00:00+00:00",
        author: str = "Test") -> str:
    """Run git in `repo` with a fixed identity and date; return its output."""
    environment = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
                   "GIT_AUTHOR_NAME": author, "GIT_COMMITTER_NAME": author,
                   "GIT_AUTHOR_EMAIL": "review@example.org",
                   "GIT_COMMITTER_EMAIL": "review@example.org",
                   "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *arguments], cwd=repo, env=environment, check=True,
                          capture_output=True, text=True).stdout


def new_repo(folder: Path) -> Path:
    """Create an empty repository with a configured user."""
    folder.mkdir(parents=True, exist_ok=True)
    git(folder, "init", "--quiet", "--initial-branch=main")
    git(folder, "config", "user.name", "Test")
    git(folder, "config", "user.email", "review@example.org")
    return folder


def commit(repo: Path, message: str, date: str, author: str = "Test") -> str:
    """Commit everything in the working copy; return the full commit id."""
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", message, date=date, author=author)
    return git(repo, "rev-parse", "HEAD").strip()


@dataclass(frozen=True)
class AphpRepo:
    """The AP-HP record committed three times: draft, in review, approved."""

    repo: Path
    record: Path
    commits: list[str]

    def checkout(self, index: int) -> None:
        """Put the working copy at the commit of the given version."""
        git(self.repo, "checkout", "--quiet", self.commits[index])


def aphp_repo(folder: Path) -> AphpRepo:
    """Build the three-commit history of the AP-HP record in a new repository."""
    repo = new_repo(folder)
    record = repo / RECORD
    record.parent.mkdir()
    shutil.copyfile(APHP, record)
    text = record.read_text(encoding="utf-8")
    assert "  status: draft\n" in text
    commits = [commit(repo, APHP_COMMITS[0][2], APHP_COMMITS[0][0], APHP_COMMITS[0][1])]

    # In review, with one more reviewer.
    text = text.replace("  status: draft\n", "  status: in_review\n", 1)
    reviewers = "  reviewers:\n"
    text = text.replace(reviewers, reviewers + (
        "    - name: \"Direction générale\"\n"
        "      role: \"Approbation\"\n"), 1)
    record.write_text(text, encoding="utf-8")
    commits.append(commit(repo, APHP_COMMITS[1][2], APHP_COMMITS[1][0], APHP_COMMITS[1][1]))

    # Approved: a decision, an action item under way with a new owner, one more event
    # and a full restoration now known.
    text = text.replace("  status: in_review\n", "  status: approved\n", 1)
    text = text.replace("key_instants:\n", (
        "  approvals:\n"
        "    - name: \"Direction générale\"\n"
        "      role: \"Approbation\"\n"
        "      date: 2024-10-01\n"
        "      decision: approved\n"
        "  updated: 2024-10-01\n"
        "\n"
        "key_instants:\n"), 1)
    action = "  - id: audit-alimentation-hebergeur\n"
    start = text.index(action)
    end = text.index("  - id:", start + len(action))
    block = text[start:end]
    block = block.replace("    owner: \"Direction des systèmes d'information\"\n",
                          "    owner: \"Direction des achats\"\n", 1)
    block = block.replace("    status: proposed\n", "    status: in_progress\n", 1)
    text = text[:start] + block + text[end:]
    text = text.replace("\nresponse:\n", NEW_TIMELINE_ENTRY + "\nresponse:\n", 1)
    text = text.replace('    at: "after 2024-08-06T18:00+02:00"\n',
                        '    at: "about 2024-08-09T18:00+02:00"\n', 1)
    record.write_text(text, encoding="utf-8")
    commits.append(commit(repo, APHP_COMMITS[2][2], APHP_COMMITS[2][0], APHP_COMMITS[2][1]))
    return AphpRepo(repo, record, commits)
