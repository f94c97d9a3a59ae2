"""Python's figure for bench_manager: a child doing d['k'] = i then d['k'] on a
Manager().dict(), as (set, get) pairs per second.

Usage: bench_manager.py PAIRS
Prints one JSON object: pairs_per_s.
"""
import json
import multiprocessing as mp
import sys
import time


def child(d, n, q):
    t0 = time.perf_counter()
    for i in range(n):
        d["k"] = i
        d["k"]
    q.put(n / (time.perf_counter() - t0))


if __name__ == "__main__":
    mp.set_start_method("fork")
    n = int(sys.argv[1])
    with mp.Manager() as m:
        d = m.dict()
        q = mp.Queue()
        p = mp.Process(target=child, args=(d, n, q))
        p.start()
        rate = q.get()
        p.join()
    print(json.dumps({"pairs_per_s": rate}))
