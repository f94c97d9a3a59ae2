// Manager: a server process with proxies, under every start method; remote use over TCP.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "support.hpp"

namespace {

using Key = std::variant<std::string, int, double>;
using Item = std::variant<std::monostate, int, std::string>;

void set_num(int i, mproc::DictProxy<std::string, int> dic) { dic["num"] = 100 + i; }

void fill_seed(mproc::DictProxy<Key, Item> d, mproc::ListProxy<int> l) {
  d.set(Key(std::string("1")), Item(2));
  d.set(Key(2), Item(std::string("str")));
  d.set(Key(3.0), Item());
  for (std::size_t i = 0; i < l.size(); ++i) l[static_cast<std::int64_t>(i)] = -static_cast<int>(i);
}

void add_under_lock(mproc::ValueProxy<int> total, mproc::AcquirerProxy lock,
                    mproc::ListProxy<int> seen, int id, int times) {
  for (int i = 0; i < times; ++i) {
    lock.acquire();
    total.set(total.get() + 1);
    lock.release();
  }
  seen.append(id);
}

void queue_worker(mproc::QueueProxy<int> in, mproc::QueueProxy<int> out) {
  for (;;) {
    int v = in.get();
    if (v < 0) {
      in.task_done();
      break;
    }
    out.put(v * v);
    in.task_done();
  }
}

void wait_event_then_set(mproc::EventProxy go, mproc::EventProxy done) {
  if (go.wait(test::deadline_seconds)) done.set();
}

void barrier_party(mproc::BarrierProxy barrier, mproc::ListProxy<int> indexes) {
  indexes.append(barrier.wait(test::deadline_seconds));
}

void condition_waiter(mproc::ConditionProxy cond, mproc::ValueProxy<int> state, mproc::EventProxy ready) {
  cond.acquire();
  ready.set();
  bool ok = cond.wait_for([&] { return state.get() == 1; }, test::deadline_seconds);
  state.set(ok ? 2 : -1);
  cond.release();
}

void hold_lock_and_exit(mproc::AcquirerProxy lock, mproc::EventProxy held) {
  lock.acquire();
  held.set();
  mproc::exit(3);  // without releasing
}

void block_on_get(mproc::QueueProxy<std::string> q, mproc::EventProxy started) {
  started.set();
  (void)q.get();
}

struct Counter {
  int value = 0;
  void add(int by) { value += by; }
  int get() const { return value; }
  std::string describe(const std::string& prefix) const { return prefix + std::to_string(value); }
};

Counter make_counter(int start) { return Counter{start}; }

void add_to_counter(mproc::AutoProxy counter, int times) {
  for (int i = 0; i < times; ++i) counter.callmethod("add", 1);
}

void use_remote_queue(std::string address, std::string authkey) {
  mproc::BaseManager manager(mproc::Address(address), authkey);
  manager.connect();
  auto q = manager.create<mproc::QueueProxy<std::string>>("get_queue");
  q.put("hello from a child");
}

void serve_in_child(mproc::Queue<std::string> where) {
  mproc::BaseManager manager(mproc::Address("127.0.0.1", 0), std::string("serve-key"));
  manager.register_shared("get_dict", "dict");
  auto server = manager.get_server();
  where.put(server.address().to_string());
  server.serve_forever();
}

void start_manager_and_report(mproc::Queue<int> pids) {
  auto manager = mproc::Manager();
  auto d = manager.dict<int, int>();
  d[1] = 1;
  pids.put(*manager.pid());
  mproc::Event().wait(test::deadline_seconds);  // until killed
}

void hold_proxy_copy(mproc::DictProxy<int, int> d, mproc::QueueProxy<int> done) {
  d[7] = 7;
  done.put(1);
}

int append_square(mproc::ListProxy<int> out, int x) {
  out.append(x * x);
  return x;
}

}  // namespace

TEST_CASE("manager_proxies_as_pool_task_arguments", "[manager]") {
  auto m = mproc::Manager();
  auto out = m.list<int>();
  {
    mproc::Pool pool(2);
    std::vector<mproc::AsyncResult<int>> results;
    for (int i = 0; i < 20; ++i) results.push_back(pool.apply_async(append_square, out, i));
    for (auto& r : results) r.get(test::deadline_seconds);
    pool.close();
    pool.join();
  }
  auto got = out.tolist();
  std::sort(got.begin(), got.end());
  std::vector<int> want;
  for (int i = 0; i < 20; ++i) want.push_back(i * i);
  std::sort(want.begin(), want.end());
  CHECK(got == want);
  CHECK(m.number_of_objects() == 1);  // the workers gave their references back
}

