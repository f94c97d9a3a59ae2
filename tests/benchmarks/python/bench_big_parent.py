"""Python's figure for bench_big_parent: start+join of a process doing nothing while the parent
holds SIZE_MB of touched memory, per start method, and Pool(4) start+close+join under spawn.

Usage: bench_big_parent.py SIZE_MB ITERATIONS
Prints one JSON object: {"fork": median_s, "spawn": ..., "forkserver": ..., "pool_spawn": ...}.
"""
import json
import multiprocessing as mp
import statistics
import sys
import time


def nothing():
    pass


def median_of(iterations, once):
    once()  # warm-up (starts the forkserver, fills the page cache)
    samples = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        once()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def start_join(ctx):
    p = ctx.Process(target=nothing)
    p.start()
    p.join()


def pool_start(ctx):
    pool = ctx.Pool(4)
    pool.close()
    pool.join()


if __name__ == "__main__":
    size_mb, iterations = int(sys.argv[1]), int(sys.argv[2])
    ballast = bytearray(size_mb << 20)
    for i in range(0, len(ballast), 4096):  # touch every page: resident, as a real program's
        ballast[i] = 1
    out = {m: median_of(iterations, lambda c=mp.get_context(m): start_join(c))
           for m in ("fork", "spawn", "forkserver")}
    out["pool_spawn"] = median_of(max(1, iterations // 3), lambda: pool_start(mp.get_context("spawn")))
    print(json.dumps(out))
