// A worker rank: serves one pool session at a time, in the order rank 0 starts them, with the
// same worker loop as a local pool worker (run_pool_worker) on its main thread.
#include <mpi.h>

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "bridge.hpp"
#include "job.hpp"
#include "mproc/current_process.hpp"
#include "mproc/errors.hpp"
#include "mproc/synchronize.hpp"
#include "connection/plain_pipe.hpp"
#include "pool/pool_worker.hpp"
#include "process/launch_roles.hpp"
#include "process/runtime.hpp"
#include "session_wire.hpp"

namespace mproc::mpi::detail {
namespace {

using mproc::detail::WorkerSlot;

// What the router thread and the main thread share.
struct RankState {
  std::mutex mutex;
  std::condition_variable arrived;
  std::deque<Message> inbox;  // start and finalize, for the main thread
  std::uint32_t session = 0;  // the session being served (0: none)
  // Messages for a session whose start is still in `inbox`: its first batch comes right
  // behind the start, before the main thread took the start up.
  std::map<std::uint32_t, std::vector<Message>> early;
  Bridge* bridge = nullptr;
  WorkerSlot* slot = nullptr;
  Semaphore* doorbell = nullptr;
};

// Caller holds state.mutex.
void handle(RankState& state, Message&& m) {
  switch (m.kind) {
    case Kind::start:
      state.early[m.session];
      [[fallthrough]];
    case Kind::finalize:
      state.inbox.push_back(std::move(m));
      state.arrived.notify_one();
      return;
    default:
      break;
  }
  if (m.session != state.session) {
    auto waiting = state.early.find(m.session);
    if (waiting != state.early.end()) waiting->second.push_back(std::move(m));
    return;  // else: a session that ended; nothing to do
  }
  switch (m.kind) {
    case Kind::data:
      state.bridge->write(std::move(m.body));
      return;
    case Kind::stop_task:
      if (m.body.size() == 8) {
        std::uint64_t id = 0;
        for (int i = 0; i < 8; ++i)
          id |= static_cast<std::uint64_t>(static_cast<unsigned char>(m.body[i])) << (8 * i);
        mproc::detail::request_stop_in(state.slot, id);
        if (state.doorbell != nullptr) {
          try {
            state.doorbell->release();
          } catch (const Error&) {
          }
        }
      }
      return;
    case Kind::detach:
      // Rank 0 let the session go: stop after the task it runs (and those already handed over).
      {
        std::string stop;
        wire::save_into(stop, mproc::detail::TaskBatch{{}, true});
        state.bridge->write(stop);
      }
      return;
    default:
      return;
  }
}

void on_message(RankState& state, Message&& m) {
  std::lock_guard lock(state.mutex);
  handle(state, std::move(m));
}

std::string where_am_i() {
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int length = 0;
  MPI_Get_processor_name(name, &length);
  return "pid " + std::to_string(current_process().pid()) + " on " +
         std::string(name, static_cast<std::size_t>(length));
}

SessionEnd serve(RankState& state, Router& router, const Message& start) {
  SessionEnd end;
  end.host = where_am_i();
  auto forget_early = [&] {
    std::lock_guard lock(state.mutex);
    state.early.erase(start.session);
  };
  StartRequest request;
  mproc::detail::WorkerSettings settings;
  try {
    wire::load(start.body, request);
    wire::load(request.settings, settings);
  } catch (const Error& e) {
    end.refused = std::string("it could not read rank 0's request: ") + e.what();
    forget_early();
    return end;
  }
  if (request.fingerprint != mproc::detail::build_fingerprint()) {
    end.refused = "it runs another build of the program (" + mproc::detail::build_fingerprint() +
                  ", rank 0: " + request.fingerprint +
                  "); every rank must run the same executable";
    forget_early();
    return end;
  }
  auto [worker_end, relay_end] = mproc::detail::plain_pipe(true);
  WorkerSlot slot;
  std::optional<Semaphore> doorbell;
  if (request.executor) doorbell.emplace(0);
  auto bridge = std::make_unique<Bridge>(router, 0, start.session, relay_end);
  {
    std::lock_guard lock(state.mutex);
    state.session = start.session;
    state.bridge = bridge.get();
    state.slot = &slot;
    state.doorbell = doorbell ? &*doorbell : nullptr;
    auto waiting = state.early.extract(start.session);
    if (!waiting.empty())
      for (Message& m : waiting.mapped()) handle(state, std::move(m));
  }
  try {
    mproc::detail::run_pool_worker(worker_end, &slot, settings, {}, doorbell ? &*doorbell : nullptr);
  } catch (const SystemExit& e) {
    end.exitcode = e.code;  // a task called mproc::exit: this session ends, the rank goes on
    end.running = slot.running;
  }
  worker_end.close();  // the bridge's thread hands on what is left, then sees EOF
  {
    std::lock_guard lock(state.mutex);
    state.session = 0;
    state.bridge = nullptr;
    state.slot = nullptr;
    state.doorbell = nullptr;
  }
  bridge.reset();  // its last messages are queued before `ended`
  return end;
}

}  // namespace

void serve_as_worker_rank() {
  RankState state;
  {
    Router router([&state](Message&& m) { on_message(state, std::move(m)); });
    for (;;) {
      Message m;
      {
        std::unique_lock lock(state.mutex);
        state.arrived.wait(lock, [&] { return !state.inbox.empty(); });
        m = std::move(state.inbox.front());
        state.inbox.pop_front();
      }
      if (m.kind == Kind::finalize) break;
      SessionEnd end = serve(state, router, m);
      router.send(0, m.session, Kind::ended, wire::save(end));
    }
    router.stop();
  }
  MPI_Finalize();
  mproc::detail::Runtime::instance().exit_handling();
  std::exit(0);
}

}  // namespace mproc::mpi::detail
