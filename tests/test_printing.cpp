// Objects print as Python prints them (issue 14): values through mproc::repr, mproc's objects
// through `<<` and fmt, in the parent and in children, under every start method.
#include <algorithm>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <variant>
#include <vector>

#include "mproc/format.hpp"
#include "support.hpp"

namespace {

using Catch::Matchers::Matches;

template <class T>
std::string streamed(const T& object) {
  std::ostringstream out;
  out << object;
  return out.str();
}

std::string pid_text() { return std::to_string(mproc::getpid()); }

void hold_lock(mproc::Lock lock, mproc::Event held, mproc::Event release) {
  lock.acquire();
  lock.acquire(false);  // a second take of an RLock; refused (false) for a Lock
  held.set();
  if (!release.wait(test::deadline_seconds)) mproc::exit(2);
}

void report_identity(mproc::Queue<std::string> out, mproc::BoundedSemaphore s, mproc::Array<char> text) {
  out.put(mproc::current_process().repr());
  out.put(s.repr());
  text.set_value("from child");
}

void wait_on_condition(mproc::Condition c, mproc::Event started) {
  std::unique_lock<mproc::Condition> guard(c);
  started.set();
  c.wait(test::deadline_seconds);
}

void wait_for_release(mproc::Event release) {
  if (!release.wait(test::deadline_seconds)) mproc::exit(2);
}

bool wait_then_succeed(mproc::EventProxy release) { return release.wait(test::deadline_seconds); }

int fail_task(int) { throw std::runtime_error("task failed on purpose"); }

void connect_to(mproc::Address address) { mproc::Client(address).send(std::string("hello")); }

struct Stage : mproc::ProcessClass<Stage> {
  void run() override {}
  template <class A>
  void serialize(A&) {}
};

}  // namespace

TEST_CASE("repr_of_values_matches_python", "[printing]") {
  CHECK(mproc::repr(std::vector<int>{0, 1, 4}) == "[0, 1, 4]");
  CHECK(mproc::repr(std::map<int, std::string>{{1, "1"}, {2, "two"}}) == "{1: '1', 2: 'two'}");
  using Key = std::variant<int, std::string>;
  CHECK(mproc::repr(std::vector<std::pair<Key, Key>>{{1, "1"}, {"2", 2}}) == "[(1, '1'), ('2', 2)]");
  CHECK(mproc::repr(std::tuple<int, std::string, std::monostate>{1, "str", {}}) == "(1, 'str', None)");
  CHECK(mproc::repr(std::tuple<int>{7}) == "(7,)");
  CHECK(mproc::repr(std::optional<int>{}) == "None");
  CHECK(mproc::repr(true) == "True");
  CHECK(mproc::repr(3.0) == "3.0");
  CHECK(mproc::repr(0.1) == "0.1");
  CHECK(mproc::repr(1e16) == "1e+16");
  CHECK(mproc::repr(1e-5) == "1e-05");
  CHECK(mproc::repr(std::string("it's")) == "\"it's\"");
  CHECK(mproc::repr(std::string("a\n'\"")) == "'a\\n\\'\"'");
  CHECK(mproc::repr(std::set<int>{}) == "set()");
  CHECK(mproc::repr(std::vector<std::vector<double>>{{1.5}, {}}) == "[[1.5], []]");
}

TEST_CASE("process_prints_its_state_as_python", "[printing]") {
  mproc::Event release;
  mproc::Process p(wait_for_release, release);
  std::string parent = " parent=" + pid_text() + " ";
  CHECK(p.repr() == "<Process name='" + p.name() + "'" + parent + "initial>");
  p.set_daemon(true);
  p.start();
  std::string pid = " pid=" + std::to_string(*p.pid());
  CHECK(streamed(p) == "<Process name='" + p.name() + "'" + pid + parent + "started daemon>");
  CHECK(fmt::format("{}", p) == p.repr());
  release.set();
  test::join_or_fail(p);
  CHECK(p.repr() == "<Process name='" + p.name() + "'" + pid + parent + "stopped exitcode=0 daemon>");

  mproc::Event never;
  mproc::Process killed(wait_for_release, never);
  killed.start();
  killed.terminate();
  test::join_or_fail(killed);
  CHECK_THAT(killed.repr(), Matches("<Process name='Process-[0-9:]+' pid=[0-9]+ parent=[0-9]+ stopped exitcode=-SIGTERM>"));

  Stage stage;
  CHECK_THAT(streamed(stage), Matches("<Stage name='Stage-[0-9:]+' parent=[0-9]+ initial>"));
}

TEST_CASE("current_process_prints_in_parent_and_child", "[printing]") {
  CHECK(streamed(mproc::current_process()) == "<_MainProcess name='MainProcess' parent=None started>");
  mproc::Queue<std::string> out;
  mproc::BoundedSemaphore bounded(3);
  mproc::Array<char> text(16);
  mproc::Process p(report_identity, out, bounded, text);
  p.start();
  std::string child = out.get(true, test::deadline_seconds);
  std::string semaphore = out.get(true, test::deadline_seconds);
  test::join_or_fail(p);
  CHECK(child == "<Process name='" + p.name() + "' parent=" + pid_text() + " started>");
  // The bound travels with the semaphore; the value is unknown where the OS cannot tell it.
  CHECK_THAT(semaphore, Matches("<BoundedSemaphore\\(value=(3|unknown), maxvalue=3\\)>"));
  CHECK(text.value() == "from child");
}