TEST_CASE("manager_seed_dict_written_by_ten_processes", "[manager]") {
  auto dic = mproc::Manager().dict<std::string, int>();  // the proxy keeps its manager alive
  for (int i = 0; i < 10; ++i) {
    mproc::Process p(set_num, i, dic);
    p.start();
    test::join_or_fail(p);
    REQUIRE(p.exitcode() == 0);
    auto items = dic.items();
    REQUIRE(items.size() == 1);
    CHECK(items[0] == std::pair<std::string, int>("num", 100 + i));
  }
}

TEST_CASE("manager_seed_dict_and_list_filled_by_a_child", "[manager]") {
  auto m = mproc::Manager();
  std::vector<int> ten(10);
  for (int i = 0; i < 10; ++i) ten[static_cast<std::size_t>(i)] = i;
  auto l = m.list<int>(ten);
  auto d = m.dict<Key, Item>();
  mproc::Process p(fill_seed, d, l);
  p.start();
  test::join_or_fail(p);
  REQUIRE(p.exitcode() == 0);
  auto items = d.items();
  REQUIRE(items.size() == 3);
  CHECK(items[0].first == Key(std::string("1")));
  CHECK(items[0].second == Item(2));
  CHECK(items[1].second == Item(std::string("str")));
  CHECK(items[2].first == Key(3.0));
  CHECK(std::holds_alternative<std::monostate>(items[2].second));
  CHECK(l.tolist() == std::vector<int>{0, -1, -2, -3, -4, -5, -6, -7, -8, -9});
}

TEST_CASE("manager_dict_has_pythons_methods", "[manager]") {
  auto m = mproc::Manager();
  auto d = m.dict<std::string, int>(std::vector<std::pair<std::string, int>>{{"a", 1}, {"b", 2}});
  CHECK(d.size() == 2);
  CHECK(d["a"].get() == 1);
  CHECK_THROWS_AS(d.at("zz"), mproc::KeyError);
  CHECK(d.get("zz") == std::nullopt);
  CHECK(d.get("zz", 5) == 5);
  CHECK(d.contains("b"));
  d.set("c", 3);
  CHECK(d.keys() == std::vector<std::string>{"a", "b", "c"});
  CHECK(d.values() == std::vector<int>{1, 2, 3});
  CHECK(d.setdefault("a", 9) == 1);
  CHECK(d.setdefault("d", 4) == 4);
  CHECK(d.pop("a") == 1);
  CHECK(d.pop("a", -1) == -1);
  CHECK_THROWS_AS(d.pop("a"), mproc::KeyError);
  CHECK(d.popitem() == std::pair<std::string, int>("d", 4));
  d.erase("b");
  CHECK_THROWS_AS(d.erase("b"), mproc::KeyError);
  d.update(std::map<std::string, int>{{"x", 10}, {"y", 20}});
  CHECK(d.items() == std::vector<std::pair<std::string, int>>{{"c", 3}, {"x", 10}, {"y", 20}});
  d.clear();
  CHECK(d.empty());
  CHECK_THROWS_AS(d.popitem(), mproc::KeyError);
}

TEST_CASE("manager_list_and_array_have_pythons_methods", "[manager]") {
  auto m = mproc::Manager();
  auto l = m.list<std::string>();
  l.append("a");
  l.extend(std::vector<std::string>{"b", "c", "b"});
  l.insert(0, "z");
  l.insert(100, "end");
  CHECK(l.tolist() == std::vector<std::string>{"z", "a", "b", "c", "b", "end"});
  CHECK(l[-1].get() == "end");
  CHECK_THROWS_AS(l.at(6), mproc::IndexError);
  CHECK(l.index("b") == 2);
  CHECK(l.count("b") == 2);
  CHECK_THROWS_AS(l.index("nope"), mproc::ValueError);
  l.remove("b");
  CHECK(l.pop() == "end");
  CHECK(l.pop(0) == "z");
  CHECK(l.slice(-2, std::nullopt) == std::vector<std::string>{"c", "b"});
  l.reverse();
  CHECK(l.tolist() == std::vector<std::string>{"b", "c", "a"});
  l[1] = "C";
  l.erase(0);
  CHECK(l.tolist() == std::vector<std::string>{"C", "a"});
  CHECK(l.contains("a"));
  l.clear();
  CHECK_THROWS_AS(l.pop(), mproc::IndexError);

  auto a = m.Array<double>(3);
  a[2] = 1.5;
  CHECK(a.tolist() == std::vector<double>{0.0, 0.0, 1.5});
  CHECK(a.size() == 3);
  CHECK_THROWS_AS(a.at(3), mproc::IndexError);
  auto b = m.Array<int>(std::vector<int>{1, 2, 3});
  CHECK(b.slice(1, std::nullopt) == std::vector<int>{2, 3});
}

