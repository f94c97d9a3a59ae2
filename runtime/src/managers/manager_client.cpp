#include "managers/manager_client.hpp"

#include <atomic>
#include <chrono>

#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "mproc/detail/manager_proxy_base.hpp"
#include "mproc/listener.hpp"
#include "mproc/platform/channel.hpp"
#include "mproc/remote_exceptions.hpp"
#include "core/cached_pid.hpp"
#include "core/process_hooks.hpp"
#include "core/process_wide.hpp"
#include "managers/manager_channel.hpp"

namespace mproc::detail {
namespace {

void forget_socket(const Connection& connection) noexcept;

// Closes a cached connection and takes it off the process-wide list of open sockets.
struct CloseChannel {
  void operator()(ManagerChannel* channel) const noexcept {
    forget_socket(channel->connection());
    delete channel;
  }
};
using ChannelPtr = std::unique_ptr<ManagerChannel, CloseChannel>;

// This thread's connections, by manager address. A forked child inherits the forking thread's
// map with the parent's connections in it; it must not talk over those, so they are dropped
// (closing a descriptor copy leaves the parent's connection open).
struct ThreadConnections {
  int pid = 0;
  std::unordered_map<std::string, ChannelPtr> by_address;
};
thread_local bool connections_gone = false;  // trivially destructible: readable at thread exit

struct ConnectionsHolder {
  ThreadConnections connections;
  ~ConnectionsHolder() { connections_gone = true; }
};

ConnectionsHolder& this_thread_holder() {
  thread_local ConnectionsHolder holder;
  return holder;
}

ThreadConnections& thread_connections() {
  ConnectionsHolder& holder = this_thread_holder();
  int pid = cached_pid();
  if (holder.connections.pid != pid) {
    holder.connections.by_address.clear();
    holder.connections.pid = pid;
  }
  return holder.connections;
}

[[noreturn]] void raise_failure(ManagerReply& reply) {
  switch (reply.kind) {
    case ManagerErrorKind::value: throw ValueError(reply.message);
    case ManagerErrorKind::key: throw KeyError(reply.message);
    case ManagerErrorKind::index: throw IndexError(reply.message);
    case ManagerErrorKind::attribute: throw AttributeError(reply.message);
    case ManagerErrorKind::empty: throw Empty(reply.message);
    case ManagerErrorKind::full: throw Full(reply.message);
    case ManagerErrorKind::timeout: throw TimeoutError(reply.message);
    case ManagerErrorKind::broken_barrier: throw BrokenBarrierError(reply.message);
    case ManagerErrorKind::serialization: throw SerializationError(reply.message);
    default:
      // A server that encoded the exception lets it be re-thrown as its own type.
      if (!reply.payload.empty()) std::rethrow_exception(decode_exception(reply.payload));
      throw RemoteError(reply.type, reply.message);
  }
}

// The proxies holding a reference in this process, so a child can give them back as it exits:
// a child ends without running the destructors of what its target still held. A forked child
// uses it right away, so nothing here may be left locked by another thread of the parent: no
// function-local static (its initialisation guard), and the mutex is held across fork() (see
// proxy_registry_before_fork).
struct Referenced {
  std::mutex mutex;
  std::unordered_set<ProxyState*> states;
  std::atomic<bool> any{false};  // !states.empty(), readable without the mutex
  // The descriptors of every thread's manager connections. A forked child closes its copies at
  // once: other threads' connections have no owner there, and a copy left open would hide the
  // parent's death from the server (which releases a dead client's locks when it sees EOF).
  std::unordered_set<native_handle> sockets;

