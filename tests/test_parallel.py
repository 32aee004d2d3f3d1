"""parallel.ordered_map: the plain map's results, in its order, from every process that helps.

Run in a fresh interpreter: the pool forks only a process with no other threads, and other
tests (the dev server's) may leave some running in this one."""
import subprocess
import sys

from conftest import REPO

CHECKS = r"""
import os, time
from timeline_site import parallel

PARENT = os.getpid()


def pid_and_square(n):
    if n < parallel.CHUNK and os.getpid() != PARENT:  # a worker's first chunk is slow
        time.sleep(0.02)
    return os.getpid(), n * n


# The building process works out later chunks itself while a worker is busy with an earlier
# one; the results still come back in order, and both processes did some of the work.
items = list(range(parallel.CHUNK * 40 + 7))
results = list(parallel.ordered_map(pid_and_square, items, jobs=2))
assert [square for _, square in results] == [n * n for n in items]
pids = [pid for pid, _ in results]
assert PARENT in pids and len(set(pids)) == 2, set(pids)
assert pids[:parallel.CHUNK] != [PARENT] * parallel.CHUNK  # the first chunk went to the worker

# Few items stay in this process.
assert list(parallel.ordered_map(pid_and_square, list(range(10)), jobs=2)) == [(PARENT, n * n) for n in range(10)]

# Results done but not yet handed back stay within AHEAD chunks (memory stays bounded).
done_here = []


def note(n):
    done_here.append(n)  # in this process only: a worker's list is its own copy
    return os.getpid(), n


for consumed, (pid, n) in enumerate(parallel.ordered_map(note, list(range(parallel.CHUNK * 200)), jobs=2)):
    assert n == consumed
    assert sum(1 for m in done_here if m > consumed) <= parallel.AHEAD * parallel.CHUNK
assert len(done_here) not in (0, parallel.CHUNK * 200)  # both processes took part
print("ok")
"""


def test_ordered_map_keeps_order_shares_the_work_and_stays_bounded():
    run = subprocess.run([sys.executable, "-c", CHECKS], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"
