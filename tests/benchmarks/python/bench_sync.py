"""Python's figures for bench_sync: uncontended Lock acquire+release, and two processes
incrementing a Value under its lock.

Usage: bench_sync.py LOCK_ITERATIONS INCREMENTS_PER_PROCESS
Prints one JSON object: lock_ns, value_increments_per_s.
"""
import json
import multiprocessing as mp
import sys
import time


def add(v, n):
    for _ in range(n):
        with v.get_lock():
            v.value += 1


if __name__ == "__main__":
    mp.set_start_method("fork")
    lock_n, inc_n = int(sys.argv[1]), int(sys.argv[2])
    lock = mp.Lock()
    t0 = time.perf_counter()
    for _ in range(lock_n):
        lock.acquire()
        lock.release()
    lock_ns = (time.perf_counter() - t0) / lock_n * 1e9
    v = mp.Value("i", 0)
    ps = [mp.Process(target=add, args=(v, inc_n)) for _ in range(2)]
    t0 = time.perf_counter()
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    rate = 2 * inc_n / (time.perf_counter() - t0)
    print(json.dumps({"lock_ns": lock_ns, "value_increments_per_s": rate}))
