"""The review workflow: a status that the approvals and dates of the record bear out."""

from __future__ import annotations

import pytest

from support import RECORDS

# The minimal record starts on 2025-03-02; its review block starts at line 28.
REVIEWS = {
    "approved-without-approval": (
        "review:\n  status: approved\n",
        (29, 11, "review.status", "status 'approved' needs an approval")),
    "published-after-changes-requested": (
        "review:\n  status: published\n  approvals:\n"
        "    - {name: Head of SRE, date: 2025-03-10, decision: changes_requested}\n",
        (29, 11, "review.status", "status 'published' needs an approval")),
    "approval-before-the-incident": (
        "review:\n  status: approved\n  approvals:\n"
        "    - {name: Head of SRE, date: 2025-03-01}\n",
        (31, 33, "review.approvals[0].date", "2025-03-01 is before the incident started "
                                             "(2025-03-02)")),
    "approval-after-the-last-update": (
        "review:\n  status: approved\n  updated: 2025-03-05\n  approvals:\n"
        "    - {name: Head of SRE, date: 2025-03-10}\n",
        (32, 33, "review.approvals[0].date", "2025-03-10 is after the review was last updated "
                                             "(2025-03-05)")),
    "update-before-the-incident": (
        "review:\n  updated: 2025-02-01\n",
        (29, 12, "review.updated", "2025-02-01 is before the incident started")),
}


@pytest.mark.parametrize("name", sorted(REVIEWS))
def test_an_incoherent_review_is_reported_at_its_line(run, tmp_path, name):
    review, (line, column, field, fragment) = REVIEWS[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text((RECORDS / "minimal.yaml").read_text() + review)
    status, _, err = run("validate", path)
    assert status == 1
    assert err.startswith(f"{path}:{line}:{column}: error: {field}: {fragment}"), err


@pytest.mark.parametrize("status", ["draft", "in_review", "approved", "published"])
def test_each_step_of_the_workflow_validates_when_it_is_borne_out(run, tmp_path, status):
    approvals = ("  approvals:\n    - {name: Head of SRE, role: approver, date: 2025-03-10}\n"
                 if status in ("approved", "published") else "")
    path = tmp_path / f"{status}.yaml"
    path.write_text((RECORDS / "minimal.yaml").read_text() + (
        f"review:\n  status: {status}\n  reviewers:\n    - {{name: Head of SRE}}\n"
        f"{approvals}  updated: 2025-03-10\n"))
    assert run("validate", path)[0] == 0
