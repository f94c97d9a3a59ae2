#include "mproc/logging.hpp"

#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "core/identity.hpp"
#include "core/logging_state.hpp"

namespace mproc {
namespace {

// `%N` in the pattern: the current process's name (Python's `%(processName)s`).
class process_name_flag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string& name = detail::current_identity().name;
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<process_name_flag>();
  }
};

constexpr const char* pattern = "%P %N %t [%l] %v";

std::atomic<int> level{static_cast<int>(spdlog::level::off)};
std::atomic<bool> to_stderr{false};

// The logger lives behind a pointer that a forked child replaces (see `reset_logger_after_fork`)
// rather than behind a mutex that another thread of the parent may have held at the fork.
std::atomic<std::shared_ptr<spdlog::logger>*> current{nullptr};

std::shared_ptr<spdlog::logger> make_logger() {
  std::shared_ptr<spdlog::logger> logger;
  if (to_stderr.load()) {
    logger = std::make_shared<spdlog::logger>("mproc", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  } else {
    logger = std::make_shared<spdlog::logger>("mproc", std::make_shared<spdlog::sinks::null_sink_mt>());
  }
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<process_name_flag>('N').set_pattern(pattern);
  logger->set_formatter(std::move(formatter));
  logger->set_level(static_cast<spdlog::level::level_enum>(level.load()));
  logger->flush_on(spdlog::level::trace);  // Children may leave with _exit: never hold lines back.
  return logger;
}

std::mutex& creation_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

std::shared_ptr<spdlog::logger> get_logger() {
  if (auto* p = current.load(std::memory_order_acquire)) return *p;
  std::lock_guard<std::mutex> lock(creation_mutex());
  if (auto* p = current.load(std::memory_order_acquire)) return *p;
  auto* fresh = new std::shared_ptr<spdlog::logger>(make_logger());
  current.store(fresh, std::memory_order_release);
  return *fresh;
}

std::shared_ptr<spdlog::logger> log_to_stderr(spdlog::level::level_enum new_level) {
  detail::set_log_level(static_cast<int>(new_level));
  return get_logger();
}

std::shared_ptr<spdlog::logger> log_to_stderr() { return log_to_stderr(spdlog::level::info); }

namespace detail {

int log_level() noexcept { return level.load(); }

void set_log_level(int new_level) {
  level.store(new_level);
  to_stderr.store(new_level != static_cast<int>(spdlog::level::off));
  // Replace rather than mutate: a new sink set is simplest to make consistent. The old logger
  // is kept forever (reachable, so leak checkers stay quiet), since other threads may be
  // using it right now.
  std::lock_guard<std::mutex> lock(creation_mutex());
  static auto* retired = new std::vector<std::shared_ptr<spdlog::logger>*>;
  if (auto* old = current.exchange(new std::shared_ptr<spdlog::logger>(make_logger()), std::memory_order_acq_rel))
    retired->push_back(old);
}

void reset_logger_after_fork() noexcept {
  new (&creation_mutex()) std::mutex;  // Whoever held it at the fork does not exist here.
  current.store(nullptr, std::memory_order_release);
}

}  // namespace detail
}  // namespace mproc