TEST_CASE("manager_namespace_and_value", "[manager]") {
  auto m = mproc::Manager();
  auto ns = m.Namespace();
  ns.set("x", 10);
  ns.set("name", std::string("mproc"));
  CHECK(ns.get<int>("x") == 10);
  CHECK(ns.get<std::string>("name") == "mproc");
  CHECK(ns.has("x"));
  CHECK(ns.names() == std::vector<std::string>{"name", "x"});
  CHECK_THROWS_AS(ns.get<int>("missing"), mproc::AttributeError);
  CHECK_THROWS_AS(ns.get<std::string>("x"), mproc::SerializationError);
  ns.erase("x");
  CHECK_FALSE(ns.has("x"));

  auto v = m.Value<double>(2.5);
  CHECK(v.value() == 2.5);
  v.set_value(-1);
  CHECK(v.get() == -1);
}

TEST_CASE("manager_concurrent_updates_from_many_processes_are_atomic_per_call", "[manager]") {
  auto m = mproc::Manager();
  auto total = m.Value<int>(0);
  auto lock = m.Lock();
  auto seen = m.list<int>();
  std::vector<mproc::Process> procs;
  for (int i = 0; i < 4; ++i) procs.emplace_back(add_under_lock, total, lock, seen, i, 150);
  for (auto& p : procs) p.start();
  for (auto& p : procs) test::join_or_fail(p);
  CHECK(total.value() == 600);
  auto ids = seen.tolist();
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<int>{0, 1, 2, 3});
}

TEST_CASE("manager_queue_across_processes_with_task_done_and_timeouts", "[manager]") {
  auto m = mproc::Manager();
  auto in = m.JoinableQueue<int>();
  auto out = m.Queue<int>();
  mproc::Process worker(queue_worker, in, out);
  worker.start();
  for (int i = 1; i <= 20; ++i) in.put(i);
  in.put(-1);
  in.join();
  test::join_or_fail(worker);
  int sum = 0;
  for (int i = 0; i < 20; ++i) sum += out.get(true, test::deadline_seconds);
  CHECK(sum == 2870);
  CHECK_THROWS_AS(out.get_nowait(), mproc::Empty);
  CHECK_THROWS_AS(out.get(true, 0.05), mproc::Empty);
  CHECK_THROWS_AS(in.task_done(), mproc::ValueError);
  auto small = m.Queue<int>(1);
  small.put(1);
  CHECK(small.full());
  CHECK_THROWS_AS(small.put(2, true, 0.05), mproc::Full);
  CHECK_THROWS_AS(small.put_nowait(2), mproc::Full);
  CHECK(small.qsize() == 1);
}

TEST_CASE("manager_locks_semaphores_events", "[manager]") {
  auto m = mproc::Manager();
  auto rlock = m.RLock();
  CHECK(rlock.acquire());
  CHECK(rlock.acquire());
  rlock.release();
  rlock.release();
  CHECK_THROWS_AS(rlock.release(), mproc::ValueError);
  auto lock = m.Lock();
  CHECK(lock.acquire());
  CHECK_FALSE(lock.acquire(false));
  CHECK_FALSE(lock.acquire(true, 0.05));
  lock.release();
  auto sem = m.Semaphore(2);
  CHECK(sem.acquire());
  CHECK(sem.acquire());
  CHECK_FALSE(sem.acquire(false));
  sem.release();
  CHECK(sem.get_value() == 1);
  auto bounded = m.BoundedSemaphore(1);
  CHECK_THROWS_AS(bounded.release(), mproc::ValueError);

  auto go = m.Event(), done = m.Event();
  mproc::Process p(wait_event_then_set, go, done);
  p.start();
  CHECK_FALSE(done.wait(0.05));
  go.set();
  CHECK(done.wait(test::deadline_seconds));
  test::join_or_fail(p);
  CHECK(go.is_set());
  go.clear();
  CHECK_FALSE(go.is_set());
}

