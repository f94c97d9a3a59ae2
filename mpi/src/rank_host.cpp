// Rank 0's side: a WorkerHost whose workers are pool sessions on the job's other ranks, at most
// one attached session per rank. The pool's core sees each as a WorkerLink like a local one.
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "bridge.hpp"
#include "job.hpp"
#include "mproc/errors.hpp"
#include "mproc/mpi.hpp"
#include "connection/plain_pipe.hpp"
#include "pool/worker_link.hpp"
#include "process/launch_roles.hpp"
#include "session_wire.hpp"

namespace mproc::mpi::detail {
namespace {

using mproc::detail::WorkerHost;
using mproc::detail::WorkerKind;
using mproc::detail::WorkerLink;
using mproc::detail::WorkerSettings;

struct Session {
  int rank = 0;
  std::uint32_t id = 0;
  std::mutex mutex;
  std::shared_ptr<Bridge> bridge;  // copied by the router while it writes (outside `mutex`)
  Connection ended_writer;  // closed when the session ended or was let go: the link's sentinel
  std::optional<SessionEnd> end;
  bool let_go = false;
};

// Rank 0's sessions, by id; the router's receiver finds them here.
struct Sessions {
  std::mutex mutex;
  std::map<std::uint32_t, std::shared_ptr<Session>> by_id;
  std::uint32_t next_id = 1;  // 0 is "no session" on the ranks

  std::shared_ptr<Session> find(std::uint32_t id) {
    std::lock_guard lock(mutex);
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : it->second;
  }
};

Sessions& sessions() {
  static auto* all = new Sessions;  // the router's thread may outlive static destruction
  return *all;
}

void on_message(Message&& m) {
  auto session = sessions().find(m.session);
  if (!session) return;  // a session rank 0 let go
  if (m.kind == Kind::data) {
    // Written outside the session's lock: the handler thread, which reads this pipe, takes
    // that lock too.
    std::shared_ptr<Bridge> bridge;
    {
      std::lock_guard lock(session->mutex);
      if (!session->let_go) bridge = session->bridge;
    }
    if (bridge) bridge->write(m.body);
  } else if (m.kind == Kind::ended) {
    SessionEnd end;
    try {
      wire::load(m.body, end);
    } catch (const Error& e) {
      end.refused = std::string("its last message was unreadable: ") + e.what();
    }
    {
      std::lock_guard lock(session->mutex);
      session->end = std::move(end);
      session->ended_writer.close();
    }
    std::lock_guard lock(sessions().mutex);
    sessions().by_id.erase(m.session);
  }
}

Router& router() { return rank0_router(&on_message); }

class RankLink final : public WorkerLink {
 public:
  RankLink(std::shared_ptr<Session> session, Connection pipe, Connection ended_reader)
      : session_(std::move(session)), pipe_(std::move(pipe)), ended_reader_(std::move(ended_reader)) {}
  ~RankLink() override {
    let_go();
    join();
  }

  Connection& pipe() override { return pipe_; }
  std::optional<platform::handle_ref> sentinel() const override {
    return platform::handle_ref{ended_reader_.fileno(), mproc::handle_kind::descriptor};
  }
  std::optional<std::pair<std::uint64_t, std::int64_t>> running() const override {
    std::lock_guard lock(session_->mutex);
    if (session_->end) return std::pair<std::uint64_t, std::int64_t>{session_->end->running, 0};
    return std::nullopt;  // the rank's slot is on another machine
  }
  void request_stop(std::uint64_t id) override {
    std::string body(8, '\0');
    for (int i = 0; i < 8; ++i) body[i] = static_cast<char>((id >> (8 * i)) & 0xff);
    router().send(session_->rank, session_->id, Kind::stop_task, std::move(body));
  }
  bool can_kill() const override { return false; }
  void terminate() override { let_go(); }
  void kill() override { let_go(); }
  void join() override {
    if (joined_) return;
    joined_ = true;
    pipe_.close();  // the bridge's thread sees EOF and ends
    std::shared_ptr<Bridge> bridge;
    {
      std::lock_guard lock(session_->mutex);
      bridge = std::move(session_->bridge);
    }
    bridge.reset();  // joins its thread, unless the router still holds it (then the router does)
  }
  std::optional<int> exitcode() const override {
    std::lock_guard lock(session_->mutex);
    if (session_->end && session_->end->refused.empty()) return session_->end->exitcode;
    return std::nullopt;
  }
  std::string title() const override {
    std::lock_guard lock(session_->mutex);
    std::string title = "MPI rank " + std::to_string(session_->rank);
    if (session_->end && !session_->end->host.empty()) title += " (" + session_->end->host + ")";
    return title;
  }
  std::string how_it_ended() const override {
    std::lock_guard lock(session_->mutex);
    if (!session_->end) return session_->let_go ? "was let go" : "ended";
    if (!session_->end->refused.empty()) return "refused to serve: " + session_->end->refused;
    if (session_->end->exitcode != 0)
      return "exited with code " + std::to_string(session_->end->exitcode);
    return "ended";
  }
  const Process* process() const override { return nullptr; }

