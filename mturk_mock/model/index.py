"""SortedIndex: the items of one listing in key order, for pages that start after a key.

Every List operation pages through one of these (``service/pagination.py``): a page is found by
bisection and costs O(log n + page), however deep it is, and an insertion or removal costs O(log n)
plus the size of one chunk. Keys are unique and totally ordered (ints, or tuples such as
``(expiration, hit_id)``); most listings use a serial number, so inserts are appends.

The chunked layout is the one sortedcontainers uses: a list of short sorted lists plus the last key of
each, so no operation moves more than one chunk's worth of memory.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

V = TypeVar("V")
Key = Any  # int, str, float or a tuple of them; only compared and hashed
CHUNK = 512


class SortedIndex(Generic[V]):
    __slots__ = ("_keys", "_values", "_maxes", "_length")

    def __init__(self) -> None:
        self._keys: list[list[Key]] = []
        self._values: list[list[V]] = []
        self._maxes: list[Key] = []  # the last key of each chunk
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def insert(self, key: Key, value: V) -> None:
        """Add ``value`` under ``key`` (which must not be present)."""
        maxes = self._maxes
        if not maxes:
            self._keys.append([key])
            self._values.append([value])
            maxes.append(key)
        elif key > maxes[-1]:  # the common case: serial keys only grow
            keys = self._keys[-1]
            keys.append(key)
            self._values[-1].append(value)
            maxes[-1] = key
            if len(keys) > 2 * CHUNK:
                self._split(len(maxes) - 1)
        else:
            chunk = bisect_left(maxes, key)
            keys = self._keys[chunk]
            position = bisect_left(keys, key)
            if keys[position] == key:
                raise KeyError(f"key {key!r} is already in the index")
            keys.insert(position, key)
            self._values[chunk].insert(position, value)
            if len(keys) > 2 * CHUNK:
                self._split(chunk)
        self._length += 1

    def _split(self, chunk: int) -> None:
        keys, values = self._keys[chunk], self._values[chunk]
        self._keys[chunk + 1 : chunk + 1] = [keys[CHUNK:]]
        self._values[chunk + 1 : chunk + 1] = [values[CHUNK:]]
        del keys[CHUNK:], values[CHUNK:]
        self._maxes[chunk : chunk + 1] = [keys[-1], self._keys[chunk + 1][-1]]

    def remove(self, key: Key) -> V:
        """Take out the value under ``key`` (KeyError if absent) and return it."""
        maxes = self._maxes
        chunk = bisect_left(maxes, key)
        if chunk == len(maxes):
            raise KeyError(key)
        keys = self._keys[chunk]
        position = bisect_left(keys, key)
        if keys[position] != key:
            raise KeyError(key)
        del keys[position]
        value = self._values[chunk].pop(position)
        if keys:
            maxes[chunk] = keys[-1]
        else:
            del self._keys[chunk], self._values[chunk], maxes[chunk]
        self._length -= 1
        return value

    def __contains__(self, key: Key) -> bool:
        chunk = bisect_left(self._maxes, key)
        if chunk == len(self._maxes):
            return False
        keys = self._keys[chunk]
        return bool(keys[bisect_left(keys, key)] == key)

    def after(self, key: Key | None = None) -> Iterator[tuple[Key, V]]:
        """(key, value) pairs in key order, starting after ``key`` (from the start when None)."""
        chunk, position = (0, 0) if key is None else self._locate_after(key)
        all_keys, all_values = self._keys, self._values
        while chunk < len(all_keys):
            keys, values = all_keys[chunk], all_values[chunk]
            for index in range(position, len(keys)):
                yield keys[index], values[index]
            chunk, position = chunk + 1, 0

    def page(self, after: Key | None, size: int, keep: Callable[[V], bool] | None = None) -> tuple[list[V], Key]:
        """Up to ``size`` values after the key ``after`` that ``keep`` accepts (all when None), and the key of
        the last value examined (None when none was): where the next page starts."""
        chunk, position = (0, 0) if after is None else self._locate_after(after)
        all_keys, all_values = self._keys, self._values
        found: list[V] = []
        last: Key = None
        while chunk < len(all_values) and len(found) < size:
            values = all_values[chunk]
            if keep is None:  # slices: no Python-level work per item
                taken = values[position : position + size - len(found)]
                found += taken
                position += len(taken)
            else:
                while position < len(values) and len(found) < size:
                    if keep(values[position]):
                        found.append(values[position])
                    position += 1
            last = all_keys[chunk][position - 1]
            chunk, position = chunk + 1, 0
        return found, last

    def _locate_after(self, key: Key) -> tuple[int, int]:
        chunk = bisect_right(self._maxes, key)
        if chunk == len(self._maxes):
            return chunk, 0
        return chunk, bisect_right(self._keys[chunk], key)

    def values(self) -> Iterator[V]:
        for values in self._values:
            yield from values

    def items(self) -> Iterator[tuple[Key, V]]:
        return self.after(None)
