// BaseManager / SyncManager: starting a server process, connecting to one, shutting it down.
#include "mproc/managers.hpp"

#include <atomic>
#include <filesystem>
#include <mutex>

#include "core/cached_pid.hpp"
#include "pool/code_cache.hpp"
#include "managers/manager_client.hpp"
#include "managers/manager_server.hpp"
#include "synchronize/resource_tracker.hpp"
#include "process/runtime.hpp"
#include "process/event_loop.hpp"
#include "mproc/context.hpp"
#include "mproc/platform/crypto.hpp"
#include "mproc/process.hpp"

namespace mproc {
namespace detail {

// A registered type as a spawned server receives it: code by module-relative address.
struct WireMethod {
  std::string name;
  CodeRef call;
  std::string args_type;
  std::string member, returns_typeid;
  CodeRef call_for_object;
  std::string returned_type;
  template <class A>
  void serialize(A& a) {
    a(name, call, args_type, member, returns_typeid, call_for_object, returned_type);
  }
};
struct WireType {
  std::string type_id, object_type, args_type;
  CodeRef trampoline, factory;
  std::vector<WireMethod> methods;
  template <class A>
  void serialize(A& a) {
    a(type_id, object_type, args_type, trampoline, factory, methods);
  }
};
struct ServerConfig {
  std::string address;
  std::string authkey;
  std::vector<WireType> types;
  std::vector<std::pair<std::string, std::string>> shared;
  template <class A>
  void serialize(A& a) {
    a(address, authkey, types, shared);
  }
};

struct ManagerState {
  std::mutex mutex;
  Address address;
  std::string authkey;
  std::string start_method;
  std::vector<ManagedType> types;
  std::vector<std::pair<std::string, std::string>> shared;
  std::optional<Process> process;
  int owner_pid = 0;  ///< the process that started the server (a forked copy must not stop it)
  bool started = false, connected = false, shut_down = false;

