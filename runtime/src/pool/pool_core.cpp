#include "pool/pool_core.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <utility>

#include "pool/code_cache.hpp"
#include "mproc/context.hpp"
#include "mproc/current_process.hpp"
#include "mproc/errors.hpp"
#include "mproc/remote_exceptions.hpp"
#include "mproc/platform/allocator.hpp"
#include "mproc/platform/pipe.hpp"
#include "mproc/platform/sentinel.hpp"
#include "connection/plain_pipe.hpp"
#include "process/event_loop.hpp"
#include "process/runtime.hpp"
#include "core/throw_error.hpp"

namespace mproc::detail {
namespace {

// Prefetching: a worker gets more than one task at a time only while the tasks are short (so a
// long task never holds others up behind it) and small (so what waits in its pipe fits the
// pipe's buffer, and handing it over never blocks the handler).
constexpr std::size_t prefetch_bytes = 32 * 1024;
constexpr std::size_t max_prefetch = 64;
constexpr double prefetch_target_ns = 2e6;  // about this much work queued per worker
constexpr int max_failed_starts = 5;        // workers in a row dying before ready: pool broken
constexpr int slot_poll_ms = 10;            // checking a timed task that has not started yet
constexpr auto terminate_grace = std::chrono::seconds(2);

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A task as it goes on the wire, without copying its arguments.
struct TaskView {
  std::uint64_t id;
  CodeRef trampoline;
  CodeRef target;
  const std::string* args;
  template <class A>
  void save(A& a) const {
    a(id, trampoline, target, *args);
  }
};

}  // namespace

PoolCore::PoolCore(PoolOptions options, WorkerKind kind) : kind_(kind) {
  if (options.processes < 0)
    throw ValueError("Pool: the number of processes must be at least 1 (0 means cpu_count())");
  processes_ = options.processes;
  if (options.maxtasksperchild) {
    if (*options.maxtasksperchild < 1)
      throw ValueError("Pool: maxtasksperchild must be a positive number, or unset for no limit");
    maxtasks_ = static_cast<std::uint64_t>(*options.maxtasksperchild);
  }
  if (options.host) {
    host_ = std::move(options.host);
  } else {
    method_ = get_context(options.start_method).get_start_method();
    host_ = make_process_host(method_);
  }
  if (options.processes == 0) processes_ = host_->default_count();
  Task& init = options.initializer.task;
  if (!init.empty()) {
    has_initializer_ = true;
    if (host_->runs_local_initializer()) {
      local_initializer_ = init.run_here;
    } else {
      if (init.trampoline == nullptr)
        throw SerializationError("Pool: the initializer cannot run under " + host_->where() +
                                 ": " + init.not_spawnable_reason());
      settings_.initializer = std::make_shared<const Task>(init);
    }
  }
  settings_.maxtasks = maxtasks_;
  settings_.executor = kind == WorkerKind::executor;
  platform::keep_freed_memory_for_reuse();  // this side builds and takes apart chunks too
  std::tie(wake_reader_, wake_writer_) = plain_pipe(false);  // waited on by descriptor
  try {
    EventLoop::DeferWake batch(Runtime::instance().loop());
    for (int i = 0; i < processes_; ++i) start_worker();
  } catch (...) {
    for (auto& w : workers_) {
      w->link->kill();
      w->link->join();
    }
    throw;
  }
  publish_pids();
  handler_.start([this] {
    try {
      handle();
    } catch (const std::exception& e) {
      // Waiting on the OS failed: nothing can be trusted to finish, so fail everything now
      // rather than leave a caller waiting.
      break_pool(std::string("its result thread failed: ") + e.what());
      for (auto& w : workers_) {
        try {
          w->link->kill();
          w->link->join();
        } catch (...) {
        }
      }
      workers_.clear();
    }
  });
}

PoolCore::~PoolCore() {
  try {
    terminate();
    join();
  } catch (...) {
  }
}

void PoolCore::start_worker() {
  auto worker = std::make_unique<Worker>();
  worker->link = host_->start(settings_, kind_, local_initializer_);
  workers_.push_back(std::move(worker));
}

void PoolCore::submit(std::vector<PoolTask> tasks) {
  bool need_wake = false;
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::running) {
      if (state_ == State::broken) throw BrokenPoolError("Pool is broken: " + broken_reason_);
      throw ValueError("Pool not running: it was closed or terminated, so it takes no new tasks");
    }
    for (auto& t : tasks) submitted_.push_back(std::move(t));
    if (handler_sleeping_ && !wake_sent_) need_wake = wake_sent_ = true;
  }
  if (need_wake) wake();
}