 private:
  // A rank's task cannot be killed: the session stops after it, unheard, and the pool sees the
  // worker gone now.
  void let_go() {
    std::lock_guard lock(session_->mutex);
    if (session_->end || session_->let_go) return;
    session_->let_go = true;
    session_->ended_writer.close();
    router().send(session_->rank, session_->id, Kind::detach, {});
  }

  std::shared_ptr<Session> session_;
  Connection pipe_;
  Connection ended_reader_;
  bool joined_ = false;
};

class RankHost final : public WorkerHost {
 public:
  int default_count() override {
    int free = static_cast<int>(free_ranks().size());
    if (world_size() < 2)
      throw RuntimeError(
          "MPI backend: this job has no worker ranks (" +
          std::string(launched() ? "it was started with one rank" : "it was not started by mpiexec") +
          "); run it as `mpiexec -n N ./program` with N >= 2, or use local processes "
          "(ProcessPoolExecutor, a Pool without `host`)");
    if (free == 0)
      throw RuntimeError("MPI backend: all " + std::to_string(world_size() - 1) +
                         " worker ranks serve other pools; shut one down first");
    return free;
  }
  bool runs_local_initializer() const override { return false; }
  std::string where() const override { return "MPI ranks"; }

  std::unique_ptr<WorkerLink> start(const WorkerSettings& settings, WorkerKind kind,
                                    const std::function<void()>&) override {
    auto free = free_ranks();
    if (world_size() < 2 || free.empty()) {
      (void)default_count();  // its error says why
      throw RuntimeError("MPI backend: no worker rank is free");
    }
    StartRequest request;
    request.fingerprint = mproc::detail::build_fingerprint();
    request.executor = kind == WorkerKind::executor;
    request.settings = wire::save(settings);

    auto session = std::make_shared<Session>();
    session->rank = free.front();
    auto [pool_end, relay_end] = mproc::detail::plain_pipe(true);
    auto [ended_reader, ended_writer] = mproc::detail::plain_pipe(false);
    session->ended_writer = ended_writer;
    Router& r = router();
    {
      std::lock_guard lock(sessions().mutex);
      session->id = sessions().next_id++;
      if (sessions().next_id == 0) sessions().next_id = 1;
      sessions().by_id[session->id] = session;
    }
    // The start goes first: the bridge's thread sends the pool's first batch after it.
    r.send(session->rank, session->id, Kind::start, wire::save(request));
    {
      std::lock_guard lock(session->mutex);
      session->bridge = std::make_shared<Bridge>(r, session->rank, session->id, relay_end);
    }
    return std::make_unique<RankLink>(session, pool_end, ended_reader);
  }

 private:
  // Ranks with no attached session, those with no session at all first (a let-go session may
  // still be running a task there).
  static std::vector<int> free_ranks() {
    std::map<int, int> attached, draining;
    {
      std::lock_guard lock(sessions().mutex);
      for (auto& [id, s] : sessions().by_id) {
        std::lock_guard slock(s->mutex);
        (s->let_go ? draining : attached)[s->rank]++;
      }
    }
    std::vector<int> idle, busy;
    for (int r = 1; r < world_size(); ++r) {
      if (attached.count(r) != 0) continue;
      (draining.count(r) != 0 ? busy : idle).push_back(r);
    }
    idle.insert(idle.end(), busy.begin(), busy.end());
    return idle;
  }
};

}  // namespace

std::shared_ptr<mproc::detail::WorkerHost> host() { return std::make_shared<RankHost>(); }

}  // namespace mproc::mpi::detail
