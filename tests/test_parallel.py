"""parallel.ordered_map: the plain map's results, in its order, from every process that helps."""
import os
import time

from timeline_site import parallel


def pid_and_square(n):
    if n < parallel.CHUNK and os.getpid() != PARENT:  # a worker's first chunk is slow
        time.sleep(0.02)
    return os.getpid(), n * n


PARENT = os.getpid()


def test_results_keep_their_order_while_the_parent_works_ahead():
    """The building process works out later chunks itself while a worker is busy with an earlier
    one; the results still come back in order, and both processes did some of the work."""
    items = list(range(parallel.CHUNK * 40 + 7))
    results = list(parallel.ordered_map(pid_and_square, items, jobs=2))
    assert [square for _, square in results] == [n * n for n in items]
    pids = [pid for pid, _ in results]
    assert PARENT in pids and len(set(pids)) == 2
    assert pids[:parallel.CHUNK] != [PARENT] * parallel.CHUNK  # the first chunk went to the worker


def test_few_items_stay_in_this_process():
    results = list(parallel.ordered_map(pid_and_square, list(range(10)), jobs=2))
    assert results == [(PARENT, n * n) for n in range(10)]


def test_the_parent_never_runs_far_ahead():
    """Results done but not yet handed back stay within AHEAD chunks (memory stays bounded)."""
    ahead = []

    def note(n):
        ahead.append(n)
        return n

    for consumed, n in enumerate(parallel.ordered_map(note, list(range(parallel.CHUNK * 200)), jobs=2)):
        assert n == consumed
        done_here = sum(1 for m in ahead if m > consumed)
        assert done_here <= parallel.AHEAD * parallel.CHUNK