void PoolCore::wake() {
  try {
    wake_writer_.send_bytes("w", 1);
  } catch (const Error&) {
    // The handler is gone: nothing left to wake.
  }
}

void PoolCore::close() {
  bool need_wake = false;
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::running) state_ = State::closed;
    if (!wake_sent_) need_wake = wake_sent_ = true;
  }
  if (need_wake) wake();
}

void PoolCore::terminate() {
  bool need_wake = false;
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::terminating) return;
    state_ = State::terminating;
    if (!wake_sent_) need_wake = wake_sent_ = true;
  }
  if (need_wake) wake();
}

void PoolCore::kill() {
  {
    std::lock_guard lock(mutex_);
    kill_now_ = true;
  }
  terminate();
}

void PoolCore::stop_tasks(const TaskSink* sink, double grace) {
  bool need_wake = false;
  {
    std::lock_guard lock(mutex_);
    stop_requests_.push_back({sink, grace});
    if (!wake_sent_) need_wake = wake_sent_ = true;
  }
  if (need_wake) wake();
}

void PoolCore::join() {
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::running)
      throw ValueError("Pool::join: the pool is still running; call close() or terminate() first");
  }
  static std::mutex join_mutex;  // std::thread::join may not race with itself
  std::lock_guard lock(join_mutex);
  if (handler_.joinable() && !handler_.runs_here()) handler_.join();
}

void PoolCore::check_running() const {
  std::lock_guard lock(mutex_);
  if (state_ == State::broken) throw BrokenPoolError("Pool is broken: " + broken_reason_);
  if (state_ != State::running)
    throw ValueError("Pool not running: it was closed or terminated, so it takes no new tasks");
}

std::vector<int> PoolCore::worker_pids() const {
  std::lock_guard lock(mutex_);
  return pids_;
}

void PoolCore::publish_pids() {
  std::vector<int> pids;
  std::vector<Process> processes;
  for (auto& w : workers_) {
    const Process* p = w->link->process();
    if (p == nullptr) continue;
    if (auto pid = p->pid()) pids.push_back(*pid);
    processes.push_back(*p);
  }
  std::lock_guard lock(mutex_);
  pids_ = std::move(pids);
  worker_processes_ = std::move(processes);
}

std::vector<Process> PoolCore::workers() const {
  std::lock_guard lock(mutex_);
  return worker_processes_;
}

const char* PoolCore::state_name() const {
  std::lock_guard lock(mutex_);
  switch (state_) {
    case State::running: return "RUN";
    case State::closed: return "CLOSE";
    case State::terminating: return "TERMINATE";
    case State::broken: return "BROKEN";
  }
  return "RUN";
}

// ---- The handler thread ----------------------------------------------------------------------

