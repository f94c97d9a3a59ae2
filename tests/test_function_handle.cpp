// mproc::function: functions as data (Python's `(func, args)` in queues and task arguments),
// sent through a Queue, a Pipe, as a Process and Pool argument, under every start method.
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "support.hpp"

namespace {

int mul(int a, int b) { return a * b; }
int plus(int a, int b) { return a + b; }
int square(int x) { return x * x; }
int negate(int x) { return -x; }
std::string shout(std::string s) { return s + "!"; }

using Binary = mproc::function<int(int, int)>;
using Task = std::tuple<Binary, int, int>;

// CPython's mp_workers: take (func, args) until STOP (here: an empty function), put back what
// each call gave, with the function itself to show it survived the way back too.
void worker(mproc::Queue<Task> input, mproc::Queue<std::tuple<Binary, int, std::string>> output) {
  for (;;) {
    auto [fn, a, b] = input.get(true, test::deadline_seconds);
    if (!fn) break;
    std::ostringstream repr;
    repr << fn;
    output.put({fn, fn(a, b), repr.str()});
  }
}

// Receives functions through a Pipe and sends back what they give.
void call_through_pipe(mproc::Connection conn, mproc::function<std::string(std::string)> first) {
  conn.send(first("hello"));
  for (;;) {
    if (!conn.poll(test::deadline_seconds)) return;
    auto calls = conn.recv<std::vector<std::pair<mproc::function<int(int)>, int>>>();
    if (calls.empty()) return;
    std::vector<int> results;
    for (auto& [f, x] : calls) results.push_back(f(x));
    conn.send(results);
  }
}

// Python's `calculate(func, args)` of mp_pool.
int call(std::pair<mproc::function<int(int)>, int> job) { return job.first(job.second); }
int call_with(mproc::function<int(int)> f, int x) { return f(x); }
void call_raw_pointer(int (*f)(int), int x) { (void)f(x); }

// Decodes bytes as a function in this (child) process and reports what happened.
void decode_in_child(mproc::Connection conn) {
  std::string bytes = conn.recv_bytes();
  try {
    mproc::function<int(int)> f;
    mproc::wire::load(bytes, f);
    conn.send(std::string("decoded"));
  } catch (const mproc::SerializationError& e) {
    conn.send(std::string("SerializationError: ") + e.what());
  }
}

}  // namespace

TEST_CASE("function_handle_is_a_value", "[function_handle]") {
  mproc::function<int(int)> empty;
  CHECK_FALSE(empty);
  CHECK(empty == mproc::function<int(int)>());
  CHECK_THROWS_AS(empty(1), mproc::ValueError);
  CHECK_THROWS_WITH(empty(1), Catch::Contains("empty mproc::function<int (int)>"));

  mproc::function f = square;  // deduced: mproc::function<int(int)>
  CHECK(f(7) == 49);
  CHECK(f == mproc::function<int(int)>(square));
  CHECK_FALSE(f == mproc::function<int(int)>(negate));
  CHECK(f.target() == &square);

  // A lambda of another (compatible) signature is held through a caller of its own.
  mproc::function<long(int)> widen = [](const int& x) { return static_cast<long>(x) * 3; };
  CHECK(widen(5) == 15);
  auto cube = mproc::function([](int x) { return x * x * x; });
  CHECK(cube(2) == 8);
  CHECK(cube.name() == "<lambda>");

  std::ostringstream named, lambda, nameless, none;
  named << MPROC_FUNCTION(square);
  lambda << cube;
  nameless << f;
  none << empty;
  CHECK_THAT(named.str(), Catch::Matches("<function square at 0x[0-9a-f]+>"));
  CHECK_THAT(lambda.str(), Catch::Matches("<function <lambda> at 0x[0-9a-f]+>"));
  CHECK_THAT(nameless.str(), Catch::Matches("<function <unnamed> at 0x[0-9a-f]+>"));
  CHECK(none.str() == "<function empty>");

  // mproc::repr prints a function as Python does, also inside a container.
  std::vector<std::variant<double, std::monostate, mproc::function<int(int)>>> mixed{
      2.25, std::monostate{}, MPROC_FUNCTION(square)};
  CHECK_THAT(mproc::repr(mixed),
             Catch::Matches("\\[2\\.25, None, <function square at 0x[0-9a-f]+>\\]"));
  CHECK(mproc::repr(empty) == "<function empty>");
}

TEST_CASE("function_handle_round_trips_through_the_wire_format", "[function_handle]") {
  auto f = MPROC_FUNCTION(square);
  mproc::function<int(int)> back;
  mproc::wire::load(mproc::wire::save(f), back);
  CHECK(back == f);
  CHECK(back.name() == "square");
  CHECK(back(9) == 81);

  mproc::function<int(int)> empty, still_empty = negate;
  mproc::wire::load(mproc::wire::save(empty), still_empty);
  CHECK_FALSE(still_empty);

  // Received as another function type: refused, not called with the wrong arguments.
  mproc::function<std::string(std::string)> wrong;
  CHECK_THROWS_AS(mproc::wire::load(mproc::wire::save(f), wrong), mproc::SerializationError);
}