  explicit ManagerState(Address where) : address(std::move(where)) {}
  ~ManagerState() {
    try {
      stop();
    } catch (...) {
      // Destructors do not throw; a server that would not stop is killed by stop() already.
    }
  }
  void stop();
};

namespace {

std::vector<ManagedType> types_from_wire(const std::vector<WireType>& wire_types) {
  std::vector<ManagedType> types;
  for (const auto& w : wire_types) {
    ManagedType type;
    type.type_id = w.type_id;
    type.object_type = w.object_type;
    type.args_type = w.args_type;
    auto make = reinterpret_cast<managed_factory_fn>(const_cast<void*>(resolve_code_cached(w.trampoline)));
    const void* factory = resolve_code_cached(w.factory);
    type.make = [make, factory](std::string_view args) { return make(factory, args); };
    for (const auto& m : w.methods)
      type.methods.push_back(
          {m.name, reinterpret_cast<managed_method_fn>(const_cast<void*>(resolve_code_cached(m.call))),
           m.args_type, m.member, m.returns_typeid,
           reinterpret_cast<managed_object_method_fn>(
               const_cast<void*>(resolve_code_cached(m.call_for_object))),
           m.returned_type});
    types.push_back(std::move(type));
  }
  return types;
}

WireType type_to_wire(const ManagedType& type) {
  if (!type.trampoline) throw ValueError(type.not_spawnable_reason);
  WireType w{type.type_id, type.object_type, type.args_type,
             locate_code_cached(reinterpret_cast<const void*>(type.trampoline)),
             locate_code_cached(type.factory), {}};
  for (const auto& m : type.methods)
    w.methods.push_back({m.name, locate_code_cached(reinterpret_cast<const void*>(m.call)),
                         m.args_type, m.member, m.returns_typeid,
                         locate_code_cached(reinterpret_cast<const void*>(m.call_for_object)),
                         m.returned_type});
  return w;
}

// The body of a started manager's process: listen, say where, serve until shutdown.
void serve_started(const Address& address, const std::string& authkey,
                   const std::vector<ManagedType>& types,
                   const std::vector<std::pair<std::string, std::string>>& shared, Connection ready) {
  std::unique_ptr<ServerState> server;
  try {
    server = std::make_unique<ServerState>(address, authkey, served_types(types, shared));
  } catch (const std::exception& e) {
    ready.send_bytes(std::string("error:") + e.what());
    return;
  }
  ready.send_bytes("ok:" + server->address.to_string());
  ready.close();
  server->serve_forever();
}

}  // namespace

// The spawn and forkserver entry (a plain function, so a fresh copy of the binary finds it).
void run_manager_server(std::string config_blob, Connection ready) {
  ServerConfig config;
  wire::load(config_blob, config);
  serve_started(Address(config.address), config.authkey, types_from_wire(config.types),
                config.shared, std::move(ready));
}

void ManagerState::stop() {
  std::lock_guard lock(mutex);
  if (!started || shut_down || owner_pid != detail::cached_pid()) return;
  shut_down = true;
  try {
    ManagerRequest request;
    request.op = ManagerOp::shutdown;
    manager_request(address.to_string(), authkey, request, detail::bounded_reply_timeout);
  } catch (const std::exception&) {
    // Already gone, or not answering: joined or killed below.
  }
  // On the runtime's loop thread (the last proxy went with a finished child's arguments) a join
  // would wait for this very thread: the server ends by itself and the loop reaps it.
  if (Runtime::instance().loop().on_loop_thread()) return;
  process->join(5.0);
  if (process->is_alive()) {
    process->kill();
    process->join();
  }
  if (address.family() == AddressFamily::unix_socket) {
    std::error_code ignored;
    std::filesystem::remove(address.path(), ignored);  // if the server could not
    ResourceTracker::instance().untrack(address.path());
  }
}

}  // namespace detail

using detail::ManagerOp;
using detail::ManagerRequest;

BaseManager::BaseManager() : BaseManager(std::nullopt) {}

BaseManager::BaseManager(std::optional<Address> address, std::optional<std::string> authkey,
                         std::string start_method)
    : state_(std::make_shared<detail::ManagerState>(
          address ? *address : Address::arbitrary(Address::default_family()))) {
  state_->authkey = authkey ? *authkey : platform::random_hex(32);
  state_->start_method = std::move(start_method);
}

BaseManager::~BaseManager() = default;

detail::ManagerState& BaseManager::state() const {
  if (!state_) throw ValueError("this manager object was moved from");
  return *state_;
}

void BaseManager::add_type(detail::ManagedType type) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (s.started || s.connected)
    throw ValueError("register_type('" + type.type_id + "') must come before start() or connect()");
  s.types.push_back(std::move(type));
}

void BaseManager::register_shared(std::string type_id, std::string kind) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (s.started || s.connected)
    throw ValueError("register_shared('" + type_id + "') must come before start() or connect()");
  s.shared.emplace_back(std::move(type_id), std::move(kind));
}