void PoolCore::handle() {
  std::optional<std::chrono::steady_clock::time_point> kill_at;  // terminate's escalation
  std::vector<platform::handle_ref> refs;
  std::vector<std::pair<Worker*, bool>> owners;
  std::vector<std::size_t> ready;
  for (;;) {
    State state;
    {
      std::lock_guard lock(mutex_);
      state = state_;
      while (!submitted_.empty()) {
        queue_.push_back(std::move(submitted_.front()));
        submitted_.pop_front();
      }
    }
    if (state == State::terminating && seen_state_ != State::terminating) {
      seen_state_ = State::terminating;
      fail_everything([] {
        return std::make_exception_ptr(
            PoolTerminatedError("the pool was terminated before this task finished"));
      });
      for (auto& w : workers_) {
        w->killed = true;
        w->link->terminate();
      }
      kill_at = std::chrono::steady_clock::now() + terminate_grace;
      std::lock_guard lock(mutex_);
      if (kill_now_) kill_at = std::chrono::steady_clock::now();
    }
    if (kill_at && std::chrono::steady_clock::now() >= *kill_at) {
      for (auto& w : workers_) w->link->kill();
      kill_at.reset();
    }
    if (state == State::running || state == State::closed) {
      take_stop_requests();
      maintain();
      dispatch();
    }
    if (state == State::closed && all_work_done()) {
      for (auto& w : workers_) {
        if (w->stop_sent) continue;
        w->stop_sent = true;
        std::string stop;
        wire::save_into(stop, TaskBatch{{}, true});
        try {
          w->link->pipe().send_bytes(stop);
        } catch (const Error&) {
          // It is dying anyway; its sentinel says when.
        }
      }
    }
    if (state != State::running && workers_.empty()) break;

    // What each handle is: null for the wake pipe, else a worker's sentinel or pipe.
    refs.clear();
    owners.clear();
    refs.push_back({wake_reader_.fileno(), handle_kind::descriptor});
    owners.push_back({nullptr, false});
    for (auto& w : workers_) {
      if (auto sentinel = w->link->sentinel()) {
        refs.push_back(*sentinel);
        owners.push_back({w.get(), true});
      }
      if (w->pipe_at_eof) continue;
      refs.push_back({w->link->pipe().fileno(), handle_kind::descriptor});
      owners.push_back({w.get(), false});
    }
    int timeout = wait_timeout_ms();
    if (kill_at) timeout = timeout < 0 ? 100 : std::min(timeout, 100);
    {
      std::lock_guard lock(mutex_);
      if (!submitted_.empty() || state_ != state || !stop_requests_.empty()) continue;
      handler_sleeping_ = true;
    }
    throw_error(platform::wait_ready(refs, timeout, ready), "Pool: cannot wait for its workers");
    {
      std::lock_guard lock(mutex_);
      handler_sleeping_ = false;
    }
    std::vector<Worker*> exited;
    for (std::size_t i : ready) {
      auto [worker, is_sentinel] = owners[i];
      if (worker == nullptr) {
        try {
          wake_reader_.recv_bytes();
        } catch (const Error&) {
        }
        std::lock_guard lock(mutex_);
        wake_sent_ = false;
      } else if (is_sentinel) {
        exited.push_back(worker);
      } else {
        read_results(*worker);
        // A worker without a sentinel has ended when its pipe says EOF.
        if (worker->pipe_at_eof && !worker->link->sentinel()) exited.push_back(worker);
      }
    }
    for (Worker* w : exited) {
      auto it = std::find_if(workers_.begin(), workers_.end(), [&](auto& p) { return p.get() == w; });
      if (it != workers_.end()) on_worker_exit(static_cast<std::size_t>(it - workers_.begin()));
    }
    enforce_timeouts();
  }
  {
    // Nobody is left to wake: a later close() or terminate() (the destructor's) must not write
    // to the pipe closed next.
    std::lock_guard lock(mutex_);
    wake_sent_ = true;
  }
  try {
    wake_reader_.close();
  } catch (...) {
  }
}

void PoolCore::maintain() {
  // Workers are replaced while there is work for them, even after close().
  while (static_cast<int>(workers_.size()) < processes_) {
    {
      std::lock_guard lock(mutex_);
      if (state_ != State::running && state_ != State::closed) return;
      if (state_ == State::closed && queue_.empty() && submitted_.empty()) {
        bool busy = false;
        for (auto& w : workers_) busy = busy || !w->sent.empty();
        if (!busy) return;  // closing with nothing left to do: no new workers
      }
    }
    try {
      start_worker();
    } catch (const std::exception& e) {
      break_pool(std::string("a replacement worker could not be started: ") + e.what());
      return;
    }
    publish_pids();
  }
}

