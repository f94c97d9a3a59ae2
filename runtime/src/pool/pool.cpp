#include "mproc/pool.hpp"

#include "pool/pool_core.hpp"

namespace mproc {

Pool::Pool(int processes) : Pool(PoolOptions{processes, {}, {}, {}}) {}

Pool::Pool(PoolOptions options) : core_(std::make_shared<detail::PoolCore>(std::move(options))) {}

Pool& Pool::operator=(Pool&& other) noexcept {
  if (this != &other) {
    if (core_) {
      try {
        core_->terminate();
        core_->join();
      } catch (...) {
      }
    }
    core_ = std::move(other.core_);
  }
  return *this;
}

Pool::~Pool() {
  if (!core_) return;
  try {
    core_->terminate();
    core_->join();
  } catch (...) {
  }
}

namespace {
detail::PoolCore& checked(const std::shared_ptr<detail::PoolCore>& core) {
  if (!core) throw ValueError("Pool: this pool was moved from");
  return *core;
}
}  // namespace

void Pool::submit(std::vector<detail::PoolTask> tasks) { checked(core_).submit(std::move(tasks)); }
void Pool::close() { checked(core_).close(); }
void Pool::terminate() { checked(core_).terminate(); }
void Pool::join() { checked(core_).join(); }
int Pool::processes() const { return checked(core_).processes(); }
std::size_t Pool::worker_count() const { return static_cast<std::size_t>(checked(core_).processes()); }
std::vector<int> Pool::worker_pids() const { return checked(core_).worker_pids(); }
void Pool::check_running() const { checked(core_).check_running(); }
std::vector<Process> Pool::workers() const { return checked(core_).workers(); }

std::string Pool::repr() const {
  if (!core_) return "<Pool (moved from)>";
  return std::string("<Pool state=") + core_->state_name() +
         " pool_size=" + std::to_string(core_->processes()) + ">";
}

}  // namespace mproc
