"""mpi4py.futures' figures for bench_mpi, measured the same way as the C++ side. Run by
bench_mpi as `mpiexec -n RANKS python3 -m mpi4py.futures bench_mpi.py ARGS` (rank 0 runs this,
the other ranks serve tasks):
submit of a trivial function with every result collected, map over a range of ints with chunks,
and a CPU-bound map (tasks that each burn CPU_MS of their own CPU time) on one worker and on all.

Usage: bench_mpi.py SUBMIT_TASKS MAP_ITEMS MAP_CHUNKSIZE CPU_TASKS CPU_MS REPETITIONS
Prints one flat JSON object: "submit_per_s", "map_items_per_s", "cpu_1_s", "cpu_all_s", "workers".
"""
import json
import statistics
import sys
import time

from mpi4py import MPI
from mpi4py.futures import MPIPoolExecutor


def inc(x):
    return x + 1


def burn(ms):
    end = time.thread_time() + ms / 1e3
    while time.thread_time() < end:
        pass
    return ms


def median_of(repetitions, once):
    return statistics.median(once() for _ in range(repetitions))


def submit_rate(ex, n):
    t0 = time.perf_counter()
    fs = [ex.submit(inc, i) for i in range(n)]
    total = sum(f.result() for f in fs)
    s = time.perf_counter() - t0
    assert total == n * (n + 1) // 2
    return n / s


def map_rate(ex, n, chunksize):
    t0 = time.perf_counter()
    last = None
    for v in ex.map(inc, range(n), chunksize=chunksize):
        last = v
    s = time.perf_counter() - t0
    assert last == n
    return n / s


def cpu_seconds(ex, tasks, ms):
    t0 = time.perf_counter()
    assert sum(ex.map(burn, [ms] * tasks)) == tasks * ms
    return time.perf_counter() - t0


def main():
    submit_n, map_n, chunksize, cpu_tasks, cpu_ms, reps = (int(a) for a in sys.argv[1:7])
    workers = MPI.COMM_WORLD.Get_size() - 1
    out = {"workers": workers}
    with MPIPoolExecutor() as ex:
        ex.submit(inc, 0).result()  # started and warmed up, as ours
        out["submit_per_s"] = median_of(reps, lambda: submit_rate(ex, submit_n))
        out["map_items_per_s"] = median_of(reps, lambda: map_rate(ex, map_n, chunksize))
        out["cpu_all_s"] = median_of(reps, lambda: cpu_seconds(ex, cpu_tasks, cpu_ms))
    with MPIPoolExecutor(max_workers=1) as ex:
        ex.submit(inc, 0).result()
        out["cpu_1_s"] = median_of(reps, lambda: cpu_seconds(ex, cpu_tasks, cpu_ms))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
