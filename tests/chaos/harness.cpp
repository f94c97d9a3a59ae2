#include "harness.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "os_helpers.hpp"

namespace chaos {

const char* fault_name(Fault f) {
  switch (f) {
    case Fault::pool_worker: return "pool worker killed";
    case Fault::producer: return "queue producer killed";
    case Fault::pipe_peer: return "pipe echo child killed";
    case Fault::lock_holder: return "lock user killed";
    case Fault::dict_writer: return "manager dict writer killed";
    case Fault::manager: return "manager server killed";
    case Fault::forkserver: return "forkserver killed";
  }
  return "?";
}

Stats& stats() {
  static Stats* s = new Stats;  // Never destroyed: the watchdog may read it during exit.
  return *s;
}

namespace {
std::mutex& notes_mutex() {
  static auto* m = new std::mutex;
  return *m;
}
// Distinct events in the order first seen, with how often each came.
std::vector<std::pair<std::string, std::int64_t>>& notes_list() {
  static auto* v = new std::vector<std::pair<std::string, std::int64_t>>;
  return *v;
}
std::atomic<bool> verbose_on{false};
constexpr std::size_t max_notes = 30;

void write_line(const std::string& line) {
  // One fwrite of a whole line on an unbuffered stream: lines of different threads do not mix,
  // and a forked child has no buffered output of ours to flush a second time.
  std::string out = line + "\n";
  std::fwrite(out.data(), 1, out.size(), stderr);
}
}  // namespace

void note(const std::string& line) {
  {
    std::lock_guard lock(notes_mutex());
    auto& list = notes_list();
    auto found = std::find_if(list.begin(), list.end(), [&](const auto& e) { return e.first == line; });
    if (found != list.end()) {
      ++found->second;  // Said once on stderr; the summary gives the count.
      return;
    }
    if (list.size() < max_notes) list.emplace_back(line, 1);
  }
  write_line("chaos: " + line);
}

std::vector<std::string> notes() {
  std::lock_guard lock(notes_mutex());
  std::vector<std::string> out;
  for (const auto& [line, times] : notes_list())
    out.push_back(times == 1 ? line : line + " (" + std::to_string(times) + " times)");
  return out;
}

void trace(const std::string& line) {
  if (verbose_on.load()) write_line("chaos: " + line);
}
void set_verbose(bool on) { verbose_on.store(on); }

namespace {
std::atomic<double> hold_seconds{0};
}

void set_hold_on_hang(double seconds) { hold_seconds.store(seconds); }

void hold_for_debugger(const std::string& what, std::optional<int> pid) {
  double seconds = hold_seconds.load();
  if (seconds <= 0) return;
  Watchdog::instance().extend_total(seconds + 600);
  write_line("chaos: --hold-on-hang: " + what + ": this process is " + std::to_string(mproc::getpid()) +
             (pid ? ", the stuck child " + std::to_string(*pid) : std::string()) + "; waiting " +
             std::to_string(static_cast<int>(seconds)) + " s before going on");
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

std::mt19937_64 make_rng(std::uint64_t seed, int stream) {
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(stream)};
  return std::mt19937_64(seq);
}

int uniform(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

// --- Victims ---------------------------------------------------------------------------------

void Victims::add(Fault kind, const mproc::Process& p) {
  std::lock_guard lock(mutex_);
  children_.emplace_back(kind, p);
}

void Victims::remove(const mproc::Process& p) {
  std::lock_guard lock(mutex_);
  auto pid = p.pid();
  std::erase_if(children_, [&](const auto& entry) { return entry.second.pid() == pid; });
}

void Victims::set_pool(std::shared_ptr<mproc::Pool> pool) {
  std::lock_guard lock(mutex_);
  pool_ = std::move(pool);
}

std::shared_ptr<mproc::Pool> Victims::pool() {
  std::lock_guard lock(mutex_);
  return pool_;
}

void Victims::set_manager(std::optional<int> pid, int generation) {
  std::lock_guard lock(mutex_);
  manager_pid_ = pid;
  manager_generation_ = generation;
  manager_killed_ = false;
}

bool Victims::manager_killed(int generation) {
  std::lock_guard lock(mutex_);
  // A generation that is no longer current was replaced after it was killed.
  return generation != manager_generation_ || manager_killed_;
}

std::optional<int> Victims::manager_pid(int generation) {
  std::lock_guard lock(mutex_);
  if (generation != manager_generation_) return std::nullopt;
  return manager_pid_;
}

bool Victims::kill_manager() {
  std::lock_guard lock(mutex_);
  if (!manager_pid_ || manager_killed_) return false;
  manager_killed_ = true;
  return os::kill_pid(*manager_pid_);
}

bool Victims::kill_forkserver(int pid) {
  std::lock_guard lock(mutex_);
  if (manager_pid_) manager_killed_ = true;
  ++forkserver_kills_;
  return os::kill_pid(pid);
}

int Victims::forkserver_kills() {
  std::lock_guard lock(mutex_);
  return forkserver_kills_;
}

bool Victims::kill_child(Fault kind, std::mt19937_64& rng) {
  std::vector<mproc::Process> candidates;
  {
    std::lock_guard lock(mutex_);
    for (auto& [k, p] : children_)
      if (k == kind) candidates.push_back(p);
  }
  while (!candidates.empty()) {
    auto at = static_cast<std::size_t>(uniform(rng, 0, static_cast<int>(candidates.size()) - 1));
    mproc::Process victim = candidates[at];
    candidates.erase(candidates.begin() + static_cast<std::ptrdiff_t>(at));
    if (!victim.is_alive()) continue;
    try {
      victim.kill();
      return true;
    } catch (const std::exception& e) {
      // Killing a child we hold must work, also one that has just ended (Python ignores
      // those): counted as a failure.
      ++stats().kill_errors;
      note(std::string("Process::kill() threw: ") + e.what());
    }
  }
  return false;
}

bool Victims::has_child(Fault kind) {
  std::lock_guard lock(mutex_);
  return std::any_of(children_.begin(), children_.end(), [&](const auto& e) { return e.first == kind; });
}

// --- Watchdog --------------------------------------------------------------------------------

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

namespace {
std::int64_t to_ns(double seconds) { return static_cast<std::int64_t>(seconds * 1e9); }
// A call caught by the watchdog gets this long to come back once its `unstick` ran.
constexpr double stuck_grace_seconds = 30;
}  // namespace

Watchdog& Watchdog::instance() {
  static auto* w = new Watchdog;  // Never destroyed: its thread runs until the process ends.
  return *w;
}

Watchdog::Slot& Watchdog::slot(const std::string& workload) {
  std::lock_guard lock(mutex_);
  slots_.push_back(std::make_unique<Slot>());
  slots_.back()->workload = workload;
  return *slots_.back();
}

void Watchdog::start(double total_seconds, std::function<void(const std::string&)> on_fatal) {
  on_fatal_ = std::move(on_fatal);
  total_deadline_ns_.store(now_ns() + to_ns(total_seconds));
  std::thread([this] { loop(); }).detach();
}

void Watchdog::extend_total(double seconds_from_now) {
  total_deadline_ns_.store(now_ns() + to_ns(seconds_from_now));
}

void Watchdog::loop() {
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // Pacing only.
    std::int64_t now = now_ns();
    std::vector<Slot*> slots;
    {
      std::lock_guard lock(mutex_);
      for (auto& s : slots_) slots.push_back(s.get());
    }
    for (Slot* s : slots) {
      std::int64_t deadline = s->deadline_ns.load();
      if (deadline == 0 || now < deadline) continue;
      const char* what = s->what.load();
      // Re-read: the call may have ended, and the slot been reused, since `deadline` was read.
      if (s->deadline_ns.load() != deadline) continue;
      if (!s->flagged.exchange(true)) {
        ++stats().hangs;
        note("HANG: " + s->workload + ": " + (what ? what : "?") + " did not return in time");
        hold_for_debugger(s->workload + ": " + (what ? what : "?"));
        // After a --hold-on-hang pause the grace below counts from now (unless the call has
        // ended meanwhile and the slot moved on).
        s->deadline_ns.compare_exchange_strong(deadline, now_ns());
        std::function<void()> unstick;
        {
          std::lock_guard lock(s->unstick_mutex);
          unstick = s->unstick;
        }
        if (unstick) {
          try {
            unstick();
          } catch (const std::exception& e) {
            note(std::string("unsticking failed: ") + e.what());
          }
        }
      } else if (now > deadline + to_ns(stuck_grace_seconds)) {
        on_fatal_(s->workload + ": " + (what ? what : "?") + " is stuck for good");
        std::_Exit(1);
      }
    }
    if (now > total_deadline_ns_.load()) {
      ++stats().hangs;
      on_fatal_("the run did not end within its total bound");
      std::_Exit(1);
    }
  }
}

Bounded::Bounded(Watchdog::Slot& slot, const char* what, double seconds, std::function<void()> unstick)
    : slot_(slot) {
  {
    std::lock_guard lock(slot_.unstick_mutex);
    slot_.unstick = std::move(unstick);
  }
  slot_.what.store(what);
  slot_.flagged.store(false);
  slot_.deadline_ns.store(now_ns() + to_ns(seconds));
}

Bounded::~Bounded() {
  slot_.deadline_ns.store(0);
  std::lock_guard lock(slot_.unstick_mutex);
  slot_.unstick = nullptr;
}

bool posix_build() { return mproc::get_all_start_methods().front() == "fork"; }

}  // namespace chaos
