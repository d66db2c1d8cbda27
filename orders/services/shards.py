"""Dispatch shards: one batch cut into independent pieces that workers run at the same time.

A shard is (process, region): the open dispatch jobs of one process whose hand-off place lies
in one cell of a grid of DISPATCH_REGION_DEGREES. Two shards that could want the same factory
(one of its capabilities is for their process and the square around its service disk touches
both cells) belong to the same piece, so pieces share no factory: each piece plans its own
factories' capacity alone, under its own locks, and several workers run pieces at once (the
cluster grows by adding workers). In a city where every factory reaches everywhere there is
one piece, which is the whole batch as before; the square is never smaller than the disk, so
a factory that may take a job is always in that job's piece.
"""

import math
import zlib
from collections import Counter, defaultdict

from django.conf import settings
from django.db import connection
from django.utils import timezone

from factories import selectors as factory_selectors
from orders.matching.eligibility import KM_PER_DEGREE_LAT, KM_PER_DEGREE_LNG_AT_EQUATOR
from orders.models import Job

ShardKey = tuple[int, int, int]  # (process id, latitude cell, longitude cell)
SHARD_LOCK_CLASS = 8_402_212  # pg advisory lock class of "a piece holds this shard"


def shard_of(process_id: int, lat: float, lng: float) -> ShardKey:
    step = settings.DISPATCH_REGION_DEGREES
    return (process_id, math.floor(lat / step), math.floor(lng / step))


def _open_jobs(now) -> list[tuple[int, int, float, float]]:
    return list(
        Job.objects.filter(status=Job.Status.OPEN, mode=Job.Mode.DISPATCH, deadline__gt=now).values_list(
            "id", "process_id", "lat", "lng"
        )
    )


def _reach(process_id: int, lat: float, lng: float, radius_km: float) -> list[ShardKey]:
    """The shards of ``process_id`` that a line at (lat, lng) serving ``radius_km`` may reach."""
    step = settings.DISPATCH_REGION_DEGREES
    d_lat = radius_km / KM_PER_DEGREE_LAT
    d_lng = radius_km / (KM_PER_DEGREE_LNG_AT_EQUATOR * max(0.01, math.cos(math.radians(lat))))
    rows = range(math.floor((lat - d_lat) / step), math.floor((lat + d_lat) / step) + 1)
    cols = range(math.floor((lng - d_lng) / step), math.floor((lng + d_lng) / step) + 1)
    return [(process_id, i, j) for i in rows for j in cols]


def _factories_by_shard(shards) -> dict[ShardKey, set[int]]:
    """Per open shard, the factories whose lines may reach it."""
    reached: dict[ShardKey, set[int]] = defaultdict(set)
    for factory_id, process_id, lat, lng, radius in factory_selectors.factory_lines_available():
        for key in _reach(process_id, lat, lng, radius):
            if key in shards:
                reached[key].add(factory_id)
    return reached


def dispatch_pieces(*, now=None) -> list[list[ShardKey]]:
    """The open shards grouped into pieces that share no factory, largest piece first (by
    jobs); shards no factory reaches are left out (nothing to offer their jobs yet)."""
    jobs = Counter(shard_of(p, lat, lng) for _, p, lat, lng in _open_jobs(now or timezone.now()))
    reached = _factories_by_shard(jobs)
    parent = {key: key for key in reached}

    def root(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    owner: dict[int, ShardKey] = {}
    for key, factory_ids in reached.items():
        for factory_id in factory_ids:
            if factory_id in owner:
                parent[root(key)] = root(owner[factory_id])
            else:
                owner[factory_id] = key
    pieces: dict[ShardKey, list[ShardKey]] = defaultdict(list)
    for key in reached:
        pieces[root(key)].append(key)
    return sorted((sorted(piece) for piece in pieces.values()), key=lambda p: (-sum(jobs[k] for k in p), p))


def piece_job_ids(shards, *, now) -> list[int]:
    """The open dispatch jobs of a piece's shards."""
    wanted = {tuple(key) for key in shards}
    return [job_id for job_id, p, lat, lng in _open_jobs(now) if shard_of(p, lat, lng) in wanted]


def piece_factory_ids(shards) -> set[int]:
    """The factories whose lines may reach a piece's shards."""
    wanted = {tuple(key) for key in shards}
    return set().union(*_factories_by_shard(wanted).values())


def piece_lock(shards) -> bool:
    """Every shard of the piece for this transaction, or False when another piece (an
    overlapping fan-out) holds one of them."""
    with connection.cursor() as cursor:
        for key in sorted(tuple(k) for k in shards):
            lock_id = zlib.crc32(repr(key).encode()) - (1 << 31)  # a signed 32-bit key
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [SHARD_LOCK_CLASS, lock_id])
            if not cursor.fetchone()[0]:
                return False
    return True
