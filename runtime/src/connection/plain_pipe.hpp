#pragma once
// A Pipe() without the shared-memory mailboxes (pipe_mailbox.hpp), for the runtime's own pipes
// whose readers wait on the descriptor itself (the Pool's result thread, say): there every
// message must make the descriptor readable, and none may be delivered elsewhere.
#include <utility>

#include "mproc/connection.hpp"

namespace mproc::detail {

std::pair<Connection, Connection> plain_pipe(bool duplex);

}  // namespace mproc::detail
