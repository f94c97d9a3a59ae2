#include "render_job.hpp"

#include <optional>
#include <utility>

RenderJob::RenderJob(std::vector<mandelbrot::TileRequest> tiles, Callbacks callbacks)
    : callbacks_(std::move(callbacks)),
      thread_([this, tiles = std::move(tiles)]() mutable { run(std::move(tiles)); }) {}

RenderJob::~RenderJob() {
  cancel();
  wait();
}

void RenderJob::cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  // Pool::terminate only marks the pool terminating and wakes its handler thread, which kills
  // the workers; so it is safe here while the job's thread is blocked in the iterator's next(),
  // which then throws PoolTerminatedError.
  if (pool_ != nullptr) pool_->terminate();
}

void RenderJob::wait() {
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void RenderJob::run(std::vector<mandelbrot::TileRequest> tiles) {
  Outcome outcome = Outcome::finished;
  std::string error;
  std::optional<mproc::Pool> pool;
  try {
    // Spawn, not fork, on every OS: this process is a multithreaded GUI app (Qt's threads, this
    // one), and a forked child would copy locks some other thread held at that moment. Spawn is
    // also all that Windows and macOS apps get, so the example behaves the same everywhere.
    pool.emplace(mproc::PoolOptions{.start_method = "spawn"});
    {
      std::lock_guard lock(mutex_);
      pool_ = &*pool;
      if (cancelled_) pool->terminate();  // cancelled while the workers were starting
    }
    if (callbacks_.started) callbacks_.started(pool->worker_pids());
    auto results = pool->imap_unordered(mandelbrot::render_tile, tiles);
    while (auto tile = results.next()) callbacks_.tile(std::move(*tile));
    pool->close();
  } catch (const mproc::PoolTerminatedError&) {
    outcome = Outcome::cancelled;
  } catch (const mproc::ValueError& e) {
    // imap on a pool cancelled before it was asked: "Pool not running".
    std::lock_guard lock(mutex_);
    outcome = cancelled_ ? Outcome::cancelled : Outcome::failed;
    error = e.what();
  } catch (const std::exception& e) {
    outcome = Outcome::failed;
    error = e.what();
  }
  {
    std::lock_guard lock(mutex_);
    pool_ = nullptr;
  }
  if (pool) {
    try {
      if (outcome != Outcome::finished) pool->terminate();
      pool->join();  // every worker has exited when this returns
    } catch (const std::exception& e) {
      outcome = Outcome::failed;
      error = e.what();
    }
  }
  callbacks_.done(outcome, error);
}
