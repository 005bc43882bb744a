"""The delivery ledger under concurrent deliveries beyond the first one: a failed delivery (or
one left by a crashed process) is taken over by exactly one of its concurrent redeliveries, and
a claim that gets only some of its keys keeps none of them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.db.base import utcnow
from bot.db.models import ChatDelivery
from bot.delivery_ledger import DONE, FAILED, PROCESSING, DeliveryLedger

KEYS = ["slack:event:Ev9", "slack:msg:C9:1700000000.000900"]


def _statuses(container) -> dict[str, str]:
    with container.sessions() as session:
        return {row.key: row.status for row in session.scalars(select(ChatDelivery))}


def _at_once(ledger: DeliveryLedger, keys: list[str], n: int = 8) -> list[bool]:
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda _: ledger.claim(keys), range(n)))


def test_concurrent_redeliveries_of_a_failed_delivery_are_claimed_once(container):
    ledger = DeliveryLedger(container.sessions)
    assert ledger.claim(KEYS)
    ledger.finish(KEYS, succeeded=False)
    assert _at_once(ledger, KEYS).count(True) == 1
    assert _statuses(container) == {key: PROCESSING for key in KEYS}


def test_concurrent_takeovers_of_a_stale_claim_are_claimed_once(container):
    ledger = DeliveryLedger(container.sessions, stale_after=timedelta(minutes=5))
    assert ledger.claim(KEYS)
    with container.sessions.begin() as session:
        session.execute(update(ChatDelivery).values(received_at=utcnow() - timedelta(minutes=6)))
    assert _at_once(ledger, KEYS).count(True) == 1


def test_a_claim_that_gets_only_some_keys_keeps_none(container):
    ledger = DeliveryLedger(container.sessions)
    assert ledger.claim(["slack:msg:C9:1"])
    ledger.finish(["slack:msg:C9:1"], succeeded=True)
    assert not ledger.claim(["slack:event:EvNew", "slack:msg:C9:1"])
    assert _statuses(container) == {"slack:msg:C9:1": DONE}, "the new event id was not left claimed"
    assert ledger.claim(["slack:event:EvNew"]), "so the event id alone can still be claimed"


def test_overlapping_claims_from_many_threads_never_share_a_key(container):
    ledger = DeliveryLedger(container.sessions)
    # each delivery names an event and a message; neighbours share the message key
    deliveries = [[f"slack:event:Ev{i}", f"slack:msg:C9:{i // 2}"] for i in range(40)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        won = list(pool.map(ledger.claim, deliveries))
    claimed = [keys for keys, ok in zip(deliveries, won, strict=True) if ok]
    assert len(claimed) == 20, "one delivery per message"
    assert len({keys[1] for keys in claimed}) == 20
    statuses = _statuses(container)
    assert all(statuses[k] == PROCESSING for keys in claimed for k in keys)
    assert len(statuses) == 40, "only the winners' keys were kept"


def test_a_claim_needs_a_key(container):
    with pytest.raises(ValueError, match="at least one key"):
        DeliveryLedger(container.sessions).claim([])


def test_finishing_marks_every_key(container):
    ledger = DeliveryLedger(container.sessions)
    assert ledger.claim(KEYS)
    ledger.finish(KEYS, succeeded=False)
    assert set(_statuses(container).values()) == {FAILED}
