#pragma once
// What the runtime needs of logging: the level children inherit, and fork safety.

namespace mproc::detail {

/// The current level (an `spdlog::level::level_enum` value); `off` by default.
int log_level() noexcept;

/// Sets the level; any level but `off` logs to stderr (used for children's inherited setting).
void set_log_level(int level);

/// In a forked child: forget the parent's logger, whose sink lock another thread may have held.
void reset_logger_after_fork() noexcept;

}  // namespace mproc::detail
