#pragma once
// What the runtime needs of logging: the level children inherit, and fork safety.

namespace mproc::detail {

/// The current level (an `spdlog::level::level_enum` value); `off` by default.
int log_level() noexcept;

/// Whether a line at `level` would be written. Lets a path every child takes (start, exit)
/// skip making a logger, which costs a forked child tens of microseconds, when logging is off.
inline bool logs_at(int level) noexcept { return level >= log_level(); }

/// Sets the level; any level but `off` logs to stderr (used for children's inherited setting).
void set_log_level(int level);

/// In a forked child: forget the parent's logger, whose sink lock another thread may have held.
void reset_logger_after_fork() noexcept;

}  // namespace mproc::detail