bool PoolCore::all_work_done() const {
  if (!queue_.empty()) return false;
  for (auto& w : workers_)
    if (!w->sent.empty()) return false;
  std::lock_guard lock(mutex_);
  return submitted_.empty();
}

void PoolCore::dispatch() {
  if (queue_.empty() || workers_.empty()) return;
  std::size_t window = 1;
  if (average_task_ns_ > 0)
    window = static_cast<std::size_t>(
        std::clamp(prefetch_target_ns / average_task_ns_, 1.0, static_cast<double>(max_prefetch)));
  std::vector<std::size_t> first_new(workers_.size());
  for (std::size_t i = 0; i < workers_.size(); ++i) first_new[i] = workers_[i]->sent.size();
  while (!queue_.empty()) {
    const PoolTask& next = queue_.front();
    Worker* best = nullptr;
    for (auto& w : workers_) {
      if (w->pipe_at_eof || w->stop_sent || w->killed) continue;
      if (maxtasks_ != 0 && w->sent_total >= maxtasks_) continue;
      bool room = w->sent.empty() ||
                  (w->sent.size() < window && w->sent_bytes + next.args.size() <= prefetch_bytes);
      if (room && (best == nullptr || w->sent.size() < best->sent.size())) best = w.get();
    }
    if (best == nullptr) break;
    if (!next.sink->start(next.part)) {  // cancelled while it waited: dropped unrun
      queue_.pop_front();
      continue;
    }
    best->sent_bytes += next.args.size();
    ++best->sent_total;
    if (best->sent.empty()) best->front_since_ns = now_ns();
    best->sent.push_back(Sent{next_id_++, std::move(queue_.front())});
    queue_.pop_front();
  }
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    Worker& w = *workers_[i];
    std::size_t count = w.sent.size() - first_new[i];
    if (count == 0) continue;
    std::string batch;
    {
      wire::string_sink sink(batch);
      std::ostream stream(&sink);
      cereal::BinaryOutputArchive archive(stream);
      archive(cereal::make_size_tag(static_cast<cereal::size_type>(count)));
      for (std::size_t k = first_new[i]; k < w.sent.size(); ++k) {
        const Sent& s = w.sent[k];
        archive(TaskView{s.id, locate_code_cached(reinterpret_cast<const void*>(s.task.trampoline)),
                         locate_code_cached(s.task.target), &s.task.args});
      }
      archive(false);  // not a stop request
    }
    try {
      w.link->pipe().send_bytes(batch);
    } catch (const Error&) {
      // The worker died; its sentinel will hand its tasks back.
    }
  }
}

void PoolCore::read_results(Worker& w) {
  std::string message;
  try {
    message = w.link->pipe().recv_bytes();
  } catch (const Error&) {
    w.pipe_at_eof = true;  // it is ending; its sentinel says when
    return;
  }
  std::vector<WireResult> results;
  try {
    wire::load(message, results);
  } catch (const Error&) {
    // Not something our worker writes: stop trusting it.
    kill_worker(w);
    return;
  }
  // Hand the worker its next tasks before delivering results: decoding a big result (a map
  // chunk) must not keep the worker idle.
  std::vector<std::pair<Sent, WireResult>> done;
  for (auto& r : results) {
    if (auto sent = on_result(w, r)) done.emplace_back(std::move(*sent), std::move(r));
  }
  if (!done.empty()) dispatch();
  for (auto& [sent, r] : done) {
    if (sent.instead)
      fail(sent, sent.instead);
    else if (r.outcome == Outcome::value)
      deliver(sent, r.payload);
    else
      fail(sent, decode_exception(r.payload));
  }
}

