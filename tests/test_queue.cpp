// Queue, SimpleQueue and JoinableQueue across processes, under every start method.
#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "support.hpp"

namespace {

using Item = std::pair<int, int>;  // (producer, sequence number)

std::string blob(std::size_t size, int seed) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 31 + static_cast<std::size_t>(seed)) & 0xff);
  return s;
}

void put_seed_item(mproc::Queue<std::tuple<int, std::string, std::optional<int>>> q) {
  q.put({1, "str", std::nullopt});
}

void put_blobs(mproc::Queue<std::string> q, int count, std::size_t size) {
  for (int i = 0; i < count; ++i) q.put(blob(size, i));
}

void produce(mproc::Queue<Item> q, int producer, int count) {
  for (int i = 0; i < count; ++i) q.put({producer, i});
}

// Takes items until a (-1, -1) stop item; reports all it took.
void consume(mproc::Queue<Item> q, mproc::Queue<std::vector<Item>> results) {
  std::vector<Item> taken;
  for (;;) {
    Item item = q.get();
    if (item.first < 0) break;
    taken.push_back(item);
  }
  results.put(taken);
}

void get_one_and_echo(mproc::Queue<int> in, mproc::Queue<int> out) { out.put(in.get() * 10); }

void drain_joinable(mproc::JoinableQueue<int> q, mproc::Queue<int> sums, int count) {
  int sum = 0;
  for (int i = 0; i < count; ++i) {
    sum += q.get();
    q.task_done();
  }
  sums.put(sum);
}

void simple_echo(mproc::SimpleQueue<std::string> in, mproc::SimpleQueue<std::string> out) {
  out.put(in.get() + "!");
}

// Puts and gets as fast as it can until killed; every item carries its own checksum.
void churn(mproc::Queue<std::string> q, mproc::Queue<int> started) {
  started.put(1);
  for (int i = 0;; ++i) {
    q.put(blob(static_cast<std::size_t>(100 + (i * 7919) % 20000), i));
    if (i % 2 == 1) (void)q.get();
  }
}

void block_in_get(mproc::Queue<int> q, mproc::Queue<int> started) {
  started.put(1);
  (void)q.get();
}

bool is_blob(const std::string& s) {
  for (int seed = 0; seed < 256; ++seed)
    if (s == blob(s.size(), seed)) return true;
  return false;
}

}  // namespace

TEST_CASE("queue_seed_example", "[queue]") {
  mproc::Queue<std::tuple<int, std::string, std::optional<int>>> q;
  mproc::Process p(put_seed_item, q);
  p.start();
  test::join_or_fail(p);
  auto item = q.get(true, test::deadline_seconds);
  CHECK(std::get<0>(item) == 1);
  CHECK(std::get<1>(item) == "str");
  CHECK_FALSE(std::get<2>(item));
}

TEST_CASE("queue_join_before_drain_neither_deadlocks_nor_loses_items", "[queue]") {
  // Python deadlocks here: the child's feeder thread cannot flush 20 MiB into a pipe nobody
  // reads, so the child never exits and join never returns.
  mproc::Queue<std::string> q;
  mproc::Process p(put_blobs, q, 20, std::size_t{1} << 20);
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
  REQUIRE(q.qsize() == 20);
  for (int i = 0; i < 20; ++i) REQUIRE(q.get(false) == blob(std::size_t{1} << 20, i));
  CHECK(q.empty());
}

TEST_CASE("queue_many_producers_many_consumers_exactly_once_in_order", "[queue]") {
  const int producers = 4, consumers = 3, per_producer = 3000;
  mproc::Queue<Item> q;
  mproc::Queue<std::vector<Item>> results;
  std::vector<mproc::Process> procs;
  for (int c = 0; c < consumers; ++c) procs.emplace_back(consume, q, results);
  for (int p = 0; p < producers; ++p) procs.emplace_back(produce, q, p, per_producer);
  for (auto& p : procs) p.start();
  for (int p = 0; p < producers; ++p) test::join_or_fail(procs[static_cast<std::size_t>(consumers + p)]);
  for (int c = 0; c < consumers; ++c) q.put({-1, -1});
  std::map<int, std::set<int>> seen;
  std::size_t total = 0;
  for (int c = 0; c < consumers; ++c) {
    auto taken = results.get(true, test::deadline_seconds);
    std::map<int, int> last;  // per producer, as seen by this consumer: strictly increasing
    for (auto [producer, seq] : taken) {
      auto it = last.find(producer);
      if (it != last.end()) REQUIRE(seq > it->second);
      last[producer] = seq;
      REQUIRE(seen[producer].insert(seq).second);  // never twice
      ++total;
    }
  }
  CHECK(total == static_cast<std::size_t>(producers * per_producer));
  for (int c = 0; c < consumers; ++c) test::join_or_fail(procs[static_cast<std::size_t>(c)]);
}