TEST_CASE("manager_condition_and_barrier_across_processes", "[manager]") {
  auto m = mproc::Manager();
  auto cond = m.Condition();
  auto state = m.Value<int>(0);
  auto ready = m.Event();
  mproc::Process waiter(condition_waiter, cond, state, ready);
  waiter.start();
  REQUIRE(ready.wait(test::deadline_seconds));
  cond.acquire();  // the waiter released the lock inside wait
  state.set(1);
  cond.notify_all();
  cond.release();
  test::join_or_fail(waiter);
  CHECK(state.get() == 2);
  CHECK_THROWS_AS(cond.notify(), mproc::ValueError);  // not holding the lock

  auto with_lock = m.Condition(m.Lock());
  CHECK(with_lock.acquire());
  CHECK_FALSE(with_lock.wait(0.05));
  with_lock.release();

  auto barrier = m.Barrier(3);
  auto indexes = m.list<int>();
  std::vector<mproc::Process> parties;
  for (int i = 0; i < 3; ++i) parties.emplace_back(barrier_party, barrier, indexes);
  for (auto& p : parties) p.start();
  for (auto& p : parties) test::join_or_fail(p);
  auto got = indexes.tolist();
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<int>{0, 1, 2});
  CHECK(barrier.parties() == 3);
  CHECK_THROWS_AS(barrier.wait(0.05), mproc::BrokenBarrierError);
  CHECK(barrier.broken());
  barrier.reset();
  CHECK_FALSE(barrier.broken());
}

TEST_CASE("manager_lock_held_by_a_dead_process_is_released", "[manager]") {
  auto m = mproc::Manager();
  auto lock = m.Lock();
  auto held = m.Event();
  mproc::Process p(hold_lock_and_exit, lock, held);
  p.start();
  REQUIRE(held.wait(test::deadline_seconds));
  test::join_or_fail(p);
  CHECK(p.exitcode() == 3);
  CHECK(lock.acquire(true, test::deadline_seconds));
}

TEST_CASE("manager_queue_get_of_a_killed_process_loses_no_item", "[manager]") {
  auto m = mproc::Manager();
  auto q = m.Queue<std::string>();
  auto started = m.Event();
  mproc::Process p(block_on_get, q, started);
  p.start();
  REQUIRE(started.wait(test::deadline_seconds));
  p.kill();
  p.join();
  q.put("kept");
  CHECK(q.get(true, test::deadline_seconds) == "kept");
}

TEST_CASE("manager_registered_type_and_bad_calls", "[manager]") {
  mproc::SyncManager m;
  m.register_type("Counter", &make_counter, mproc::exposed<&Counter::add>("add"),
                  mproc::exposed<&Counter::get>("get"), mproc::exposed<&Counter::describe>("describe"));
  m.start();
  auto counter = m.create("Counter", 5);
  std::vector<mproc::Process> procs;
  for (int i = 0; i < 3; ++i) procs.emplace_back(add_to_counter, counter, 50);
  for (auto& p : procs) p.start();
  for (auto& p : procs) test::join_or_fail(p);
  CHECK(counter.callmethod<int>("get") == 155);
  CHECK(counter.callmethod<std::string>("describe", std::string("n=")) == "n=155");
  CHECK_THROWS_AS(counter.callmethod("add", 1L), mproc::ValueError);  // long, not int
  CHECK_THROWS_AS(counter.callmethod("nope"), mproc::AttributeError);
  CHECK_THROWS_AS(m.create("Counter"), mproc::ValueError);            // missing argument
  CHECK_THROWS_AS(m.create("NoSuchType"), mproc::AttributeError);
  // A proxy read as the wrong type is a clear error, and the server goes on serving.
  auto as_int = m.dict<std::string, int>();
  as_int.set("k", 5);
  mproc::DictProxy<std::string, std::vector<std::string>> as_vector(
      mproc::detail::ProxyState::acquire(as_int.token()));
  CHECK_THROWS_AS(as_vector.at("k"), mproc::SerializationError);
  CHECK(as_int.at("k") == 5);
}

