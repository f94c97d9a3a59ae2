"""Python's figures for bench_pipe_queue, measured the same way as the C++ side.

Usage: bench_pipe_queue.py ROUND_TRIPS BULK_MESSAGES SMALL_ITEMS BIG_ITEMS
Prints one JSON object: round_trip_us, bulk_mb_s, queue_small_per_s, queue_big_mb_s.
"""
import json
import multiprocessing as mp
import sys
import time

MIB = 1 << 20


def echo(conn, n):
    conn.recv()  # go
    for _ in range(n):
        conn.send(conn.recv())


def bulk_sender(conn, n):
    conn.recv()
    data = b"x" * MIB
    for _ in range(n):
        conn.send_bytes(data)


def queue_producer(go, q, n, size):
    go.get()
    item = 1 if size == 0 else b"x" * size
    for _ in range(n):
        q.put(item)


def round_trip(n):
    a, b = mp.Pipe()
    p = mp.Process(target=echo, args=(b, n))
    p.start()
    a.send("go")
    t0 = time.perf_counter()
    for i in range(n):
        a.send(i)
        a.recv()
    elapsed = time.perf_counter() - t0
    p.join()
    return elapsed / n * 1e6


def bulk(n):
    a, b = mp.Pipe()
    p = mp.Process(target=bulk_sender, args=(b, n))
    p.start()
    t0 = time.perf_counter()
    a.send("go")
    for _ in range(n):
        a.recv_bytes()
    elapsed = time.perf_counter() - t0
    p.join()
    return n * MIB / elapsed / 1e6


def queue_rate(n, size):
    go, q = mp.Queue(), mp.Queue()
    p = mp.Process(target=queue_producer, args=(go, q, n, size))
    p.start()
    t0 = time.perf_counter()
    go.put(1)
    for _ in range(n):
        q.get()
    elapsed = time.perf_counter() - t0
    p.join()
    return n / elapsed if size == 0 else n * size / elapsed / 1e6


if __name__ == "__main__":
    mp.set_start_method("fork")
    rt, bulk_n, small_n, big_n = (int(x) for x in sys.argv[1:5])
    print(json.dumps({
        "round_trip_us": round_trip(rt),
        "bulk_mb_s": bulk(bulk_n),
        "queue_small_per_s": queue_rate(small_n, 0),
        "queue_big_mb_s": queue_rate(big_n, MIB),
    }))
