"""`server.notify.Notifier`: a long-poll never sleeps through a write that landed while it
read its page (the write's wake-up found no waiter then)."""

from __future__ import annotations

import asyncio

from server.notify import Notifier


def test_a_write_during_the_read_wakes_the_wait_at_once() -> None:
    notifier = Notifier()

    async def poll() -> bool:
        heard = notifier.count  # as the feed route does, before it reads
        notifier.notify(urgent=False)  # a till's sale commits while the page is read
        return await notifier.wait(30.0, after=heard)

    assert asyncio.run(asyncio.wait_for(poll(), 5.0)) is True


def test_with_nothing_written_since_the_wait_sleeps_until_woken_or_its_timeout() -> None:
    notifier = Notifier()

    async def poll() -> tuple[bool, bool]:
        quiet = await notifier.wait(0.05, after=notifier.count)
        waiting = asyncio.create_task(notifier.wait(30.0, after=notifier.count))
        await asyncio.sleep(0.01)
        notifier.notify(urgent=True)
        return quiet, await waiting

    assert asyncio.run(asyncio.wait_for(poll(), 5.0)) == (False, True)


def test_a_calming_poll_waits_for_urgent_writes_only() -> None:
    notifier = Notifier()

    async def poll() -> bool:
        heard = notifier.count
        notifier.notify(urgent=False)
        return await notifier.wait(0.05, urgent_only=True, after=heard)

    assert asyncio.run(poll()) is False
