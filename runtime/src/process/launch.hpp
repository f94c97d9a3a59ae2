#pragma once
// The start methods, parent side. Each one creates the child, gives the record its pid and a
// `ChildControl`, registers it with the runtime and arranges for `record->finish(exitcode)` to
// run on the loop thread when the child exits.
#include <functional>
#include <memory>

#include "process/bootstrap.hpp"
#include "process/process_record.hpp"

namespace mproc::detail {

/// fork: the child runs `body` in its copy of this process.
void launch_fork(const std::shared_ptr<ProcessRecord>& record, const std::function<void()>& body);

/// spawn: a re-execution of this binary that runs `entry`.
void launch_spawn(const std::shared_ptr<ProcessRecord>& record, const SpawnEntry& entry);

/// forkserver: a fork of this process's forkserver that runs `entry`.
void launch_forkserver(const std::shared_ptr<ProcessRecord>& record, const SpawnEntry& entry);

}  // namespace mproc::detail
