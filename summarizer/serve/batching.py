"""A short queue in front of the model: concurrent requests become one model call.

Requests wait in a bounded queue; one worker takes the oldest and every other waiting
request with the same key (the same settings and number of key points), up to ``max_batch``,
and runs them in one call on the model's own thread. While a batch runs, new requests
queue up, so under load each call carries many articles, as ``summarize eval`` does; a
lone request is taken at once. When the model was idle, the worker waits at most
``wait`` seconds for requests still being read to join, and stops as soon as every
request in flight is in the queue.

A full queue refuses at once (:class:`Busy`, answered 503 with ``Retry-After``); a
request whose client went away is cancelled: it leaves the queue, or its result is
dropped if its batch is already running.

>>> import asyncio
>>> def run(key, items):
...     return [f"{key}:{x}" for x in items]
>>> async def main():
...     q = BatchQueue(run, capacity=4, max_batch=8)
...     q.start()
...     try:
...         return await asyncio.gather(q.submit("a", 1), q.submit("a", 2), q.submit("b", 3))
...     finally:
...         await q.stop()
>>> asyncio.run(main())
['a:1', 'a:2', 'b:3']
"""

from __future__ import annotations

import asyncio
import collections
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Sequence

# run(key, payloads) -> one result per payload: a value, or an exception to raise for that request
RunBatch = Callable[[Hashable, Sequence[Any]], Sequence[Any]]


class Busy(Exception):
    """The queue is full; ``retry_after``: whole seconds until it has likely drained."""

    def __init__(self, waiting: int, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"the server is busy ({waiting} requests waiting); try again in {retry_after} s")


@dataclass(eq=False)
class _Job:
    key: Hashable
    payload: Any
    future: asyncio.Future = field(repr=False)


class BatchQueue:
    """The queue and its one worker (see the module doc). ``run`` is called on a thread of its own."""

    def __init__(self, run: RunBatch, *, capacity: int = 64, max_batch: int = 32, wait: float = 0.0):
        self.run, self.capacity, self.max_batch, self.wait = run, capacity, max_batch, wait
        self.in_flight = 0  # requests being served (read, queued or in the model), kept by the caller
        self._waiting: collections.deque[_Job] = collections.deque()
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="summarizer-model")
        self._rate = 0.0  # items a second in recent batches, for Retry-After
        self.batches = 0
        self.items = 0

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def start(self) -> None:
        self._wake = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._work(), name="summarizer-batches")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        for job in self._waiting:
            job.future.cancel()
        self._waiting.clear()
        self._thread.shutdown(wait=False, cancel_futures=True)

    async def submit(self, key: Hashable, payload: Any) -> Any:
        """The result for ``payload``, once its batch has run; raises :class:`Busy` when the queue is full."""
        if len(self._waiting) >= self.capacity:
            raise Busy(len(self._waiting), self.retry_after())
        job = _Job(key, payload, asyncio.get_running_loop().create_future())
        self._waiting.append(job)
        assert self._wake is not None, "start() the queue first"
        self._wake.set()
        try:
            return await job.future
        except asyncio.CancelledError:  # the client went away, or the request timed out
            try:
                self._waiting.remove(job)  # its place is free at once
            except ValueError:
                pass  # already taken into a batch: its result is dropped
            raise

    def retry_after(self) -> int:
        """Seconds until the waiting requests have likely run (at least 1)."""
        if self._rate <= 0:
            return 1
        return max(1, math.ceil(len(self._waiting) / self._rate))

    async def _gather(self) -> None:
        """Wait (at most ``wait`` s) for requests in flight that are not queued yet."""
        assert self._wake is not None
        end = time.monotonic() + self.wait
        while len(self._waiting) < min(self.in_flight, self.max_batch):
            left = end - time.monotonic()
            if left <= 0:
                return
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), left)
            except asyncio.TimeoutError:
                return

    def _take(self) -> list[_Job]:
        head = self._waiting[0]
        batch = [j for j in self._waiting if j.key == head.key and not j.future.done()][: self.max_batch]
        taken = set(map(id, batch))
        kept = [j for j in self._waiting if id(j) not in taken and not j.future.done()]
        self._waiting.clear()
        self._waiting.extend(kept)
        return batch

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._wake is not None
        while True:
            if not self._waiting:
                self._wake.clear()
                await self._wake.wait()
                if self.wait:
                    await self._gather()  # the model was idle: let the others in flight catch up
            if not self._waiting:
                continue
            batch = self._take()
            if not batch:
                continue
            started = time.monotonic()
            try:
                results = await loop.run_in_executor(self._thread, self.run, batch[0].key, [j.payload for j in batch])
            except Exception as e:  # noqa: BLE001 - the caller's run failed as a whole: each request is told
                results = [e] * len(batch)
            took = max(time.monotonic() - started, 1e-6)
            self._rate = len(batch) / took if self._rate == 0 else 0.8 * self._rate + 0.2 * len(batch) / took
            self.batches += 1
            self.items += len(batch)
            for job, result in zip(batch, results):
                if job.future.done():  # cancelled while its batch ran
                    continue
                if isinstance(result, BaseException):
                    job.future.set_exception(result)
                else:
                    job.future.set_result(result)