TEST_CASE("manager_malformed_requests_get_an_error_and_the_server_goes_on", "[manager]") {
  auto m = mproc::Manager();
  auto d = m.dict<int, int>();
  d[1] = 2;
  auto raw = mproc::Client(m.address(), m.authkey());
  raw.send_bytes(std::string("\x01garbage that is no request", 27));
  std::string reply = raw.recv_bytes();
  CHECK_FALSE(reply.empty());
  CHECK(reply[0] == 0);  // not ok
  raw.close();
  CHECK(d[1].get() == 2);
}

TEST_CASE("manager_remote_tcp_with_authkey", "[manager]") {
  mproc::BaseManager server(mproc::Address("127.0.0.1", 0), std::string("right key"));
  server.register_shared("get_queue", "Queue");
  server.start();
  REQUIRE(server.address().family() == mproc::AddressFamily::tcp);
  REQUIRE(server.address().port() > 0);

  mproc::Process p(use_remote_queue, server.address().to_string(), std::string("right key"));
  p.start();
  test::join_or_fail(p);
  REQUIRE(p.exitcode() == 0);

  mproc::BaseManager client(server.address(), std::string("right key"));
  client.connect();
  auto q = client.create<mproc::QueueProxy<std::string>>("get_queue");
  CHECK(q.get(true, test::deadline_seconds) == "hello from a child");

  mproc::BaseManager intruder(server.address(), std::string("wrong key"));
  CHECK_THROWS_AS(intruder.connect(), mproc::AuthenticationError);
  q.put("still serving");
  CHECK(q.get(true, test::deadline_seconds) == "still serving");
}

TEST_CASE("manager_get_server_serve_forever_in_another_process", "[manager]") {
  mproc::Queue<std::string> where;
  mproc::Process server(serve_in_child, where);
  server.start();
  std::string address = where.get(true, test::deadline_seconds);
  mproc::SyncManager client(mproc::Address(address), std::string("serve-key"));
  client.connect();
  auto d = client.create<mproc::DictProxy<std::string, int>>("get_dict");
  d["x"] = 1;
  auto again = client.create<mproc::DictProxy<std::string, int>>("get_dict");
  CHECK(again["x"].get() == 1);  // the same shared object
  server.terminate();
  server.join(test::deadline_seconds);
  CHECK(server.exitcode());
  // The proxies' destructors give their references back to a dead server: they must return
  // (under Wine the dead server's socket may stay open; the wait for its answer is bounded).
}

TEST_CASE("manager_objects_are_released_with_their_last_proxy", "[manager]") {
  auto m = mproc::Manager();
  CHECK(m.number_of_objects() == 0);
  {
    auto d = m.dict<int, int>();
    auto done = m.Queue<int>();
    CHECK(m.number_of_objects() == 2);
    mproc::Process p(hold_proxy_copy, d, done);
    p.start();
    CHECK(done.get(true, test::deadline_seconds) == 1);
    test::join_or_fail(p);
    CHECK(d[7].get() == 7);
  }
  CHECK(m.number_of_objects() == 0);
}

namespace {

void use_dict_after_parent_let_go(mproc::DictProxy<int, int> d, mproc::Event parent_let_go,
                                  mproc::Queue<int> result) {
  d[1] = 41;
  if (parent_let_go.wait(test::deadline_seconds)) result.put(d[1].get() + 1);
}

}  // namespace

TEST_CASE("manager_whose_last_proxy_is_a_finished_childs_argument_shuts_down", "[manager]") {
  // The parent lets go of the manager and of its proxy while a child still has a copy as its
  // argument: that copy keeps the manager up, and dropping it after the child's exit shuts
  // the manager down (off the runtime's loop thread, which must go on reaping meanwhile).
  mproc::Event parent_let_go;
  mproc::Queue<int> result;
  std::optional<mproc::Process> child;
  int server_pid = 0;
  {
    auto m = mproc::Manager();
    server_pid = *m.pid();
    auto d = m.dict<int, int>();
    child.emplace(use_dict_after_parent_let_go, d, parent_let_go, result);
    child->start();
  }
  parent_let_go.set();
  CHECK(result.get(true, test::deadline_seconds) == 42);
  test::join_or_fail(*child);
  CHECK(child->exitcode() == 0);
  // Joined by the manager's destructor before join() above returned.
  auto children = mproc::active_children();
  CHECK(std::none_of(children.begin(), children.end(), [&](const mproc::Process& c) { return c.pid() == server_pid; }));
  if (test::can_watch_pids()) CHECK(test::wait_process_gone(server_pid));
}