  void insert(ProxyState* state) {
    std::lock_guard lock(mutex);
    states.insert(state);
    any.store(true, std::memory_order_release);
  }
  void erase(ProxyState* state) {
    std::lock_guard lock(mutex);
    states.erase(state);
    any.store(!states.empty(), std::memory_order_release);
  }
  std::unordered_set<ProxyState*> take_all() {
    std::unordered_set<ProxyState*> all;
    std::lock_guard lock(mutex);
    all.swap(states);
    any.store(false, std::memory_order_release);
    return all;
  }
};
ProcessWide<Referenced> registry;

Referenced& referenced() { return registry.get(); }

// A client's connection is one socket: one descriptor.
void remember_socket(const Connection& connection) {
  native_handle socket = connection.fileno();
  std::lock_guard lock(referenced().mutex);
  referenced().sockets.insert(socket);
}

void forget_socket(const Connection& connection) noexcept {
  if (connection.closed()) return;
  native_handle socket = connection.fileno();
  std::lock_guard lock(referenced().mutex);
  referenced().sockets.erase(socket);
}

// Offers the server a shared-memory block for this connection (see manager_channel.hpp). A
// server on another machine cannot attach it: then the connection simply stays on the socket.
void offer_block(ManagerChannel& channel) {
  ManagerRequest offer;
  offer.op = ManagerOp::attach;
  try {
    offer.name = channel.create_block();
  } catch (const std::exception&) {
    return;  // no shared memory here: the socket alone works
  }
  ManagerReply answer;
  try {
    channel.send(wire::save(offer));
    wire::load(channel.receive(std::chrono::microseconds(100)), answer);
  } catch (...) {
    channel.block_accepted(false);
    throw;
  }
  channel.block_accepted(answer.ok);
}

}  // namespace

std::string manager_request(const std::string& address, const std::string& authkey,
                            const ManagerRequest& request,
                            std::optional<std::chrono::milliseconds> reply_timeout) {
  if (connections_gone)
    throw EOFError("cannot call the manager at " + address + " while this thread is exiting");
  auto& cache = thread_connections().by_address;
  std::string key = address + '\n' + authkey;  // another key must authenticate afresh
  auto found = cache.find(key);
  if (found == cache.end()) {
    try {
      ChannelPtr channel(new ManagerChannel(
          Client(Address(address), authkey.empty() ? std::nullopt : std::optional<std::string>(authkey)),
          ManagerChannel::Side::client));
      remember_socket(channel->connection());
      offer_block(*channel);
      found = cache.emplace(key, std::move(channel)).first;
    } catch (const AuthenticationError&) {
      throw;
    } catch (const std::exception& e) {
      throw EOFError("cannot reach the manager at " + address + " (" + e.what() +
                     "); it has shut down or died, or was never started");
    }
  }
  ManagerReply reply;
  try {
    found->second->send(wire::save(request));
    // Most calls are answered within a few microseconds: poll for a while before sleeping.
    wire::load(found->second->receive(std::chrono::microseconds(100), reply_timeout), reply);
  } catch (const std::exception& e) {
    cache.erase(found);
    throw EOFError("lost the connection to the manager at " + address + " (" + e.what() +
                   "); it has shut down or died");
  }
  if (!reply.ok) raise_failure(reply);
  return std::move(reply.payload);
}

std::shared_ptr<ProxyState> ProxyState::adopt(ManagerToken token, std::shared_ptr<void> owner) {
  std::shared_ptr<ProxyState> state(new ProxyState(std::move(token)));
  state->owner_ = std::move(owner);
  state->referenced_in_ = cached_pid();
  referenced().insert(state.get());
  return state;
}

std::shared_ptr<ProxyState> ProxyState::adopt_returned(std::string_view reply) const {
  auto [id, kind] = decode<std::pair<std::uint64_t, std::string>>(reply);
  return adopt({token_.address, token_.authkey, std::move(kind), id}, owner_);
}

std::shared_ptr<ProxyState> ProxyState::acquire(ManagerToken token) {
  std::shared_ptr<ProxyState> state(new ProxyState(std::move(token)));
  state->take_reference_here();
  return state;
}

void ProxyState::take_reference_here() {
  ManagerRequest request;
  request.op = ManagerOp::incref;
  request.id = token_.id;
  manager_request(token_.address, token_.authkey, request);
  referenced_in_ = cached_pid();
  referenced().insert(this);
}

void ProxyState::give_back() noexcept {
  if (referenced_in_ == 0 || referenced_in_ != cached_pid()) return;  // a forked copy holds none
  referenced_in_ = 0;
  try {
    ManagerRequest request;
    request.op = ManagerOp::decref;
    request.id = token_.id;
    manager_request(token_.address, token_.authkey, request, bounded_reply_timeout);
  } catch (...) {
    // The manager is gone (shut down, or this process is exiting after it): nothing to give back.
  }
}

namespace {

// Gives back the references of the proxies this process still holds (a child, as it exits).
void release_proxy_references() noexcept {
  for (ProxyState* state : referenced().take_all()) state->give_back();
}

bool holds_proxy_references() noexcept {
  Referenced* r = registry.peek();
  return r != nullptr && r->any.load(std::memory_order_acquire);
}

// The registry is locked across fork(), so that a forked child finds it whole and unlocked.
void proxy_registry_before_fork() noexcept { referenced().mutex.lock(); }

void proxy_registry_after_fork_in_parent() noexcept { referenced().mutex.unlock(); }

// The child also closes its copies of the parent's manager connections, so that a server sees
// the parent's death when it happens.
void proxy_registry_after_fork_in_child() noexcept {
  referenced().mutex.unlock();
  // This thread's own channels close their copies (and leave the list) as its map is emptied;
  // every other thread's are closed here, since those threads do not exist in this process.
  ThreadConnections& mine = this_thread_holder().connections;
  mine.by_address.clear();
  mine.pid = 0;
  std::unordered_set<native_handle> inherited;
  {
    std::lock_guard lock(referenced().mutex);
    inherited.swap(referenced().sockets);
  }
  for (native_handle h : inherited) platform::close_handle(h);
}

// Registered as this file is loaded: a program that never uses a manager does not link it.
const bool hooks_registered = [] {
  register_fork_hooks({&proxy_registry_before_fork, &proxy_registry_after_fork_in_parent,
                       &proxy_registry_after_fork_in_child});
  register_reference_keeper({&holds_proxy_references, &release_proxy_references});
  return true;
}();

}  // namespace

ProxyState::~ProxyState() {
  referenced().erase(this);
  give_back();
}

std::string ProxyState::call(std::string_view method, std::vector<std::string> args) {
  // A proxy inherited through fork takes its own reference on first use, so it keeps working
  // after the parent drops its copy.
  if (referenced_in_ != cached_pid()) take_reference_here();
  ManagerRequest request;
  request.op = ManagerOp::call;
  request.id = token_.id;
  request.name = std::string(method);
  request.args = std::move(args);
  return manager_request(token_.address, token_.authkey, request);
}

const std::string& ProxyBase::kind() const { return token().kind; }

const ManagerToken& ProxyBase::token() const {
  if (!state_) throw ValueError("this proxy is not bound to a manager's object (default-constructed or moved from)");
  return state_->token();
}

std::string ProxyBase::call(std::string_view method, std::vector<std::string> args) const {
  if (!state_) throw ValueError("this proxy is not bound to a manager's object (default-constructed or moved from)");
  return state_->call(method, std::move(args));
}

}  // namespace mproc::detail
