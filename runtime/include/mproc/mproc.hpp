#pragma once
// Python's `multiprocessing`, in C++. `#include <mproc/mproc.hpp>` gives all of it.
#include "mproc/connection.hpp"
#include "mproc/context.hpp"
#include "mproc/current_process.hpp"
#include "mproc/errors.hpp"
#include "mproc/init.hpp"
#include "mproc/listener.hpp"
#include "mproc/logging.hpp"
#include "mproc/process.hpp"
#include "mproc/queue.hpp"
#include "mproc/serialization.hpp"
#include "mproc/wait.hpp"
