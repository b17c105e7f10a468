"""Requests of one worker whose writes go to the database together (the API's votes): each request
queues its item and waits; one drain at a time hands every item queued so far to ``run`` (one
transaction, one commit) and answers each request with its own outcome once that commit is done.

While a batch is written (in a worker thread on PostgreSQL, on the event loop on SQLite: see
``Settings.inline_handlers``) the requests arriving meanwhile queue for the next one, so under load a
batch holds about as many items as there are requests in flight, and alone a request waits for nothing
but one pass of the event loop. An outcome that is an exception is raised in its own request only.
"""
from __future__ import annotations

import asyncio
from typing import Any, Callable, Generic, TypeVar

import anyio.to_thread

from amendments.services import vote_batches
from drafting.db import Database
from drafting.settings import Settings
from drafting.web import ratelimit

T = TypeVar("T")

MAX_BATCH = 200  # items per transaction at most: a batch's locks and its answers' wait stay short


class Batcher(Generic[T]):
    """``run(items) -> outcomes`` (same length and order; an exception instance is that item's error),
    called with the items queued since the last call; ``inline`` calls it on the event loop."""

    def __init__(self, run: Callable[[list[T]], list[Any]], *, inline: bool) -> None:
        self._run = run
        self._inline = inline
        self._queued: list[tuple[T, asyncio.Future]] = []
        self._draining: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def submit(self, item: T) -> Any:
        """The item's outcome, once the transaction that wrote it has committed."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (tests start one per client): nothing of the old one
            self._loop, self._queued, self._draining = loop, [], None
        future = loop.create_future()
        self._queued.append((item, future))
        if self._draining is None or self._draining.done():
            self._draining = loop.create_task(self._drain())
        outcome = await future
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    async def _drain(self) -> None:
        batch: list[tuple[T, asyncio.Future]] = []
        try:
            while self._queued:
                await asyncio.sleep(0)  # the requests already read this turn of the loop join the batch
                batch, self._queued = self._queued[:MAX_BATCH], self._queued[MAX_BATCH:]
                items = [item for item, _ in batch]
                try:
                    outcomes = self._run(items) if self._inline else await anyio.to_thread.run_sync(self._run, items)
                except Exception as error:  # not one item's refusal: each waiting request gets it
                    outcomes = [error] * len(batch)
                for (_, future), outcome in zip(batch, outcomes):
                    if not future.done():  # a request whose client went away was cancelled
                        future.set_result(outcome)
                batch = []
        except BaseException as error:  # cancelled (shutdown): no request waits for ever
            for _, future in batch + self._queued:
                if not future.done():
                    future.set_exception(error)
            self._queued = []
            raise


def vote_batcher(db: Database, settings: Settings) -> Batcher[vote_batches.Ballot]:
    """The worker's queue of votes (the API's PUT and DELETE of a vote), written in batches."""
    return Batcher(lambda ballots: vote_batches.cast(db, ballots, ratelimit.batch_limits(settings)),
                   inline=settings.inline_handlers)