std::optional<PoolCore::Sent> PoolCore::on_result(Worker& w, WireResult& r) {
  if (r.outcome == Outcome::ready) {
    w.ready = true;
    failed_starts_ = 0;
    return std::nullopt;
  }
  if (r.outcome == Outcome::init_failed) {
    break_pool("the initializer failed in " + w.link->title() + ": " +
               describe_exception(r.payload));
    return std::nullopt;
  }
  auto it = std::find_if(w.sent.begin(), w.sent.end(), [&](const Sent& s) { return s.id == r.id; });
  if (it == w.sent.end()) return std::nullopt;  // already failed (it timed out)
  Sent sent = std::move(*it);
  if (it == w.sent.begin()) w.front_since_ns = now_ns();
  w.sent.erase(it);
  w.sent_bytes -= sent.task.args.size();
  double d = static_cast<double>(r.duration_ns);
  average_task_ns_ = average_task_ns_ <= 0 ? d : 0.8 * average_task_ns_ + 0.2 * d;
  return sent;
}

void PoolCore::on_worker_exit(std::size_t index) {
  std::unique_ptr<Worker> owned = std::move(workers_[index]);
  workers_.erase(workers_.begin() + static_cast<std::ptrdiff_t>(index));
  Worker& w = *owned;
  // Results it sent before it ended still count.
  while (!w.pipe_at_eof && w.link->pipe().poll(0.0)) read_results(w);
  w.link->join();
  // A link that cannot say which task ran counts none as lost: all are run again elsewhere.
  auto running = w.link->running().value_or(std::pair<std::uint64_t, std::int64_t>{0, 0}).first;
  std::string how = w.link->how_it_ended();
  std::deque<PoolTask> requeue;
  for (Sent& s : w.sent) {
    if (s.id == running) {
      fail(s, std::make_exception_ptr(WorkerLostError(
                  "the pool's worker " + w.link->title() + " " + how +
                  " while running this task; the worker was replaced",
                  w.link->exitcode().value_or(0))));
    } else {
      requeue.push_back(std::move(s.task));  // never started, or its result was lost with it
    }
  }
  queue_.insert(queue_.begin(), std::make_move_iterator(requeue.begin()),
                std::make_move_iterator(requeue.end()));
  if (!w.ready && !w.killed && seen_state_ != State::terminating && seen_state_ != State::broken) {
    if (has_initializer_)
      break_pool("a worker " + how + " while running the initializer");
    else if (++failed_starts_ >= max_failed_starts)
      break_pool("workers keep dying as they start (the last one " + how + ")");
  }
  w.link->pipe().close();
  publish_pids();
}

int PoolCore::wait_timeout_ms() {
  int timeout = -1;
  auto take = [&](int ms) { timeout = timeout < 0 ? ms : std::min(timeout, ms); };
  auto until = [&](double deadline_ns, std::int64_t now) {
    double left_ms = (deadline_ns - static_cast<double>(now)) / 1e6;
    take(left_ms <= 0 ? 0 : static_cast<int>(std::ceil(std::min(left_ms, 1e9))));
  };
  std::int64_t now = now_ns();
  for (auto& w : workers_) {
    if (w->killed || w->sent.empty()) continue;
    const Sent& front = w->sent.front();
    bool timed = front.task.timeout_seconds > 0 && !front.instead;
    if (!timed && front.kill_grace < 0) continue;
    auto [running, started] = running_task(*w);
    if (running != front.id) {
      take(slot_poll_ms);  // it has not started yet: look again soon
      continue;
    }
    if (timed) until(static_cast<double>(started) + front.task.timeout_seconds * 1e9, now);
    if (front.kill_grace >= 0)
      until(static_cast<double>(std::max(started, front.stop_asked_ns)) + front.kill_grace * 1e9, now);
  }
  return timeout;
}

void PoolCore::take_stop_requests() {
  std::vector<StopRequest> requests;
  {
    std::lock_guard lock(mutex_);
    requests.swap(stop_requests_);
  }
  for (const StopRequest& r : requests)
    for (auto& w : workers_)
      for (Sent& s : w->sent)
        if (s.task.sink.get() == r.sink) ask_to_stop(*w, s, r.grace);
}