TEST_CASE("locks_print_their_owner", "[printing]") {
  mproc::Lock lock;
  CHECK(streamed(lock) == "<Lock(owner=None)>");
  lock.acquire();
  CHECK(lock.repr() == "<Lock(owner=MainProcess)>");
  CHECK(lock.owner() == "MainProcess");
  std::thread([&] { CHECK(lock.repr() == "<Lock(owner=SomeOtherThread)>"); }).join();
  lock.release();
  CHECK(lock.owner() == "None");

  mproc::RLock rlock;
  CHECK(rlock.repr() == "<RLock(None, 0)>");
  rlock.acquire();
  rlock.acquire();
  CHECK(rlock.count() == 2);
  CHECK(streamed(rlock) == "<RLock(MainProcess, 2)>");
  rlock.release();
  rlock.release();
  CHECK(rlock.count() == 0);

  mproc::Event held, release;
  mproc::Process holder(hold_lock, static_cast<mproc::Lock>(rlock), held, release);
  holder.start();
  REQUIRE(held.wait(test::deadline_seconds));
  CHECK(rlock.repr() == "<RLock(SomeOtherProcess, nonzero)>");
  CHECK(rlock.count() == 0);
  release.set();
  test::join_or_fail(holder);
  CHECK(rlock.repr() == "<RLock(None, 0)>");
}

TEST_CASE("condition_semaphore_event_barrier_print", "[printing]") {
  mproc::Condition c;
  CHECK(streamed(c) == "<Condition(<RLock(None, 0)>, 0)>");
  mproc::Event started;
  mproc::Process waiter(wait_on_condition, c, started);
  waiter.start();
  REQUIRE(started.wait(test::deadline_seconds));
  {
    // The waiter claims its slot before wait() gives the lock up: once we hold it, it waits.
    std::lock_guard<mproc::Condition> guard(c);
    CHECK(c.waiters() == 1);
    CHECK(c.repr() == "<Condition(<RLock(MainProcess, 1)>, 1)>");
    c.notify();
  }
  test::join_or_fail(waiter);
  CHECK(c.waiters() == 0);

  mproc::Semaphore s(2);
  CHECK_THAT(streamed(s), Matches("<Semaphore\\(value=(2|unknown)\\)>"));
  CHECK_THAT(mproc::BoundedSemaphore(1).repr(), Matches("<BoundedSemaphore\\(value=(1|unknown), maxvalue=1\\)>"));
  mproc::Event e;
  CHECK(streamed(e) == "<Event(unset)>");
  e.set();
  CHECK(e.repr() == "<Event(set)>");
  mproc::Barrier b(3);
  CHECK(b.repr() == "<Barrier(parties=3, n_waiting=0)>");
  b.abort();
  CHECK(b.repr() == "<Barrier(parties=3, n_waiting=0, broken)>");
}

TEST_CASE("queues_connections_and_shared_values_print", "[printing]") {
  mproc::Queue<int> q(10);
  q.put(1);
  q.put(2);
  CHECK(streamed(q) == "<Queue(maxsize=10, qsize=2)>");
  mproc::JoinableQueue<int> jq;
  CHECK(jq.repr() == "<JoinableQueue(maxsize=0, qsize=0)>");
  mproc::SimpleQueue<int> sq;
  CHECK(sq.repr() == "<SimpleQueue(empty=True)>");
  q.close();
  CHECK(q.repr() == "<Queue(maxsize=10, qsize=2, closed)>");

  auto [a, b] = mproc::Pipe();
  CHECK_THAT(streamed(a), Matches("<Connection\\(handle=-?[0-9]+, readable, writable\\)>"));
  auto [r, w] = mproc::Pipe(false);
  CHECK_THAT(r.repr(), Matches("<Connection\\(handle=-?[0-9]+, readable\\)>"));
  CHECK_THAT(w.repr(), Matches("<Connection\\(handle=-?[0-9]+, writable\\)>"));
  a.close();
  CHECK(a.repr() == "<Connection(closed)>");

  CHECK(streamed(mproc::Value<int>(5)) == "<Synchronized wrapper for c_int(5)>");
  CHECK(mproc::Value<double>(2.5, false).repr() == "c_double(2.5)");
  CHECK(mproc::RawValue<char>('a').repr() == "c_char(b'a')");
  CHECK(streamed(mproc::Array<int>{1, 2, 3}) == "<SynchronizedArray wrapper for c_int_Array_3([1, 2, 3])>");
  CHECK(mproc::RawArray<double>(std::vector<double>{0.5}).repr() == "c_double_Array_1([0.5])");
  CHECK(mproc::Array<char>("hello", false).repr() == "c_char_Array_5(b'hello')");
}

