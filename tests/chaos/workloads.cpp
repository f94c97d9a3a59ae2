#include "workloads.hpp"

#include "mproc/platform/process_control.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

namespace chaos {
namespace {

// Bounds. Generous: a debug build on two shared cores, with processes being killed and
// replaced all the time, is slow; what matters is that nothing waits forever.
constexpr double op_bound = 30;      // one library call without a timeout of its own
constexpr double result_bound = 60;  // a pool result, a child's end
constexpr double round_bound = 90;   // the children of a round must have ended by then

// A child's own verdicts, as exit codes (0: done; -9: killed by the chaos thread, which
// Process::kill gives on Windows too).
constexpr int exit_deadlock = 3;      // a lock could not be had within its bound
constexpr int exit_manager_lost = 4;  // a proxy call failed with an mproc error
constexpr int exit_wrong = 5;         // a value came back wrong
constexpr int killed_code = -9;

void pause_us(int us) {
  if (us > 0) std::this_thread::sleep_for(std::chrono::microseconds(us));  // Simulated work.
}

template <class T>
std::atomic_ref<T> shared(T& slot) {
  return std::atomic_ref<T>(slot);
}

// --- What the children run (plain functions: they run under spawn and forkserver too) -------

std::int64_t expected_square(std::int64_t i) { return i * i + 1; }

std::int64_t pool_task(std::int64_t i, int delay_us) {
  pause_us(delay_us);
  return expected_square(i);
}

std::int64_t pool_item(std::pair<std::int64_t, int> item) {
  pause_us(item.second);
  return expected_square(item.first);
}

using Item = std::tuple<int, std::int64_t, std::string>;  // producer, sequence number, padding

// Deterministic contents, so that the consumer can tell a corrupt item; every 53rd is 24 KiB,
// which makes the queue's ring buffer grow and wrap.
std::string padding(int producer, std::int64_t seq) {
  std::size_t size = seq % 53 == 52 ? 24 * 1024 : static_cast<std::size_t>((seq * 37 + producer) % 200);
  std::string s(size, '\0');
  for (std::size_t k = 0; k < size; ++k)
    s[k] = static_cast<char>('a' + (static_cast<std::size_t>(seq + producer) + k) % 26);
  return s;
}

void producer_main(mproc::Queue<Item> q, mproc::RawArray<std::int64_t> confirmed, int producer,
                   std::int64_t count) {
  for (std::int64_t seq = 0; seq < count; ++seq) {
    q.put(Item{producer, seq, padding(producer, seq)});
    // Confirmed only after put() returned: every item counted here must reach the consumer.
    shared(confirmed[static_cast<std::size_t>(producer)]).store(seq + 1);
  }
}

using Msg = std::variant<std::int64_t, std::string>;

Msg echo_reply(const Msg& m) {
  if (const auto* i = std::get_if<std::int64_t>(&m)) return Msg(*i * 3 + 1);
  std::string s = std::get<std::string>(m);
  std::reverse(s.begin(), s.end());
  return Msg(std::move(s));
}

void echo_main(mproc::Connection c) {
  try {
    for (;;) {
      Msg m = c.recv<Msg>();
      if (const auto* i = std::get_if<std::int64_t>(&m); i && *i < 0) return;
      c.send(echo_reply(m));
    }
  } catch (const mproc::EOFError&) {
    // The parent closed its end (it gave up on this round).
  }
}

// Issue 11's first pattern: one thread sends on one end and receives on the other, without
// ever polling.
void loopback_main(mproc::RawValue<std::int64_t> progress, std::int64_t count) {
  auto [x, y] = mproc::Pipe();
  for (std::int64_t i = 0; i < count; ++i) {
    x.send(i);
    if (y.recv<std::int64_t>() != i) mproc::exit(exit_wrong);
    shared(*progress.get()).store(i + 1);
  }
}

// Waits up to 10 s for `lock`. A timeout is a deadlock only if nobody made progress meanwhile
// (the counter did not move): mproc's locks, like Python's, are not fair, and on a loaded
// machine one contender can lose to the others for a long time; that is counted apart.
// Returns false on a deadlock.
bool acquire_or_starve(mproc::Lock& lock, const std::int64_t* counter, std::int64_t& starved) {
  for (;;) {
    std::int64_t before = shared(*const_cast<std::int64_t*>(counter)).load();
    if (lock.acquire(true, 10.0)) return true;
    if (shared(*const_cast<std::int64_t*>(counter)).load() == before) return false;
    ++starved;
  }
}

void locker_main(mproc::Value<std::int64_t> counter, mproc::RawArray<std::int64_t> confirmed,
                 mproc::RawArray<std::int64_t> recovered, mproc::RawArray<std::int64_t> starved, int slot,
                 int iterations, int hold_us) {
  mproc::Lock& lock = counter.get_lock();
  auto at = static_cast<std::size_t>(slot);
  std::int64_t* value = counter.get();
  for (int j = 0; j < iterations; ++j) {
    std::int64_t waits = 0;
    bool got = acquire_or_starve(lock, value, waits);
    shared(starved[at]).fetch_add(waits);
    if (!got) mproc::exit(exit_deadlock);
    if (lock.recovered()) shared(recovered[at]).fetch_add(1);
    // A read, a pause, a write: only mutual exclusion keeps every increment.
    std::int64_t old = shared(*value).load();
    pause_us(hold_us);
    shared(*value).store(old + 1);
    lock.release();
    shared(confirmed[at]).store(j + 1);
  }
}

std::int64_t dict_value(std::int64_t key) { return key * 7 + 1; }

void writer_main(mproc::DictProxy<std::int64_t, std::int64_t> d, mproc::AcquirerProxy lock,
                 mproc::RawArray<std::int64_t> confirmed, int slot, std::int64_t writer, int count,
                 std::string shm_name) {
  // A named block the writer removes before it ends: a killed writer leaves it to mproc's
  // resource tracker, which the supervisor's after-exit check then watches.
  std::optional<mproc::SharedMemory> shm;
  if (!shm_name.empty()) {
    shm.emplace(shm_name, true, 4096);
    shm->buf()[0] = std::byte{1};
  }
  int code = 0;
  try {
    for (int j = 0; j < count; ++j) {
      std::int64_t key = writer * 1'000'000 + j;
      if (j % 4 == 0) {
        // The manager releases a Lock whose holder's connection closed: a killed writer must
        // not block the others.
        if (!lock.acquire(true, 10.0)) {
          code = exit_deadlock;
          break;
        }
        d.set(key, dict_value(key));
        lock.release();
      } else {
        d.set(key, dict_value(key));
      }
      shared(confirmed[static_cast<std::size_t>(slot)]).store(j + 1);
    }
  } catch (const mproc::Error&) {
    code = exit_manager_lost;  // The manager is gone: a clear mproc error, as it must be.
  }
  if (shm) {
    shm->close();
    shm->unlink();
  }
  if (code != 0) mproc::exit(code);
}

// --- Parent-side helpers ------------------------------------------------------------------

struct Env {
  RunContext& ctx;
  Watchdog::Slot& slot;
  std::mt19937_64 rng;
  const char* name;
  int forkserver_kills = 0;  // when the current round started

