"""Unit tests of the job claims on a real SQLite file: one claimer at a time, leases, finishing once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from emulator.store.database import Database
from emulator.store.models import Account, DynamicImageJob, JobStatus
from emulator.worker import claims

T0 = datetime(2024, 1, 1, tzinfo=UTC)
LEASE = timedelta(seconds=30)


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    """Two Database objects on one file: two server processes."""
    url = f"sqlite:///{tmp_path / 'claims.db'}"
    first, second = Database(url), Database(url)
    first.create_all()

    def seed(session):  # type: ignore[no-untyped-def]
        session.add(Account(id="1"))
        session.flush()
        for n in range(2):
            session.add(
                DynamicImageJob(
                    job_id=f"job{n}",
                    account_id="1",
                    video_id="v",
                    template_id="t",
                    request_id="r",
                    created_at=T0 + timedelta(seconds=n),
                    updated_at=T0,
                )
            )

    first.run_sync(seed)
    yield first, second
    first.close()
    second.close()


def test_a_claimed_job_is_not_claimed_again_until_its_lease_expires(databases: tuple[Database, Database]) -> None:
    a, b = databases
    far = T0 + timedelta(days=1)
    assert a.run_sync(lambda s: claims.claim_next(s, "a", T0, LEASE, far)) == "job0"
    assert b.run_sync(lambda s: claims.claim_next(s, "b", T0, LEASE, far)) == "job1"
    assert b.run_sync(lambda s: claims.claim_next(s, "b", T0, LEASE, far)) is None
    assert not b.run_sync(lambda s: claims.claim_job(s, "job0", "b", T0 + LEASE / 2, LEASE))
    assert b.run_sync(lambda s: claims.claim_job(s, "job0", "b", T0 + LEASE * 2, LEASE))  # "a" died


def test_delay_mode_claims_only_due_jobs(databases: tuple[Database, Database]) -> None:
    a, _ = databases
    assert a.run_sync(lambda s: claims.claim_next(s, "a", T0, LEASE, T0 - timedelta(seconds=1))) is None
    assert a.run_sync(lambda s: claims.claim_next(s, "a", T0, LEASE, T0)) == "job0"
    assert a.run_sync(lambda s: claims.next_due(s, T0)) == T0 + timedelta(seconds=1)


def test_a_job_finishes_once(databases: tuple[Database, Database]) -> None:
    a, b = databases
    first = a.run_sync(lambda s: claims.finish_failure(s, "job0", T0, "X", "first"))
    second = b.run_sync(lambda s: claims.finish_failure(s, "job0", T0, "Y", "second"))
    assert first is not None and first.status is JobStatus.Fail and second is None
    job = b.run_sync(lambda s: s.get(DynamicImageJob, "job0"))
    assert (job.status, job.error_code) == (JobStatus.Fail, "X")