TEST_CASE("pool_and_async_results_print", "[printing]") {
  mproc::SyncManager manager;  // a task's argument: a proxy (a plain Event passes only to a Process)
  manager.start();
  mproc::Pool pool(2);
  CHECK(streamed(pool) == "<Pool state=RUN pool_size=2>");
  mproc::EventProxy release = manager.Event();
  auto pending = pool.apply_async(wait_then_succeed, release);
  CHECK(streamed(pending) == "<AsyncResult(pending)>");
  release.set();
  CHECK(pending.get(test::deadline_seconds));
  CHECK(pending.repr() == "<AsyncResult(ready, successful)>");
  auto failed = pool.apply_async(fail_task, 1);
  failed.wait(test::deadline_seconds);
  CHECK(failed.repr() == "<AsyncResult(ready, failed)>");
  pool.close();
  CHECK(pool.repr() == "<Pool state=CLOSE pool_size=2>");
  pool.join();
  mproc::Pool other(1);
  other.terminate();
  CHECK(other.repr() == "<Pool state=TERMINATE pool_size=1>");
  other.join();
}

TEST_CASE("manager_proxies_print_their_contents", "[printing]") {
  mproc::SyncManager manager;
  manager.start();
  using Item = std::variant<int, std::string>;
  auto d = manager.dict<Item, Item>();
  d[1] = std::string("1");
  d[std::string("2")] = 2;
  CHECK(streamed(d) == "{1: '1', '2': 2}");
  auto l = manager.list<int>();
  for (int i = 0; i < 3; ++i) l.append(i * i);
  CHECK(streamed(l) == "[0, 1, 4]");
  CHECK(manager.Value<int>(5).repr() == "Value('i', 5)");
  auto ns = manager.Namespace();
  ns.set("x", 1);
  ns.set("y", std::string("a"));
  CHECK(streamed(ns) == "Namespace(x=1, y='a')");
  CHECK(fmt::format("{} {}", l, ns) == "[0, 1, 4] Namespace(x=1, y='a')");
  CHECK(mproc::DictProxy<int, int>().repr() == "<DictProxy (unbound)>");
  manager.shutdown();
}

TEST_CASE("listener_last_accepted_names_the_client", "[printing]") {
  mproc::Listener tcp(mproc::Address("127.0.0.1", 0));
  CHECK_FALSE(tcp.last_accepted().has_value());
  mproc::Process client(connect_to, tcp.address());
  client.start();
  mproc::Connection c = tcp.accept();
  CHECK(c.recv<std::string>() == "hello");
  test::join_or_fail(client);
  auto peer = tcp.last_accepted();
  REQUIRE(peer.has_value());
  CHECK(peer->host() == "127.0.0.1");
  CHECK(peer->port() > 0);
  CHECK(peer->port() != tcp.address().port());
  CHECK(streamed(*peer) == "('127.0.0.1', " + std::to_string(peer->port()) + ")");

  // AF_UNIX and named-pipe clients have no address of their own (Python: '' and None).
  mproc::Listener local;
  mproc::Process local_client(connect_to, local.address());
  local_client.start();
  mproc::Connection lc = local.accept();
  CHECK(lc.recv<std::string>() == "hello");
  test::join_or_fail(local_client);
  CHECK_FALSE(local.last_accepted().has_value());
}

TEST_CASE("pool_workers_are_process_objects", "[printing]") {
  mproc::Pool pool(2);
  std::vector<mproc::Process> workers = pool.workers();
  REQUIRE(workers.size() == 2);
  std::vector<int> pids = pool.worker_pids();
  for (auto& w : workers) {
    CHECK(w.is_alive());
    CHECK(std::find(pids.begin(), pids.end(), *w.pid()) != pids.end());
    CHECK(w.name().find("PoolWorker-") != std::string::npos);
    CHECK_THAT(w.repr(), Matches("<Process name='[A-Za-z]+PoolWorker-[0-9:]+' pid=[0-9]+ parent=[0-9]+ started daemon>"));
  }
  pool.terminate();
  pool.join();
  for (auto& w : workers) CHECK_FALSE(w.is_alive());
}

TEST_CASE("char_arrays_and_arrays_with_their_own_lock", "[printing]") {
  mproc::Array<char> text("hello");
  CHECK(text.size() == 5);
  CHECK(text.value() == "hello");
  text.set_value("hi");
  CHECK(text.value() == "hi");
  CHECK(text.raw() == std::string("hi\0lo", 5));
  CHECK_THROWS_AS(text.set_value("too long text"), mproc::ValueError);
  text.set_raw("HELLO");
  CHECK(text.value() == "HELLO");

  mproc::Lock shared;
  mproc::Array<int> a(std::vector<int>{1, 2}, shared);
  a.get_lock().acquire();
  CHECK(shared.held_by_this_thread());  // the very lock given
  a.get_lock().release();
  mproc::Array<int> unlocked(4, false);
  CHECK_THROWS_AS(unlocked.get_lock(), mproc::ValueError);
  CHECK(unlocked.repr() == "c_int_Array_4([0, 0, 0, 0])");
}