  Env(RunContext& c, const char* workload, int stream)
      : ctx(c), slot(Watchdog::instance().slot(workload)), rng(make_rng(c.options.seed, stream)), name(workload) {}
};

std::string describe(const std::exception& e) {
  return mproc::detail::type_name(typeid(e)) + ": " + e.what();
}

// A failed start (a child, a Pool, a Manager) is counted: mproc must go on starting processes
// whatever was killed before, the forkserver included. Only a start during which the
// forkserver was killed may fail (the forkserver died under it); that is noted, not counted.
void start_failed(Env& env, int forkserver_kills_before, const std::string& what, const std::exception& e) {
  if (env.ctx.victims.forkserver_kills() != forkserver_kills_before) {
    note(std::string(env.name) + ": " + what + " failed while the forkserver was being killed (not counted): " +
         describe(e));
  } else {
    ++stats().start_failures;
    note(std::string(env.name) + ": " + what + " failed: " + describe(e));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // Pacing: no busy retry loop.
}

// Starts a daemonic child (so nothing of ours outlives a crashed run) and registers it as a
// victim of `kind`.
template <class F, class... Args>
std::optional<mproc::Process> start_child(Env& env, std::optional<Fault> kind, const char* role,
                                          F f, Args... args) {
  mproc::Process p(mproc::ProcessOptions{.name = role, .daemon = true}, f, std::move(args)...);
  int forkserver_kills = env.ctx.victims.forkserver_kills();
  try {
    Bounded call(env.slot, "Process::start", op_bound);
    p.start();
  } catch (const std::exception& e) {
    start_failed(env, forkserver_kills, std::string("starting a ") + role, e);
    return std::nullopt;
  }
  ++stats().children_started;
  if (kind) env.ctx.victims.add(*kind, p);
  return p;
}

// Process::kill(), counting (not throwing) a failure: killing a child we hold must work.
void kill_counted(mproc::Process p) {
  try {
    p.kill();
  } catch (const std::exception& e) {
    ++stats().kill_errors;
    note("Process::kill() threw: " + describe(e));
  }
}

// Joins within `seconds`; a child still running then is a hang: counted, killed, joined.
// `waited`: the whole time it was given, if more than `seconds` (for the message).
void join_bounded(Env& env, mproc::Process& p, double seconds, const char* role, double waited = 0) {
  p.join(seconds);
  if (!p.exitcode()) {
    ++stats().hangs;
    note(std::string("HANG: ") + env.name + ": a " + role + " was still running after " +
         std::to_string(static_cast<int>(std::max(seconds, waited))) + " s");
    hold_for_debugger(std::string(env.name) + ": a " + role, p.pid());
    kill_counted(p);
    p.join(10.0);
  }
  env.ctx.victims.remove(p);
}

int exit_code(const mproc::Process& p) { return p.exitcode().value_or(-1000); }

// Whether a child's exit code says the chaos thread killed it: -9 (SIGKILL; Process::kill on
// Windows gives -9 too), or, after a forkserver kill in this round, 255 (the forkserver died
// before it could report how its child ended; Python reports 255 then too).
bool killed_by_chaos(const Env& env, int code) {
  if (code == killed_code) return true;
  return code == 255 && env.ctx.victims.forkserver_kills() != env.forkserver_kills;
}

// A child that ended other than by finishing, by our kill or by one of its own verdicts.
void unexpected_exit(Env& env, const mproc::Process& p, const char* role) {
  ++stats().unexpected_exits;
  note(std::string(env.name) + ": a " + role + " ended with exit code " + std::to_string(exit_code(p)));
}

bool all_ended(const std::vector<mproc::Process>& ps) {
  return std::all_of(ps.begin(), ps.end(), [](const mproc::Process& p) { return p.exitcode().has_value(); });
}

// Waits (bounded) for a round's children, giving `between` a turn now and then.
template <class F>
void wait_children(Env& env, std::vector<mproc::Process>& ps, const char* role, F between) {
  auto t0 = Clock::now();
  for (auto& p : ps) {
    while (!p.exitcode() && seconds_since(t0) < round_bound) {
      between();
      p.join(0.05);
    }
  }
  for (auto& p : ps) join_bounded(env, p, 0.0, role, round_bound);
}

// --- Pool ---------------------------------------------------------------------------------

enum class Outcome { ok, lost, hang, broken, error };

template <class F>
Outcome pool_call(Env& env, const char* what, F&& f) {
  try {
    f();
    return Outcome::ok;
  } catch (const mproc::WorkerLostError&) {
    return Outcome::lost;
  } catch (const mproc::TimeoutError&) {
    ++stats().hangs;
    note(std::string("HANG: pool: ") + what + " not ready within its bound");
    hold_for_debugger(std::string("pool: ") + what);
    return Outcome::hang;
  } catch (const mproc::BrokenPoolError& e) {
    // A pool breaks when a replacement worker cannot be started; only a forkserver killed in
    // this round excuses that (noted, not counted). The pool is replaced either way.
    if (env.ctx.victims.forkserver_kills() != env.forkserver_kills) {
      note(std::string("pool: ") + what + " after a forkserver kill (not counted): " + describe(e));
    } else {
      ++stats().pool_broken;
      note(std::string("pool: ") + what + ": " + describe(e));
    }
    return Outcome::broken;
  } catch (const std::exception& e) {
    ++stats().pool_other_errors;
    note(std::string("pool: ") + what + ": " + describe(e));
    return Outcome::error;
  }
}

Outcome pool_apply_round(Env& env, mproc::Pool& pool, std::int64_t& base) {
  int n = uniform(env.rng, 4, 24);
  std::vector<std::pair<std::int64_t, mproc::AsyncResult<std::int64_t>>> results;
  for (int k = 0; k < n; ++k) {
    std::int64_t i = base++;
    int delay = uniform(env.rng, 0, 2) == 0 ? 0 : uniform(env.rng, 0, 2000);
    Outcome o = pool_call(env, "apply_async", [&] { results.emplace_back(i, pool.apply_async(pool_task, i, delay)); });
    if (o != Outcome::ok) return o;
  }
  for (auto& [i, r] : results) {
    std::int64_t v = 0;
    Outcome o = pool_call(env, "AsyncResult::get", [&] { v = r.get(result_bound); });
    if (o == Outcome::ok) {
      if (v == expected_square(i)) {
        ++stats().pool_ok;
      } else {
        ++stats().pool_wrong;
        note("pool: apply_async(" + std::to_string(i) + ") returned " + std::to_string(v));
      }
    } else if (o == Outcome::lost) {
      ++stats().pool_worker_lost;
    } else if (o != Outcome::error) {
      return o;
    }
  }
  return Outcome::ok;
}

std::vector<std::pair<std::int64_t, int>> pool_items(Env& env, std::int64_t& base, int n) {
  std::vector<std::pair<std::int64_t, int>> items;
  for (int k = 0; k < n; ++k) items.emplace_back(base++, uniform(env.rng, 0, 3) == 0 ? 0 : uniform(env.rng, 0, 1000));
  return items;
}

Outcome pool_map_round(Env& env, mproc::Pool& pool, std::int64_t& base) {
  int n = uniform(env.rng, 8, 64);
  auto items = pool_items(env, base, n);
  auto chunksize = static_cast<std::size_t>(uniform(env.rng, 1, 4));
  std::vector<std::int64_t> got;
  Outcome o = pool_call(env, "map_async result", [&] { got = pool.map_async(pool_item, items, chunksize).get(result_bound); });
  if (o == Outcome::ok) {
    bool right = got.size() == items.size();
    for (std::size_t k = 0; right && k < got.size(); ++k) right = got[k] == expected_square(items[k].first);
    if (right) {
      stats().pool_ok += n;
    } else {
      ++stats().pool_wrong;
      note("pool: map_async returned wrong values");
    }
  } else if (o == Outcome::lost) {
    stats().pool_worker_lost += n;  // As in Python, a failed chunk fails the whole map.
  }
  return o == Outcome::lost || o == Outcome::error ? Outcome::ok : o;
}

Outcome pool_imap_round(Env& env, mproc::Pool& pool, std::int64_t& base) {
  int n = uniform(env.rng, 8, 48);
  auto items = pool_items(env, base, n);
  auto chunksize = static_cast<std::size_t>(uniform(env.rng, 1, 3));
  std::map<std::int64_t, std::size_t> index_of;  // expected value -> item
  for (std::size_t k = 0; k < items.size(); ++k) index_of[expected_square(items[k].first)] = k;
  std::vector<int> received(items.size(), 0);
  std::size_t lost_chunks = 0;
  std::optional<mproc::IMapIterator<std::int64_t>> it;
  Outcome o = pool_call(env, "imap_unordered", [&] { it.emplace(pool.imap_unordered(pool_item, items, chunksize)); });
  if (o != Outcome::ok) return o;
  for (;;) {
    std::optional<std::int64_t> v;
    o = pool_call(env, "imap_unordered next", [&] { v = it->next(result_bound); });
    if (o == Outcome::lost) {
      ++lost_chunks;
      continue;
    }
    if (o != Outcome::ok) return o == Outcome::error ? Outcome::ok : o;
    if (!v) break;
    auto found = index_of.find(*v);
    if (found == index_of.end()) {
      ++stats().pool_wrong;
      note("pool: imap_unordered returned an unexpected value " + std::to_string(*v));
    } else {
      ++received[found->second];
    }
  }
  // Each chunk is one task: it either came back whole or failed whole with WorkerLostError.
  std::size_t missing_chunks = 0;
  for (std::size_t begin = 0; begin < items.size(); begin += chunksize) {
    std::size_t end = std::min(items.size(), begin + chunksize), got = 0;
    for (std::size_t k = begin; k < end; ++k) {
      if (received[k] > 1) {
        ++stats().pool_wrong;
        note("pool: imap_unordered returned an item twice");
      }
      got += received[k] > 0 ? 1 : 0;
    }
    if (got == end - begin) {
      stats().pool_ok += static_cast<std::int64_t>(got);
    } else if (got == 0) {
      ++missing_chunks;
      stats().pool_worker_lost += static_cast<std::int64_t>(end - begin);
    } else {
      ++stats().pool_wrong;
      note("pool: imap_unordered returned part of a chunk");
    }
  }
  if (missing_chunks != lost_chunks) {
    ++stats().pool_wrong;
    note("pool: imap_unordered: " + std::to_string(missing_chunks) + " chunks missing but " +
         std::to_string(lost_chunks) + " WorkerLostErrors");
  }
  return Outcome::ok;
}

// --- Queue --------------------------------------------------------------------------------

void queue_round(Env& env, bool& injected) {
  constexpr int producers = 3;
  const std::int64_t maxsizes[] = {0, 4, 64};
  mproc::Queue<Item> q(maxsizes[uniform(env.rng, 0, 2)]);
  mproc::RawArray<std::int64_t> confirmed(producers);
  std::vector<std::int64_t> counts;
  std::vector<mproc::Process> ps;
  for (int p = 0; p < producers; ++p) {
    confirmed[static_cast<std::size_t>(p)] = 0;
    std::int64_t count = uniform(env.rng, 200, env.ctx.warmup ? 400 : 3000);
    auto child = start_child(env, Fault::producer, "queue producer", producer_main, q, confirmed, p, count);
    if (!child) continue;
    counts.push_back(count);
    ps.push_back(*child);
  }
  if (ps.size() != static_cast<std::size_t>(producers)) {
    // A producer failed to start (already counted): no checks this round. Nobody drains the
    // queue, so the others are stopped rather than left blocked in put().
    for (auto& p : ps) {
      kill_counted(p);
      join_bounded(env, p, result_bound, "queue producer");
    }
    return;
  }
  std::vector<std::vector<int>> seen(producers);  // producer -> seq -> times received
  for (std::size_t p = 0; p < seen.size(); ++p) seen[p].assign(static_cast<std::size_t>(counts[p]), 0);
  std::int64_t received = 0;
  auto take = [&](const Item& item) {
    ++received;
    const auto& [producer, seq, pad] = item;
    if (producer < 0 || producer >= producers || seq < 0 || seq >= counts[static_cast<std::size_t>(producer)] ||
        pad != padding(producer, seq)) {
      ++stats().queue_bad;
      note("queue: a corrupt item (producer " + std::to_string(producer) + ", seq " + std::to_string(seq) + ")");
      return;
    }
    if (++seen[static_cast<std::size_t>(producer)][static_cast<std::size_t>(seq)] > 1) {
      ++stats().queue_duplicated;
      note("queue: item " + std::to_string(seq) + " of producer " + std::to_string(producer) + " received twice");
    }
  };
  // Consume until every producer has ended, then until the queue is empty: once the last
  // producer has ended nothing more can arrive, so an empty get *after* seeing that means every
  // item that is in the queue has been taken.
  auto t0 = Clock::now();
  for (;;) {
    bool ended = all_ended(ps);
    try {
      Bounded call(env.slot, "Queue::get(true, 0.05)", op_bound);
      take(q.get(true, 0.05));
      continue;
    } catch (const mproc::Empty&) {
    } catch (const std::exception& e) {
      // Counted; the producers, left without a consumer, are stopped (no checks this round).
      ++stats().internal_errors;
      note("queue: get failed: " + describe(e));
      for (auto& p : ps) kill_counted(p);
      for (auto& p : ps) join_bounded(env, p, result_bound, "queue producer");
      return;
    }
    if (ended) break;
    if (seconds_since(t0) > round_bound) break;  // join_bounded below counts the hang
  }
  for (auto& p : ps) join_bounded(env, p, 0.0, "queue producer", round_bound);

  if (env.ctx.options.self_test_fail && !env.ctx.warmup && !injected) {
    // --self-test-fail: forget one confirmed item, as if the queue had lost it.
    for (std::size_t p = 0; p < seen.size() && !injected; ++p)
      if (shared(confirmed[p]).load() >= 1 && seen[p][0] > 0) {
        seen[p][0] = 0;
        injected = true;
        note("self-test: one confirmed queue item dropped on purpose; the run must FAIL");
      }
  }
  for (std::size_t p = 0; p < ps.size(); ++p) {
    std::int64_t c = shared(confirmed[p]).load(), count = counts[p];
    int code = exit_code(ps[p]);
    if (code != 0 && !killed_by_chaos(env, code)) unexpected_exit(env, ps[p], "queue producer");
    if (code == 0 && c != count) {
      ++stats().queue_bad;
      note("queue: a producer finished having confirmed " + std::to_string(c) + " of " + std::to_string(count));
    }
    stats().queue_confirmed += c;
    std::int64_t lost = 0;
    for (std::int64_t s = 0; s < c; ++s) lost += seen[p][static_cast<std::size_t>(s)] == 0 ? 1 : 0;
    // Beyond the confirmed ones only the item whose put() was interrupted (seq == c) may be there.
    for (std::int64_t s = c + 1; s < count; ++s)
      if (seen[p][static_cast<std::size_t>(s)] > 0) {
        ++stats().queue_bad;
        note("queue: item " + std::to_string(s) + " received though only " + std::to_string(c) + " were put");
      }
    if (lost > 0) {
      stats().queue_lost += lost;
      note("queue: " + std::to_string(lost) + " confirmed items of a producer (exit code " +
           std::to_string(code) + ", " + std::to_string(c) + " confirmed) never arrived");
    }
  }
  stats().queue_received += received;
}

// --- Manager ------------------------------------------------------------------------------

class ManagerRunner {
 public:
  explicit ManagerRunner(Env& env) : env_(env) {}
  ~ManagerRunner() { drop(); }

  void round() {
    if (!manager_ && !start()) return;
    const int gen = generation_;
    constexpr int writers = 3;
    int count = uniform(env_.rng, 20, env_.ctx.warmup ? 40 : 200);
    mproc::RawArray<std::int64_t> confirmed(writers);
    std::vector<mproc::Process> ps;
    std::vector<std::int64_t> ids;
    for (int w = 0; w < writers; ++w) {
      confirmed[static_cast<std::size_t>(w)] = 0;
      std::int64_t id = next_writer_++;
      std::string shm = env_.ctx.options.token.empty() ? std::string()
                                                         : "chaos_" + env_.ctx.options.token + "_w" + std::to_string(id);
      auto child = start_child(env_, Fault::dict_writer, "dict writer", writer_main, dict_, lock_, confirmed, w, id, count, shm);
      if (!child) continue;
      ps.push_back(*child);
      ids.push_back(id);
    }
    // The parent uses the manager too while the writers run.
    bool loss_seen = false;
    wait_children(env_, ps, "dict writer", [&] {
      if (!loss_seen) loss_seen = !call("DictProxy::size()", [&] { (void)dict_.size(); }, gen);
    });
    std::vector<std::pair<std::int64_t, std::int64_t>> items;
    bool have_items = !loss_seen && call("DictProxy::items()", [&] { items = dict_.items(); }, gen);
    loss_seen = loss_seen || !have_items;
    if (have_items && ps.size() == ids.size()) check(items, ps, ids, confirmed, count);
    for (auto& p : ps) {
      int code = exit_code(p);
      if (code == 0 || killed_by_chaos(env_, code)) continue;
      // A writer started while the manager was being killed may fail before its code runs:
      // its proxy arguments connect to the server as they are rebuilt in the child, and the
      // EOFError escapes as an uncaught exception, exit code 1 (Python's unpickling does the same).
      if ((code == exit_manager_lost || code == 1) && env_.ctx.victims.manager_killed(gen)) continue;
      if (code == exit_manager_lost) {
        ++stats().manager_unexpected_errors;
        note("manager: a writer got an mproc error from a manager nobody killed");
      } else if (code == exit_deadlock) {
        ++stats().lock_deadlocks;
        note("manager: a writer could not acquire the manager's Lock within 10 s");
      } else {
        unexpected_exit(env_, p, "dict writer");
      }
    }
    if (have_items && !env_.ctx.victims.manager_killed(gen))
      loss_seen = !call("DictProxy::clear()", [&] { dict_.clear(); }, gen) || loss_seen;
    if (env_.ctx.victims.manager_killed(gen)) {
      // Killed: once the server is gone, the next call must fail with an mproc error, at once
      // (the watchdog bounds it). A SIGKILL takes effect a moment after kill() returns, and a
      // server killed with the forkserver dies later still (it follows its parent), so the
      // check waits (bounded) for the pid to vanish rather than race the kernel.
      if (auto pid = env_.ctx.victims.manager_pid(gen); pid && !loss_seen) {
        auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (mproc::platform::process_start_stamp(*pid) != 0 && std::chrono::steady_clock::now() < until)
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      if (!loss_seen) {
        try {
          Bounded b(env_.slot, "a proxy call to a killed manager", op_bound);
          (void)dict_.size();
          ++stats().manager_call_after_kill_ok;
          note("manager: a proxy call to a killed manager's server returned normally");
        } catch (const mproc::Error&) {
          loss_seen = true;
        } catch (const std::exception& e) {
          ++stats().manager_unexpected_errors;
          note("manager: a call to a killed manager threw a non-mproc exception: " + describe(e));
        }
      }
      if (loss_seen) ++stats().manager_loss_detected;
      drop();  // and a new manager next round
    }
  }

 private:
  bool start() {
    int forkserver_kills = env_.ctx.victims.forkserver_kills();
    try {
      Bounded b(env_.slot, "mproc::Manager() and its first proxies", op_bound);
      manager_ = mproc::Manager();
      dict_ = manager_->dict<std::int64_t, std::int64_t>();
      lock_ = manager_->Lock();
    } catch (const std::exception& e) {
      start_failed(env_, forkserver_kills, "starting a manager", e);
      drop();
      return false;
    }
    if (generation_ > 0) ++stats().manager_restarts;
    ++generation_;
    env_.ctx.victims.set_manager(manager_->pid(), generation_);
    return true;
  }

  void drop() {
    env_.ctx.victims.set_manager(std::nullopt, ++generation_);
    try {
      Bounded b(env_.slot, "dropping the proxies and SyncManager::shutdown()", op_bound);
      dict_ = {};
      lock_ = {};
      if (manager_) manager_->shutdown();
      manager_.reset();
    } catch (const std::exception& e) {
      ++stats().manager_unexpected_errors;
      note("manager: shutting a manager down threw: " + describe(e));
      manager_.reset();
    }
  }

  // A proxy call from this process: false if it failed because the manager was killed; other
  // failures are counted.
  template <class F>
  bool call(const char* what, F&& f, int gen) {
    try {
      Bounded b(env_.slot, what, op_bound);
      f();
      return true;
    } catch (const mproc::Error& e) {
      if (env_.ctx.victims.manager_killed(gen)) return false;
      ++stats().manager_unexpected_errors;
      note(std::string("manager: ") + what + " failed though nobody killed the manager: " + describe(e));
      return false;
    } catch (const std::exception& e) {
      ++stats().manager_unexpected_errors;
      note(std::string("manager: ") + what + " threw a non-mproc exception: " + describe(e));
      return false;
    }
  }

  void check(const std::vector<std::pair<std::int64_t, std::int64_t>>& items, std::vector<mproc::Process>& ps,
             const std::vector<std::int64_t>& ids, mproc::RawArray<std::int64_t>& confirmed, int count) {
    std::map<std::int64_t, std::int64_t> held(items.begin(), items.end());
    for (std::size_t w = 0; w < ps.size(); ++w) {
      std::int64_t c = shared(confirmed[w]).load();
      if (exit_code(ps[w]) == 0 && c != count) {
        ++stats().manager_lost;
        note("manager: a writer finished having confirmed " + std::to_string(c) + " of " + std::to_string(count));
      }
      stats().manager_updates += c;
      std::int64_t lost = 0, wrong = 0;
      for (std::int64_t j = 0; j < c; ++j) {
        std::int64_t key = ids[w] * 1'000'000 + j;
        auto found = held.find(key);
        if (found == held.end()) ++lost;
        else if (found->second != dict_value(key)) ++wrong;
      }
      if (lost > 0 || wrong > 0) {
        stats().manager_lost += lost;
        stats().manager_wrong += wrong;
        note("manager: a writer's confirmed updates: " + std::to_string(lost) + " missing, " +
             std::to_string(wrong) + " wrong");
      }
    }
  }

  Env& env_;
  std::optional<mproc::SyncManager> manager_;
  mproc::DictProxy<std::int64_t, std::int64_t> dict_;
  mproc::AcquirerProxy lock_;
  int generation_ = 0;
  std::int64_t next_writer_ = 1;
};

// Runs `round` until stop (at least once); an exception escaping a round is a bug of ours or
// an unexpected library error: counted, and the workload goes on.
template <class F>
void rounds(Env& env, F&& round) {
  do {
    env.forkserver_kills = env.ctx.victims.forkserver_kills();
    try {
      round();
    } catch (const std::exception& e) {
      ++stats().internal_errors;
      note(std::string(env.name) + ": " + describe(e));
    }
  } while (!env.ctx.stop.load());
}

}  // namespace

void pool_workload(RunContext& ctx, int stream) {
  Env env(ctx, "pool", stream);
  std::shared_ptr<mproc::Pool> pool;
  std::int64_t base = 0;
  auto drop = [&] {
    ctx.victims.set_pool(nullptr);
    Bounded b(env.slot, "Pool::terminate", op_bound);
    if (pool) pool->terminate();
    pool.reset();
  };
  rounds(env, [&] {
    if (!pool) {
      int forkserver_kills = ctx.victims.forkserver_kills();
      try {
        Bounded b(env.slot, "Pool(3)", op_bound);
        pool = std::make_shared<mproc::Pool>(mproc::PoolOptions{.processes = 3});
      } catch (const std::exception& e) {
        start_failed(env, forkserver_kills, "creating a Pool", e);
        return;
      }
      ctx.victims.set_pool(pool);
    }
    Outcome o = Outcome::ok;
    switch (uniform(env.rng, 0, 2)) {
      case 0: o = pool_apply_round(env, *pool, base); break;
      case 1: o = pool_map_round(env, *pool, base); break;
      default: o = pool_imap_round(env, *pool, base); break;
    }
    // A hung or broken pool is replaced (already counted) so that the run goes on.
    if (o == Outcome::hang || o == Outcome::broken) drop();
  });
  ctx.victims.set_pool(nullptr);
  if (pool) {
    // Pool::join has no timeout: the watchdog bounds it.
    Bounded b(env.slot, "Pool::close and Pool::join", op_bound);
    pool->close();
    pool->join();
  }
}

void queue_workload(RunContext& ctx, int stream) {
  Env env(ctx, "queue", stream);
  bool injected = false;
  rounds(env, [&] { queue_round(env, injected); });
}

void pipe_workload(RunContext& ctx, int stream) {
  Env env(ctx, "pipe", stream);
  rounds(env, [&] {
    auto [a, b] = mproc::Pipe();
    auto child = start_child(env, Fault::pipe_peer, "pipe echo child", echo_main, b);
    // Our copy of the child's end: while it is open here, the child's death could not show
    // as EOF on `a` (as in Python, close the ends you gave away).
    b.close();
    if (!child) return;
    mproc::Process peer = *child;
    int messages = uniform(env.rng, 2000, 20000);
    bool peer_gone = false, hung = false;
    std::string truncated;  // the error of a reply cut short, if one was
    for (int i = 0; i < messages && !(i >= 200 && env.ctx.stop.load()); ++i) {
      Msg msg = i % 997 == 996 ? Msg(std::string(static_cast<std::size_t>(uniform(env.rng, 8, 64)) * 1024, 'p'))
                               : Msg(std::int64_t{i});
      try {
        // No poll before recv: the request/response pattern of issue 11. If the pipe stops,
        // the watchdog kills the echo child, and recv must then fail with EOFError.
        Bounded call(env.slot, "Connection::send then recv with the echo child", op_bound, [peer] { kill_counted(peer); });
        a.send(msg);
        Msg reply = a.recv<Msg>();
        hung = call.hung();
        if (reply == echo_reply(msg)) {
          ++stats().pipe_round_trips;
        } else {
          ++stats().pipe_wrong;
          note("pipe: a wrong reply to message " + std::to_string(i));
        }
      } catch (const mproc::EOFError&) {
        peer_gone = true;
        break;
      } catch (const mproc::SerializationError& e) {
        // An echo child killed while it wrote a large reply leaves a truncated message (seen on
        // Windows, where such replies go through the pipe): fine if chaos killed it, checked below.
        truncated = describe(e);
        peer_gone = true;
        break;
      } catch (const std::exception& e) {
        ++stats().pipe_errors;
        note("pipe: " + describe(e));
        peer_gone = true;
        break;
      }
      if (hung) break;
    }
    if (!peer_gone) {
      try {
        Bounded call(env.slot, "Connection::send of the stop message", op_bound);
        a.send(Msg(std::int64_t{-1}));
      } catch (const mproc::EOFError&) {
      }
    }
    join_bounded(env, peer, result_bound, "pipe echo child");
    int code = exit_code(peer);
    if (killed_by_chaos(env, code)) {
      if (peer_gone && !hung) ++stats().pipe_peer_lost;
    } else if (code != 0) {
      unexpected_exit(env, peer, "pipe echo child");
    } else if (!truncated.empty()) {
      ++stats().pipe_errors;
      note("pipe: " + truncated + " from an echo child that was not killed");
    } else if (peer_gone) {
      ++stats().pipe_errors;
      note("pipe: EOF from an echo child that was not killed");
    }
  });
}

void loopback_workload(RunContext& ctx, int stream) {
  Env env(ctx, "loopback", stream);
  rounds(env, [&] {
    mproc::RawValue<std::int64_t> progress(0);
    std::int64_t count = ctx.warmup ? 2000 : 20000;
    auto child = start_child(env, std::nullopt, "pipe loopback child", loopback_main, progress, count);
    if (!child) return;
    // Bounded by progress: a loop that makes none for 15 s has stopped for good.
    std::int64_t last = -1;
    auto last_change = Clock::now();
    while (!child->exitcode()) {
      child->join(0.2);
      std::int64_t now = shared(*progress.get()).load();
      if (now != last) {
        last = now;
        last_change = Clock::now();
      } else if (seconds_since(last_change) > 15) {
        ++stats().hangs;
        note("HANG: loopback: the single-thread `x.send(i); y.recv()` loop on one Pipe stopped after " +
             std::to_string(now) + " of " + std::to_string(count) + " messages");
        hold_for_debugger("loopback", child->pid());
        kill_counted(*child);
        child->join(10.0);
        stats().loopback_messages += now;
        return;
      }
    }
    int code = exit_code(*child);
    stats().loopback_messages += shared(*progress.get()).load();
    if (code == exit_wrong) {
      ++stats().loopback_wrong;
      note("loopback: a message came back wrong");
    } else if (code != 0 && !killed_by_chaos(env, code)) {
      unexpected_exit(env, *child, "pipe loopback child");
    }
  });
}

void lock_workload(RunContext& ctx, int stream) {
  Env env(ctx, "locks", stream);
  mproc::Value<std::int64_t> counter(0);
  mproc::Lock& lock = counter.get_lock();
  // The parent takes the lock too, bounded: a lock nobody can get within 10 s is a deadlock.
  auto read_counter = [&](std::int64_t& out) {
    std::int64_t waits = 0;
    bool got = acquire_or_starve(lock, counter.get(), waits);
    stats().lock_starved += waits;
    if (!got) {
      ++stats().lock_deadlocks;
      note("locks: nobody could acquire the Value's lock for 10 s (the parent waited)");
      return false;
    }
    if (lock.recovered()) ++stats().lock_recoveries;
    out = shared(*counter.get()).load();
    lock.release();
    return true;
  };
  rounds(env, [&] {
    constexpr int lockers = 3;
    int iterations = uniform(env.rng, 100, ctx.warmup ? 150 : 600), hold_us = uniform(env.rng, 0, 300);
    mproc::RawArray<std::int64_t> confirmed(lockers), recovered(lockers), starved(lockers);
    std::int64_t before = 0, after = 0;
    if (!read_counter(before)) return;
    std::vector<mproc::Process> ps;
    for (int i = 0; i < lockers; ++i) {
      confirmed[static_cast<std::size_t>(i)] = 0;
      recovered[static_cast<std::size_t>(i)] = 0;
      starved[static_cast<std::size_t>(i)] = 0;
      auto child = start_child(env, Fault::lock_holder, "lock user", locker_main, counter, confirmed, recovered,
                               starved, i, iterations, hold_us);
      if (child) ps.push_back(*child);
    }
    std::int64_t ignored = 0;
    wait_children(env, ps, "lock user", [&] { (void)read_counter(ignored); });
    if (!read_counter(after)) return;
    std::int64_t sum = 0, killed = 0;
    for (std::size_t i = 0; i < lockers; ++i) {
      sum += shared(confirmed[i]).load();
      stats().lock_recoveries += shared(recovered[i]).load();
      stats().lock_starved += shared(starved[i]).load();
    }
    for (auto& p : ps) {
      int code = exit_code(p);
      if (killed_by_chaos(env, code)) {
        ++killed;
      } else if (code == exit_deadlock) {
        ++stats().lock_deadlocks;
        note("locks: nobody could acquire the Value's lock for 10 s (a child waited)");
      } else if (code != 0) {
        unexpected_exit(env, p, "lock user");
      }
    }
    stats().lock_increments += sum;
    // Every confirmed increment is in; a child killed inside the critical section may or may
    // not have written its own.
    if (after < before + sum) {
      stats().lock_lost_updates += before + sum - after;
      note("locks: " + std::to_string(before + sum - after) + " confirmed increments lost");
    } else if (after > before + sum + killed) {
      stats().lock_phantom_updates += after - before - sum - killed;
      note("locks: " + std::to_string(after - before - sum - killed) + " more increments than were made");
    }
  });
}

void manager_workload(RunContext& ctx, int stream) {
  Env env(ctx, "manager", stream);
  ManagerRunner runner(env);
  rounds(env, [&] { runner.round(); });
}

}  // namespace chaos
