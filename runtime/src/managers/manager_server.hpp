#pragma once
// A manager's server: the objects it holds, and the threads that serve its clients (one per
// client connection, as in Python, so a blocking call blocks only its own caller).
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "managers/managed_object.hpp"
#include "managers/manager_protocol.hpp"
#include "mproc/detail/managed_type.hpp"
#include "mproc/listener.hpp"

namespace mproc::detail {

/// What a server can make under one type id.
struct ServedType {
  std::string kind;  ///< the proxies' kind: a builtin kind, or the type id itself
  ManagedMaker make;
  bool shared = false;  ///< one object for every `create` (register_shared)
  std::shared_ptr<const ManagedType> user_type;  ///< a registered type's methods, else null
};

/// The builtin kinds, then the user's types and shared objects.
std::map<std::string, ServedType> served_types(
    const std::vector<ManagedType>& user_types,
    const std::vector<std::pair<std::string, std::string>>& shared);

/// The objects of one server and the requests on them.
class ManagerCore {
 public:
  explicit ManagerCore(std::map<std::string, ServedType> types) : types_(std::move(types)) {}

  /// Runs a request other than shutdown. `target` is the object called, if any.
  ManagerReply handle(ManagerRequest& request, CallContext& context,
                      std::shared_ptr<ManagedObject>& target);
  void client_gone(std::uint64_t client);
  std::shared_ptr<ManagedObject> find(std::uint64_t id);
  /// Keeps `object` with one reference; returns the encoded (id, kind) a proxy is made from.
  std::string hold(std::shared_ptr<ManagedObject> object, const std::string& kind);
  /// Tells every object that the server process ends now (ManagedObject::server_stopping).
  void server_stopping() noexcept;

 private:
  struct Entry {
    std::shared_ptr<ManagedObject> object;
    std::int64_t references = 0;
  };
  std::string create(ManagerRequest& request, CallContext& context);

  std::map<std::string, ServedType> types_;
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, Entry> objects_;
  std::map<std::string, std::uint64_t> shared_ids_;
  std::uint64_t next_id_ = 1;
};

/// A ManagerReply for the exception being handled.
ManagerReply error_reply(std::exception_ptr error);

/// A listening server (BaseManager::get_server, and the body of a started manager's process).
struct ServerState {
  ServerState(const Address& address, const std::string& authkey,
              std::map<std::string, ServedType> types);

  /// Accepts clients until one asks for shutdown, then ends the process with exit code 0.
  [[noreturn]] void serve_forever();

  Listener listener;
  Address address;
  std::shared_ptr<ManagerCore> core;

 private:
  void accept_clients();
  void request_stop();

  std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> next_client_{1};
};

}  // namespace mproc::detail