TEST_CASE("queue_full_empty_and_timeouts", "[queue]") {
  mproc::Queue<int> q(2);
  CHECK(q.maxsize() == 2);
  CHECK(q.empty());
  CHECK_THROWS_AS(q.get_nowait(), mproc::Empty);
  CHECK_THROWS_AS(q.get(true, 0.05), mproc::Empty);
  q.put(1);
  q.put_nowait(2);
  CHECK(q.full());
  CHECK(q.qsize() == 2);
  CHECK_THROWS_AS(q.put_nowait(3), mproc::Full);
  CHECK_THROWS_AS(q.put(3, true, 0.05), mproc::Full);
  CHECK(q.get() == 1);
  CHECK(q.get() == 2);
  mproc::Queue<int> unbounded;
  for (int i = 0; i < 10000; ++i) unbounded.put_nowait(i);
  CHECK_FALSE(unbounded.full());
  for (int i = 0; i < 10000; ++i) REQUIRE(unbounded.get_nowait() == i);
}

TEST_CASE("queue_blocked_get_wakes_when_another_process_puts", "[queue]") {
  mproc::Queue<int> in, out;
  mproc::Process p(get_one_and_echo, in, out);
  p.start();  // Blocks in get: nothing is there yet.
  in.put(7);
  CHECK(out.get(true, test::deadline_seconds) == 70);
  test::join_or_fail(p);
}

TEST_CASE("queue_blocked_put_wakes_when_another_process_gets", "[queue]") {
  mproc::Queue<int> in(1), out;
  in.put(5);  // Full now.
  mproc::Process p(get_one_and_echo, in, out);
  p.start();
  in.put(6, true, test::deadline_seconds);  // Waits for the child to take 5.
  CHECK(out.get(true, test::deadline_seconds) == 50);
  CHECK(in.get_nowait() == 6);
  test::join_or_fail(p);
}

TEST_CASE("queue_close_semantics", "[queue]") {
  mproc::Queue<int> q;
  q.put(1);
  CHECK_THROWS_AS(q.join_thread(), mproc::ValueError);
  mproc::Queue<int> same = q;
  q.close();
  CHECK(q.closed());
  CHECK_THROWS_AS(q.put(2), mproc::ValueError);
  CHECK_THROWS_AS(q.get(), mproc::ValueError);
  q.join_thread();
  q.cancel_join_thread();
  CHECK(same.get_nowait() == 1);  // Closing one handle leaves the others working.
}

TEST_CASE("queue_items_of_any_size_with_wraparound", "[queue]") {
  mproc::Queue<std::string> q;
  std::vector<std::string> expected;
  std::size_t next = 0;
  for (int round = 0; round < 400; ++round) {
    std::size_t size = round % 50 == 0 ? (std::size_t{3} << 20) : static_cast<std::size_t>((round * 7919) % 70000);
    q.put(blob(size, round));
    expected.push_back(blob(size, round));
    if (round % 3 != 0) REQUIRE(q.get_nowait() == expected[next++]);
  }
  while (next < expected.size()) REQUIRE(q.get_nowait() == expected[next++]);
  q.put(std::string());
  CHECK(q.get_nowait().empty());
}

TEST_CASE("queue_survives_a_process_killed_mid_operation", "[queue]") {
  mproc::Queue<std::string> q;
  for (int round = 0; round < 5; ++round) {
    mproc::Queue<int> started;
    mproc::Process p(churn, q, started);
    p.start();
    (void)started.get(true, test::deadline_seconds);
    // Let it get well into its loop, then kill it wherever it is.
    for (int i = 0; i < 20 * (round + 1); ++i) {
      q.put(blob(1000, 1));
      (void)q.get(true, test::deadline_seconds);
    }
    p.kill();
    test::join_or_fail(p);
    // Whatever it left is whole, and the queue still works for everyone else.
    std::size_t left = q.qsize();
    for (std::size_t i = 0; i < left; ++i) REQUIRE(is_blob(q.get_nowait()));
    q.put("after");
    REQUIRE(q.get(true, test::deadline_seconds) == "after");
  }
}

TEST_CASE("queue_killed_waiting_consumer_leaves_queue_usable", "[queue]") {
  mproc::Queue<int> q, started;
  mproc::Process p(block_in_get, q, started);
  p.start();
  (void)started.get(true, test::deadline_seconds);
  p.kill();
  test::join_or_fail(p);
  q.put(3);
  CHECK(q.get(true, test::deadline_seconds) == 3);
}

TEST_CASE("joinable_queue_join_waits_for_task_done", "[queue]") {
  mproc::JoinableQueue<int> q;
  mproc::Queue<int> sums;
  for (int i = 1; i <= 100; ++i) q.put(i);
  mproc::Process p(drain_joinable, q, sums, 100);
  p.start();
  q.join();  // Returns only after the child's 100 task_done calls.
  CHECK(q.empty());
  CHECK(sums.get(true, test::deadline_seconds) == 5050);
  test::join_or_fail(p);
  CHECK_THROWS_AS(q.task_done(), mproc::ValueError);
  q.join();  // Nothing unfinished: returns at once.
}

TEST_CASE("simple_queue_across_processes", "[queue]") {
  mproc::SimpleQueue<std::string> in, out;
  mproc::Process p(simple_echo, in, out);
  p.start();
  CHECK(in.empty());
  in.put("hello");
  CHECK(out.get() == "hello!");
  test::join_or_fail(p);
  CHECK(out.empty());
}
