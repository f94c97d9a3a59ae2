#pragma once
// The client side of the manager protocol: each thread of each process keeps one connection
// per manager address (as Python's proxies do), so calls from several threads do not queue
// behind each other and a blocking call blocks only its own thread.
#include <chrono>
#include <optional>
#include <string>

#include "managers/manager_protocol.hpp"

namespace mproc::detail {

/// Sends `request` to the manager at `address` and returns its reply's payload; a failed call
/// is thrown here as the exception the server reported (KeyError, Empty, std::out_of_range,
/// registered types, RemoteError, ...).
/// A manager that cannot be reached or went away is an EOFError, and so is one that did not
/// answer within `reply_timeout` (then this thread's connection to it is dropped).
std::string manager_request(const std::string& address, const std::string& authkey,
                            const ManagerRequest& request,
                            std::optional<std::chrono::milliseconds> reply_timeout = std::nullopt);

/// How long a call that must not hang its caller (a destructor's decref, a shutdown) waits for
/// the server. A server answers these within microseconds; one that does not in this time
/// is dead or stuck, or its connection outlived it (seen under Wine: the socket of a
/// terminated process may stay open).
inline constexpr std::chrono::milliseconds bounded_reply_timeout{10000};

}  // namespace mproc::detail