void BaseManager::start() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (s.started) throw ProcessError("this manager has already been started");
  if (s.connected) throw ProcessError("this manager is connected to a server; it cannot start one");
  std::string method = s.start_method.empty() ? get_start_method() : s.start_method;
  auto [reader, writer] = Pipe(false);
  static std::atomic<int> started_count{0};
  ProcessOptions options{"SyncManager-" + std::to_string(++started_count), true, method};
  Process process;
  if (method == "fork") {
    // A forked server inherits the registrations as they are, so any factory works.
    process = Process(options, [address = s.address, authkey = s.authkey, types = s.types,
                                shared = s.shared](Connection ready) {
      detail::serve_started(address, authkey, types, shared, std::move(ready));
    }, writer);
  } else {
    detail::ServerConfig config{s.address.to_string(), s.authkey, {}, s.shared};
    for (const auto& type : s.types) config.types.push_back(detail::type_to_wire(type));
    process = Process(options, &detail::run_manager_server, wire::save(config), writer);
  }
  process.start();
  writer.close();
  // Wait for the server's address, or for its process to end without one.
  while (!reader.poll(0.05)) {
    if (!process.is_alive()) {
      process.join();
      throw ProcessError("the manager process ended (exit code " +
                         std::to_string(process.exitcode().value_or(-1)) + ") before it was ready");
    }
  }
  std::string answer;
  try {
    answer = reader.recv_bytes();
  } catch (const EOFError&) {
    process.join();
    throw ProcessError("the manager process ended (exit code " +
                       std::to_string(process.exitcode().value_or(-1)) + ") before it was ready");
  }
  if (answer.rfind("error:", 0) == 0) {
    process.join();
    throw ProcessError("the manager's server could not start: " + answer.substr(6));
  }
  s.address = Address(answer.substr(3));
  // A server killed with its owner cannot remove its socket file; the tracker then does.
  if (s.address.family() == AddressFamily::unix_socket)
    detail::ResourceTracker::instance().track(s.address.path());
  s.process = process;
  s.owner_pid = detail::cached_pid();
  s.started = true;
}

void BaseManager::connect() {
  auto& s = state();
  {
    std::lock_guard lock(s.mutex);
    if (s.started) throw ProcessError("this manager started its own server; connect() is for one served elsewhere");
  }
  ManagerRequest request;
  request.op = ManagerOp::count_objects;
  detail::manager_request(s.address.to_string(), s.authkey, request);  // proves address and key
  std::lock_guard lock(s.mutex);
  s.connected = true;
}

void BaseManager::shutdown() { state().stop(); }

ManagerServer BaseManager::get_server() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (s.started) throw ProcessError("this manager already started a server process");
  auto server = std::make_shared<detail::ServerState>(s.address, s.authkey,
                                                      detail::served_types(s.types, s.shared));
  s.address = server->address;
  return ManagerServer(std::move(server));
}

const Address& BaseManager::address() const { return state().address; }
const std::string& BaseManager::authkey() const { return state().authkey; }

std::optional<int> BaseManager::pid() const {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  return s.process ? s.process->pid() : std::nullopt;
}

std::size_t BaseManager::number_of_objects() const {
  ManagerRequest request;
  request.op = ManagerOp::count_objects;
  return detail::decode<std::uint64_t>(
      detail::manager_request(state().address.to_string(), state().authkey, request));
}

std::shared_ptr<detail::ProxyState> BaseManager::create_object(const std::string& type_id,
                                                               std::vector<std::string> args) const {
  auto& s = state();
  {
    std::lock_guard lock(s.mutex);
    if (!s.started && !s.connected)
      throw ValueError("this manager is neither started nor connected: call start() or connect() first");
    if (s.shut_down) throw ValueError("this manager has been shut down");
  }
  ManagerRequest request;
  request.op = ManagerOp::create;
  request.name = type_id;
  request.args = std::move(args);
  std::string address = s.address.to_string();
  auto [id, kind] = detail::decode<std::pair<std::uint64_t, std::string>>(
      detail::manager_request(address, s.authkey, request));
  return detail::ProxyState::adopt({address, s.authkey, kind, id}, state_);
}

const Address& ManagerServer::address() const { return state_->address; }

void ManagerServer::serve_forever() { state_->serve_forever(); }

ConditionProxy SyncManager::Condition(std::optional<AcquirerProxy> lock) const {
  std::vector<std::string> args;
  if (lock) {
    if (lock->token().address != address().to_string())
      throw ValueError("a manager Condition's lock must come from the same manager");
    args.push_back(detail::encode(lock->token().id));
  }
  return ConditionProxy(create_object("Condition", std::move(args)));
}

SyncManager Manager(std::string start_method) {
  SyncManager manager(std::nullopt, std::nullopt, std::move(start_method));
  manager.start();
  return manager;
}

}  // namespace mproc
