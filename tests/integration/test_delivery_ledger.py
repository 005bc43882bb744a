"""The delivery ledger answers each chat event once, however often the chat delivers it, and
still answers the retry of a first delivery that failed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select, update

from bot.db.base import utcnow
from bot.db.models import ChatDelivery
from bot.delivery_ledger import DeliveryLedger

KEYS = ["slack:event:Ev1", "slack:msg:C1:1700000000.000100"]


def test_a_second_delivery_of_an_answered_event_is_a_duplicate(container):
    ledger = DeliveryLedger(container.sessions)
    assert ledger.claim(KEYS)
    ledger.finish(KEYS, succeeded=True)
    assert not ledger.claim(KEYS)
    assert not ledger.claim(KEYS[:1]), "the event id alone is enough to spot the retry"
    assert not ledger.claim(["slack:event:Ev2", KEYS[1]]), "so is the same message under another event id"


def test_a_delivery_still_being_answered_blocks_its_retry(container):
    ledger = DeliveryLedger(container.sessions)
    assert ledger.claim(KEYS)
    assert not ledger.claim(KEYS)


def test_a_failed_first_delivery_is_answered_on_the_retry(container):
    ledger = DeliveryLedger(container.sessions)
    assert ledger.claim(KEYS)
    ledger.finish(KEYS, succeeded=False)
    assert ledger.claim(KEYS)
    ledger.finish(KEYS, succeeded=True)
    assert not ledger.claim(KEYS)


def test_a_claim_left_by_a_crashed_process_expires(container):
    ledger = DeliveryLedger(container.sessions, stale_after=timedelta(minutes=5))
    assert ledger.claim(KEYS)
    with container.sessions.begin() as session:
        session.execute(update(ChatDelivery).values(received_at=utcnow() - timedelta(minutes=6)))
    assert ledger.claim(KEYS)


def test_concurrent_deliveries_of_one_event_are_claimed_once(container):
    ledger = DeliveryLedger(container.sessions)
    with ThreadPoolExecutor(max_workers=8) as pool:
        won = list(pool.map(lambda _: ledger.claim(KEYS), range(8)))
    assert won.count(True) == 1


def test_old_keys_are_purged_but_only_after_the_remembered_window(container):
    ledger = DeliveryLedger(container.sessions, remember=timedelta(minutes=10))
    assert ledger.claim(["old"])
    ledger.finish(["old"], succeeded=True)
    assert ledger.claim(["recent"])
    ledger.finish(["recent"], succeeded=True)
    with container.sessions.begin() as session:
        session.execute(
            update(ChatDelivery).where(ChatDelivery.key == "old").values(received_at=utcnow() - timedelta(minutes=11))
        )
    for n in range(500):  # the ledger purges once every 500 claims
        ledger.claim([f"filler-{n}"])
    with container.sessions() as session:
        keys = set(session.scalars(select(ChatDelivery.key).where(~ChatDelivery.key.like("filler-%"))))
        assert keys == {"recent"}
        assert session.scalar(select(func.count()).select_from(ChatDelivery)) == 501
