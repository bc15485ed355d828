"""String building blocks: columns of text built in numpy/Arrow, never one Python object per event.

Fixed-width text goes through uint8 matrices, the rest through Arrow's element-wise string kernels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.sample.vocabulary import HOUR_MS, TS_SUFFIXES


def plain(values: Sequence[str]) -> pa.Array:
    # Vocabulary strings are spliced into JSON without escaping, so they must not need it.
    for value in values:
        if any(c in value for c in '"\\') or any(ord(c) < 0x20 for c in value):
            raise ValueError(f"vocabulary value needs JSON escaping: {value!r}")
    return pa.array(values, pa.string())


def from_matrix(mat: np.ndarray) -> pa.Array:
    n, width = mat.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(mat, dtype=np.uint8).tobytes()
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (np.asarray(values, dtype=np.int64)[:, None] // powers % 10 + 48).astype(np.uint8)


HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def hex_matrix(values: np.ndarray, width: int) -> np.ndarray:
    shifts = np.arange(width - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
    return HEX_DIGITS[(np.asarray(values, dtype=np.uint64)[:, None] >> shifts) & np.uint64(15)]


def prefixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    mat = np.empty((len(numbers), len(prefix) + width), dtype=np.uint8)
    mat[:, : len(prefix)] = np.frombuffer(prefix.encode(), dtype=np.uint8)
    mat[:, len(prefix) :] = _digits(numbers, width)
    return from_matrix(mat)


def uuids(rng: np.random.Generator, n: int) -> pa.Array:
    raw = np.frombuffer(rng.bytes(16 * n), dtype=np.uint8).reshape(n, 16)
    nibbles = np.empty((n, 32), dtype=np.uint8)
    nibbles[:, 0::2] = raw >> 4
    nibbles[:, 1::2] = raw & 15
    nibbles[:, 12] = 4  # a version-4 UUID, as tracking SDKs generate
    nibbles[:, 16] = (nibbles[:, 16] & 3) | 8
    text = HEX_DIGITS[nibbles]
    mat = np.full((n, 36), ord("-"), dtype=np.uint8)
    for src, dst in ((0, 0), (8, 9), (12, 14), (16, 19), (20, 24)):
        span = {0: 8, 8: 4, 12: 4, 16: 4, 20: 12}[src]
        mat[:, dst : dst + span] = text[:, src : src + span]
    return from_matrix(mat)


def timestamps(ms: np.ndarray, style: np.ndarray, millis: np.ndarray | bool = False) -> pa.Array:
    """ISO-8601 strings with an offset; style indexes TS_SUFFIXES. The same instant is written
    in local time for +09:00, so every string parses back to the same UTC instant."""
    ms = np.asarray(ms, dtype=np.int64)
    style = np.asarray(style, dtype=np.int64)
    local = ms + np.where(style == 2, 9 * HOUR_MS, 0)
    secs = np.floor_divide(local, 1000)
    days = np.floor_divide(secs, 86_400)
    sod = secs - days * 86_400
    day = days.astype("datetime64[D]")
    month_start = day.astype("datetime64[M]")
    year = day.astype("datetime64[Y]").astype(np.int64) + 1970
    month = month_start.astype(np.int64) % 12 + 1
    dom = (day - month_start.astype("datetime64[D]")).astype(np.int64) + 1
    n = len(ms)
    mat = np.empty((n, 23), dtype=np.uint8)
    mat[:, 0:4] = _digits(year, 4)
    mat[:, 5:7] = _digits(month, 2)
    mat[:, 8:10] = _digits(dom, 2)
    mat[:, 11:13] = _digits(sod // 3600, 2)
    mat[:, 14:16] = _digits(sod // 60 % 60, 2)
    mat[:, 17:19] = _digits(sod % 60, 2)
    mat[:, 20:23] = _digits(local % 1000, 3)
    mat[:, [4, 7]] = ord("-")
    mat[:, 10] = ord("T")
    mat[:, [13, 16]] = ord(":")
    mat[:, 19] = ord(".")
    base = from_matrix(mat[:, :19])
    suffix = plain(TS_SUFFIXES).take(pa.array(style))
    if np.any(millis):
        fraction = from_matrix(mat[:, 19:23])
        keep = np.broadcast_to(np.asarray(millis, dtype=bool), (n,))
        fraction = pc.if_else(pa.array(keep), fraction, "")
        return pc.binary_join_element_wise(base, fraction, suffix, "")
    return pc.binary_join_element_wise(base, suffix, "")


def take(vocab: pa.Array, index: np.ndarray) -> pa.Array:
    """vocab[index], null where index < 0."""
    index = np.asarray(index, dtype=np.int64)
    return vocab.take(pa.array(index, mask=index < 0))


def money(minor: np.ndarray, usd: np.ndarray) -> pa.Array:
    """Amounts in minor units as text: KRW has none (39000), USD has cents (29.99)."""
    minor = np.asarray(minor, dtype=np.int64)
    whole = pc.cast(pa.array(minor // np.where(usd, 100, 1)), pa.string())
    cents = pc.utf8_lpad(pc.cast(pa.array(np.abs(minor) % 100), pa.string()), width=2, padding="0")
    return pc.if_else(
        pa.array(np.asarray(usd, dtype=bool)), pc.binary_join_element_wise(whole, cents, "."), whole
    )


def integer_texts(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def scatter(n: int, parts: list[tuple[np.ndarray, pa.Array]]) -> pa.Array:
    """A length-n string column from (positions, values) parts; null where no part writes."""
    chunks: list[pa.Array] = []
    where = np.full(n, -1, dtype=np.int64)
    offset = 0
    for positions, values in parts:
        if len(positions):
            where[positions] = offset + np.arange(len(positions))
            offset += len(positions)
            chunks.append(values.cast(pa.string()))
    if not chunks:
        return pa.nulls(n, pa.string())
    return take(pa.concat_arrays(chunks), where)


def json_object(members: list[tuple[str, pa.Array, bool]]) -> pa.Array:
    """JSON objects from (name, text, quoted) members; a null member is left out."""
    fragments = []
    for name, values, quoted in members:
        if quoted:
            fragments.append(pc.binary_join_element_wise(f'"{name}":"', values, '"', ""))
        else:
            fragments.append(pc.binary_join_element_wise(f'"{name}":', values, ""))
    body = pc.binary_join_element_wise(*fragments, ",", null_handling="skip")
    return pc.binary_join_element_wise("{", body, "}", "")
