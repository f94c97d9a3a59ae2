#pragma once
// The messages between a manager's clients (proxies) and its server: one request, one reply,
// each one Connection message encoded with cereal. Nothing is decoded before the Listener has
// authenticated the client.
#include <cstdint>
#include <string>
#include <vector>

#include "mproc/serialization.hpp"

namespace mproc::detail {

enum class ManagerOp : std::uint8_t {
  call = 1,           ///< run method `name` of object `id` with `args`
  create = 2,         ///< make an object of type `name` from `args`; reply: (id, kind)
  incref = 3,         ///< one more reference to `id`
  decref = 4,         ///< one reference less; the object goes with the last one
  shutdown = 5,       ///< stop the server
  count_objects = 6,  ///< how many objects the server holds
  attach = 7,         ///< use the shared-memory block named `name` (see manager_channel.hpp)
};

struct ManagerRequest {
  ManagerOp op = ManagerOp::call;
  std::uint64_t id = 0;
  std::string name;
  std::vector<std::string> args;

  template <class A>
  void serialize(A& a) {
    a(op, id, name, args);
  }
};

/// Which exception a failed call raises in the caller.
enum class ManagerErrorKind : std::uint8_t {
  remote = 0,  ///< anything else: re-thrown by its type (`payload`), else RemoteError
  value,
  key,
  index,
  attribute,
  empty,
  full,
  timeout,
  broken_barrier,
  serialization,
};

struct ManagerReply {
  bool ok = true;
  std::string payload;  ///< the encoded result when ok; for `remote`, the exception encoded
  ManagerErrorKind kind = ManagerErrorKind::remote;
  std::string type;     ///< the exception's type name
  std::string message;

  template <class A>
  void serialize(A& a) {
    a(ok, payload, kind, type, message);
  }
};

}  // namespace mproc::detail