void PoolCore::ask_to_stop(Worker& w, Sent& s, double grace) {
  if (s.stop_asked_ns == 0) {
    s.stop_asked_ns = now_ns();
    w.link->request_stop(s.id);
  }
  if (grace >= 0 && (s.kill_grace < 0 || grace < s.kill_grace)) s.kill_grace = grace;
}

void PoolCore::enforce_timeouts() {
  std::int64_t now = now_ns();
  for (auto& w : workers_) {
    if (w->killed || w->sent.empty()) continue;
    Sent& front = w->sent.front();
    bool timed = front.task.timeout_seconds > 0 && !front.instead;
    if (!timed && front.kill_grace < 0) continue;
    auto [running, started] = running_task(*w);
    if (running != front.id) continue;
    if (timed && static_cast<double>(now - started) >= front.task.timeout_seconds * 1e9) {
      front.instead = std::make_exception_ptr(TimeoutError(
          "the task did not finish within its timeout of " +
          std::to_string(front.task.timeout_seconds) + " s; its worker " +
          w->link->title() + " was killed and is replaced"));
      if (front.task.grace_seconds > 0) {
        // Asked first; killed only if it does not return within the grace period.
        front.instead = std::make_exception_ptr(TimeoutError(
            "the task did not finish within its timeout of " +
            std::to_string(front.task.timeout_seconds) + " s"));
        ask_to_stop(*w, front, front.task.grace_seconds);
        front.stop_asked_ns = now;
        continue;
      }
      front.kill_grace = 0;
    }
    if (front.kill_grace < 0 ||
        static_cast<double>(now - std::max(started, front.stop_asked_ns)) < front.kill_grace * 1e9)
      continue;
    Sent sent = std::move(w->sent.front());
    w->sent.pop_front();
    w->sent_bytes -= sent.task.args.size();
    std::string title = w->link->title();
    bool killed = w->link->can_kill();
    kill_worker(*w);
    fail(sent, sent.instead ? sent.instead
                            : std::make_exception_ptr(CancelledError(
                                  "the task was cancelled; it did not stop within its grace "
                                  "period, so its worker " + title +
                                  (killed ? " was killed and is replaced"
                                          : " was let go (it cannot be killed) and is replaced"))));
  }
}

void PoolCore::fail_everything(const std::function<std::exception_ptr()>& error) {
  std::deque<PoolTask> submitted;
  {
    std::lock_guard lock(mutex_);
    submitted.swap(submitted_);
  }
  for (auto* tasks : {&queue_, &submitted}) {
    for (PoolTask& t : *tasks) {
      Sent s{0, std::move(t)};
      fail(s, error());
    }
    tasks->clear();
  }
  for (auto& w : workers_) {
    for (Sent& s : w->sent) fail(s, error());
    w->sent.clear();
    w->sent_bytes = 0;
  }
}

void PoolCore::break_pool(const std::string& why) {
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::broken || state_ == State::terminating) return;
    state_ = State::broken;
    broken_reason_ = why;
  }
  seen_state_ = State::broken;
  fail_everything([&] { return std::make_exception_ptr(BrokenPoolError("Pool is broken: " + why)); });
  for (auto& w : workers_) kill_worker(*w);
}

std::pair<std::uint64_t, std::int64_t> PoolCore::running_task(const Worker& w) {
  if (auto shown = w.link->running()) return *shown;
  if (w.sent.empty()) return {0, 0};
  return {w.sent.front().id, w.front_since_ns};
}

void PoolCore::kill_worker(Worker& w) {
  w.killed = true;
  w.link->kill();
}

void PoolCore::deliver(Sent& sent, std::string_view payload) {
  try {
    sent.task.sink->deliver(sent.task.part, payload);
  } catch (...) {
    // A sink reports its own errors; nothing may stop the handler.
  }
}

void PoolCore::fail(Sent& sent, std::exception_ptr error) {
  try {
    sent.task.sink->fail(sent.task.part, std::move(error));
  } catch (...) {
  }
}

}  // namespace mproc::detail
