#pragma once
// Python's `concurrent.futures` for processes: ProcessPoolExecutor, Future, wait, as_completed.
#include "mproc/executor.hpp"
#include "mproc/future.hpp"
#include "mproc/futures_wait.hpp"
