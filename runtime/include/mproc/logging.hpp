#pragma once
// Logging through spdlog, silent by default (Python's `multiprocessing.get_logger`).
//
// Only spdlog's forward declarations here: every program includes this header through
// mproc.hpp, and spdlog's full headers cost seconds per file (far more in its header-only
// form, which the Windows build uses). To call the logger's methods, include
// <spdlog/spdlog.h> (or <spdlog/logger.h>) as well.
#include <memory>

#include <spdlog/fwd.h>

namespace mproc {

/// mproc's logger. Silent until `log_to_stderr` is called or the user adds sinks.
/// Its pattern shows the pid, the process name and the thread id, like the Python format
/// `%(process)d %(processName)s %(thread)d %(message)s`.
std::shared_ptr<spdlog::logger> get_logger();

/// Sends mproc's log to stderr at `level` and returns the logger (Python's `log_to_stderr`).
/// Children started afterwards log at the same level.
std::shared_ptr<spdlog::logger> log_to_stderr(spdlog::level::level_enum level);

/// Same at level info (Python's `log_to_stderr()` without a level).
std::shared_ptr<spdlog::logger> log_to_stderr();

}  // namespace mproc
