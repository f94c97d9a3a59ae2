#pragma once
// Logging through spdlog, silent by default (Python's `multiprocessing.get_logger`).
#include <memory>

#include <spdlog/logger.h>

namespace mproc {

/// mproc's logger. Silent until `log_to_stderr` is called or the user adds sinks.
/// Its pattern shows the pid, the process name and the thread id, like the Python format
/// `%(process)d %(processName)s %(thread)d %(message)s`.
std::shared_ptr<spdlog::logger> get_logger();

/// Sends mproc's log to stderr at `level` and returns the logger (Python's `log_to_stderr`).
/// Children started afterwards log at the same level.
std::shared_ptr<spdlog::logger> log_to_stderr(spdlog::level::level_enum level = spdlog::level::info);

}  // namespace mproc
