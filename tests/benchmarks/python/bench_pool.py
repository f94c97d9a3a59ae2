"""Python's figures for bench_pool, measured the same way as the C++ side: per start method,
apply_async of a trivial function (all results collected), map over a range with the default
chunksize, imap_unordered with chunksize 1, and Pool(2) start+close+join; then, under fork,
the CPU-bound speedup of cpu_count() workers over one.

Usage: bench_pool.py APPLY_TASKS MAP_ITEMS IMAP_ITEMS REPETITIONS FORK_CYCLES OTHER_CYCLES
                     CPU_TASK_SECONDS
Prints one flat JSON object: "<method>.apply_async_per_s", "<method>.map_items_per_s",
"<method>.imap_unordered_per_s", "<method>.cycle_ms" for each method, and "cpu.speedup",
"cpu.workers", "cpu.one_worker_s", "cpu.all_workers_s".
"""
import json
import multiprocessing as mp
import statistics
import sys
import time


def inc(x):
    return x + 1


def calc(k):
    s = 0
    for i in range(k):
        s += i * i
    return s


def median_of(repetitions, once):
    return statistics.median(once() for _ in range(repetitions))


def apply_async_rate(pool, n):
    t0 = time.perf_counter()
    results = [pool.apply_async(inc, (i,)) for i in range(n)]
    total = sum(r.get() for r in results)
    s = time.perf_counter() - t0
    assert total == n * (n + 1) // 2
    return n / s


def map_rate(pool, n):
    t0 = time.perf_counter()
    out = pool.map(inc, range(n))
    s = time.perf_counter() - t0
    assert len(out) == n and out[-1] == n
    return n / s


def imap_unordered_rate(pool, n):
    t0 = time.perf_counter()
    total = 0
    for v in pool.imap_unordered(inc, range(n), chunksize=1):
        total += v
    s = time.perf_counter() - t0
    assert total == n * (n + 1) // 2
    return n / s


def cycle_ms(ctx):
    t0 = time.perf_counter()
    pool = ctx.Pool(2)
    pool.close()
    pool.join()
    return (time.perf_counter() - t0) * 1e3


def calibrate(seconds):
    k = 100000
    while True:
        t0 = time.perf_counter()
        calc(k)
        s = time.perf_counter() - t0
        if s >= 0.05:
            return max(1, int(k * seconds / s))
        k *= 4


def cpu_times(ctx, workers, tasks, k, repetitions):
    """Medians for one worker and for `workers`, runs taken in turns as on the C++ side."""
    with ctx.Pool(1) as one, ctx.Pool(workers) as many:
        for pool, n in ((one, 1), (many, workers)):
            pool.map(inc, range(2 * n), chunksize=1)  # the workers are up

        def once(pool):
            t0 = time.perf_counter()
            pool.map(calc, [k] * tasks, chunksize=1)
            return time.perf_counter() - t0

        t1, tn = [], []
        for _ in range(repetitions):
            t1.append(once(one))
            tn.append(once(many))
        return statistics.median(t1), statistics.median(tn)


if __name__ == "__main__":
    apply_n, map_n, imap_n, reps, fork_cycles, other_cycles = (int(a) for a in sys.argv[1:7])
    cpu_seconds = float(sys.argv[7])
    out = {}
    # The start+close+join cycles first, while the program is small, as on the C++ side.
    for method in ("fork", "spawn", "forkserver"):
        ctx = mp.get_context(method)
        cycles = fork_cycles if method == "fork" else other_cycles
        cycle_ms(ctx)  # warm-up (the forkserver starts here)
        out[method + ".cycle_ms"] = median_of(cycles, lambda: cycle_ms(ctx))
    for method in ("fork", "spawn", "forkserver"):
        ctx = mp.get_context(method)
        with ctx.Pool() as pool:
            pool.map(inc, range(4 * mp.cpu_count()), chunksize=1)  # warm-up: the workers are up
            out[method + ".apply_async_per_s"] = median_of(reps, lambda: apply_async_rate(pool, apply_n))
            out[method + ".map_items_per_s"] = median_of(reps, lambda: map_rate(pool, map_n))
            out[method + ".imap_unordered_per_s"] = median_of(reps, lambda: imap_unordered_rate(pool, imap_n))
    n = mp.cpu_count()
    k = calibrate(cpu_seconds)
    ctx = mp.get_context("fork")
    one, many = cpu_times(ctx, n, n, k, 3)
    out.update({"cpu.speedup": one / many, "cpu.workers": n, "cpu.one_worker_s": one,
                "cpu.all_workers_s": many})
    print(json.dumps(out))