namespace {

void add_one(mproc::ValueProxy<int> total, mproc::AcquirerProxy lock) {
  lock.acquire();
  total.set(total.get() + 1);
  lock.release();
}

}  // namespace

TEST_CASE("manager_children_started_while_others_finish_never_deadlock", "[manager]") {
  // Each finished child's arguments (proxies) are dropped by the runtime while this thread
  // starts the next children: under fork, a child forked in that moment must not inherit a
  // lock that only the parent's other threads could release. Many rounds, all with a deadline.
  auto m = mproc::Manager();
  auto total = m.Value<int>(0);
  auto lock = m.Lock();
  // The race is fork's; other methods run a few rounds only (a spawn costs ~0.4 s under Wine).
  const int rounds = mproc::get_start_method() == "fork" ? 40 : 8, per_round = 4;
  for (int r = 0; r < rounds; ++r) {
    std::vector<mproc::Process> batch;
    for (int i = 0; i < per_round; ++i) {
      batch.emplace_back(add_one, total, lock);
      batch.back().start();
    }
    for (auto& p : batch) {
      test::join_or_fail(p);
      REQUIRE(p.exitcode() == 0);
    }
  }
  CHECK(total.get() == rounds * per_round);
  CHECK(m.number_of_objects() == 2);
}

namespace {

void wait_until_released(mproc::Event released) { (void)released.wait(test::deadline_seconds); }

void hold_lock_and_fork_a_survivor(mproc::AcquirerProxy lock, mproc::Event release_survivor,
                                   mproc::Queue<int> survivor_pid, mproc::Event holding) {
  lock.acquire();
  // Forked, so it inherits this process's connection to the manager; not daemonic, so it
  // outlives this process.
  mproc::Process survivor = mproc::get_context("fork").Process(wait_until_released, release_survivor);
  survivor.start();
  survivor_pid.put(*survivor.pid());
  holding.set();
  mproc::Event().wait();  // Until killed.
}

}  // namespace

TEST_CASE("manager_lock_of_a_killed_client_is_released_while_its_forked_child_lives", "[manager]") {
  auto methods = mproc::get_all_start_methods();
  if (std::find(methods.begin(), methods.end(), "fork") == methods.end()) return;  // Windows
  auto m = mproc::Manager();
  auto lock = m.Lock();
  mproc::Event release_survivor, holding;
  mproc::Queue<int> survivor_pid;
  mproc::Process client(hold_lock_and_fork_a_survivor, lock, release_survivor, survivor_pid, holding);
  client.start();
  REQUIRE(holding.wait(test::deadline_seconds));
  int survivor = survivor_pid.get(true, test::deadline_seconds);
  client.kill();
  test::join_or_fail(client);
  // The forked child closed its copy of the client's connection, so the server saw the
  // client die and released its lock (before: only once the survivor had exited too).
  CHECK(lock.acquire(true, test::deadline_seconds));
  lock.release();
  release_survivor.set();
  if (test::can_watch_pids()) CHECK(test::wait_process_gone(survivor));
}

TEST_CASE("manager_shutdown_and_use_afterwards", "[manager]") {
  auto m = mproc::Manager();
  auto d = m.dict<int, int>();
  d[1] = 1;
  int pid = *m.pid();
  m.shutdown();
  m.shutdown();  // idempotent
  CHECK_THROWS_AS(d.at(1), mproc::EOFError);
  CHECK_THROWS_AS((m.dict<int, int>()), mproc::ValueError);
  if (test::can_watch_pids()) CHECK(test::wait_process_gone(pid));
}

TEST_CASE("manager_process_dies_with_its_owner", "[manager]") {
  if (!test::can_watch_pids()) return;  // needs /proc to watch a non-child process
  mproc::Queue<int> pids;
  mproc::Process owner(start_manager_and_report, pids);
  owner.start();
  int manager_pid = pids.get(true, test::deadline_seconds);
  owner.kill();
  owner.join();
  CHECK(test::wait_process_gone(manager_pid));
}
