"""Python's figures for bench_executor, measured the same way as the C++ side, per start method:
submit of a trivial function with every result collected, map over a range of ints (the same
chunksize as ours), as_completed over futures of trivial tasks, and ProcessPoolExecutor(2)
start + two tasks + shutdown (Python starts its workers as tasks are submitted, so a cycle
without tasks would start none; under spawn, one task would start only one).

Usage: bench_executor.py SUBMIT_TASKS MAP_ITEMS MAP_CHUNKSIZE AS_COMPLETED_FUTURES REPETITIONS CYCLES
Prints one flat JSON object: "<method>.submit_per_s", "<method>.map_items_per_s",
"<method>.as_completed_per_s", "<method>.cycle_ms".
"""
import concurrent.futures as cf
import json
import multiprocessing as mp
import statistics
import sys
import time


def inc(x):
    return x + 1


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
    total = 0
    last = None
    for v in ex.map(inc, range(n), chunksize=chunksize):
        last = v
    s = time.perf_counter() - t0
    assert last == n
    return n / s


def as_completed_rate(ex, n):
    t0 = time.perf_counter()
    fs = [ex.submit(inc, i) for i in range(n)]
    total = sum(f.result() for f in cf.as_completed(fs))
    s = time.perf_counter() - t0
    assert total == n * (n + 1) // 2
    return n / s


def cycle_ms(ctx):
    t0 = time.perf_counter()
    with cf.ProcessPoolExecutor(2, mp_context=ctx) as ex:
        fs = [ex.submit(inc, 1), ex.submit(inc, 2)]
        assert [f.result() for f in fs] == [2, 3]
    return (time.perf_counter() - t0) * 1e3


if __name__ == "__main__":
    submit_n, map_n, chunksize, ac_n, reps, cycles = (int(a) for a in sys.argv[1:7])
    out = {}
    for method in ("fork", "spawn", "forkserver"):
        ctx = mp.get_context(method)
        cycle_ms(ctx)  # warm-up (the forkserver starts here)
        out[method + ".cycle_ms"] = median_of(cycles, lambda: cycle_ms(ctx))
    for method in ("fork", "spawn", "forkserver"):
        ctx = mp.get_context(method)
        with cf.ProcessPoolExecutor(mp_context=ctx) as ex:
            list(ex.map(inc, range(4 * mp.cpu_count())))  # warm-up: the workers are up
            out[method + ".submit_per_s"] = median_of(reps, lambda: submit_rate(ex, submit_n))
            out[method + ".map_items_per_s"] = median_of(reps, lambda: map_rate(ex, map_n, chunksize))
            out[method + ".as_completed_per_s"] = median_of(reps, lambda: as_completed_rate(ex, ac_n))
    print(json.dumps(out))