TEST_CASE("function_handle_corrupted_payload_is_refused", "[function_handle]") {
  const auto f = MPROC_FUNCTION(square);
  const std::string good = mproc::wire::save(f);
  // Every single-byte change is either refused with SerializationError or harmless (the name,
  // or the "present" flag giving an empty function): never a call to somewhere else.
  std::mt19937 random(14);
  int refused = 0;
  for (std::size_t at = 0; at < good.size(); ++at) {
    for (int trial = 0; trial < 8; ++trial) {
      std::string bad = good;
      bad[at] = static_cast<char>(bad[at] ^ static_cast<char>(1 + random() % 255));
      mproc::function<int(int)> got;
      try {
        mproc::wire::load(bad, got);
      } catch (const mproc::SerializationError&) {
        ++refused;
        continue;
      }
      CHECK((!got || got == f));
    }
  }
  CHECK(refused > 0);

  // An offset moved to elsewhere in the program, with its check left as it was.
  mproc::detail::FunctionRef ref =
      mproc::detail::function_to_wire(reinterpret_cast<const void*>(&square), typeid(int(int)));
  std::string moved = mproc::wire::save(true);
  mproc::wire::save_into(moved, ref.module);
  mproc::wire::save_into(moved, ref.offset + 16);
  mproc::wire::save_into(moved, ref.check);
  mproc::wire::save_into(moved, std::string("square"));
  mproc::function<int(int)> got;
  CHECK_THROWS_WITH(mproc::wire::load(moved, got), Catch::Contains("check does not match"));
}

TEST_CASE("function_handle_corrupted_payload_refused_in_another_process", "[function_handle]") {
  std::string bytes = mproc::wire::save(MPROC_FUNCTION(square));
  // Layout: present (1 byte), module "" (its 8-byte length), offset (8), check (8), name.
  bytes[1 + 8 + 8 + 2] ^= 0x40;  // a byte of the check
  auto [parent, child] = mproc::Pipe();
  mproc::Process p(decode_in_child, child);
  p.start();
  child.close();
  parent.send_bytes(bytes);
  REQUIRE(parent.poll(test::deadline_seconds));
  std::string outcome = parent.recv<std::string>();
  CHECK_THAT(outcome, Catch::StartsWith("SerializationError: cannot receive a mproc::function"));
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
}

TEST_CASE("function_handle_mp_workers_through_queues", "[function_handle]") {
  mproc::Queue<Task> tasks;
  mproc::Queue<std::tuple<Binary, int, std::string>> done;
  const Binary functions[] = {MPROC_FUNCTION(mul), MPROC_FUNCTION(plus),
                              Binary([](int a, int b) { return a - b; }, "minus")};
  std::vector<std::tuple<Binary, int, std::string>> expected;
  for (int i = 0; i < 20; ++i) {
    const Binary& fn = functions[i % 3];
    tasks.put({fn, i, 7});
    std::ostringstream repr;
    repr << fn;
    expected.emplace_back(fn, fn(i, 7), repr.str());
  }
  std::vector<mproc::Process> workers;
  for (int i = 0; i < 3; ++i) workers.emplace_back(worker, tasks, done);
  for (auto& w : workers) w.start();
  for (int i = 0; i < 3; ++i) tasks.put({Binary(), 0, 0});  // STOP

  int found = 0;
  for (int i = 0; i < 20; ++i) {
    auto [fn, result, repr] = done.get(true, test::deadline_seconds);
    for (auto& [want_fn, want_result, want_repr] : expected) {
      if (fn == want_fn && result == want_result) {
        ++found;
        // The name travelled; the address printed is the worker's, so only the name is compared.
        CHECK(repr.substr(0, repr.find(" at ")) == want_repr.substr(0, want_repr.find(" at ")));
        break;
      }
    }
  }
  CHECK(found == 20);
  for (auto& w : workers) {
    test::join_or_fail(w);
    CHECK(w.exitcode() == 0);
  }
}

TEST_CASE("function_handle_through_a_pipe_and_as_process_argument", "[function_handle]") {
  auto [parent, child] = mproc::Pipe();
  mproc::Process p(call_through_pipe, child, mproc::function<std::string(std::string)>(shout));
  p.start();
  child.close();
  REQUIRE(parent.poll(test::deadline_seconds));
  CHECK(parent.recv<std::string>() == "hello!");
  parent.send(std::vector<std::pair<mproc::function<int(int)>, int>>{
      {square, 3}, {negate, 4}, {[](int x) { return x + 100; }, 5}});
  REQUIRE(parent.poll(test::deadline_seconds));
  CHECK(parent.recv<std::vector<int>>() == std::vector<int>{9, -4, 105});
  parent.send(std::vector<std::pair<mproc::function<int(int)>, int>>{});
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
}

TEST_CASE("function_handle_as_pool_task_argument", "[function_handle]") {
  mproc::Pool pool(2);
  std::vector<std::pair<mproc::function<int(int)>, int>> jobs;
  std::vector<int> expected;
  for (int i = 0; i < 40; ++i) {
    mproc::function<int(int)> f = i % 2 ? square : negate;
    jobs.emplace_back(f, i);
    expected.push_back(f(i));
  }
  CHECK(pool.map(call, jobs) == expected);
  CHECK(pool.apply_async(call_with, mproc::function<int(int)>(square), 12).get(test::deadline_seconds) == 144);
  // An empty function reaches the worker empty, and calling it there is the worker's error.
  CHECK_THROWS_WITH(pool.apply_async(call_with, mproc::function<int(int)>(), 1).get(test::deadline_seconds),
                    Catch::Contains("empty mproc::function"));
  pool.close();
  pool.join();
}

TEST_CASE("function_handle_a_raw_function_pointer_argument_says_to_wrap_it", "[function_handle]") {
  // Under fork the child is a copy and the raw pointer works; the others refuse it at start()
  // with the advice that applies, not "add a `serialize` member".
  mproc::Process p(call_raw_pointer, &square, 3);
  if (test::method() == "fork") {
    p.start();
    test::join_or_fail(p);
    CHECK(p.exitcode() == 0);
  } else {
    CHECK_THROWS_WITH(p.start(), Catch::Contains("wrap it in mproc::function<R(Args...)>") &&
                                     !Catch::Contains("serialize"));
  }
}
