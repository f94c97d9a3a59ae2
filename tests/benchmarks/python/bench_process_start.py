"""Python's figure for bench_process_start: start+join of a process doing nothing, per method.

Prints one JSON object: {"fork": {"median": s, "mean": s}, "spawn": ..., "forkserver": ...}.
"""
import json
import multiprocessing as mp
import statistics
import sys
import time


def nothing():
    pass


def measure(method, iterations, warmup):
    ctx = mp.get_context(method)
    samples = []
    for i in range(warmup + iterations):
        t0 = time.perf_counter()
        p = ctx.Process(target=nothing)
        p.start()
        p.join()
        if i >= warmup:
            samples.append(time.perf_counter() - t0)
    return {"median": statistics.median(samples), "mean": statistics.mean(samples)}


if __name__ == "__main__":
    counts = {"fork": int(sys.argv[1]), "spawn": int(sys.argv[2]), "forkserver": int(sys.argv[2])}
    print(json.dumps({m: measure(m, n, 2) for m, n in counts.items()}))
