#include "managers/manager_server.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "mproc/remote_exceptions.hpp"
#include "mproc/serialization.hpp"
#include "managers/manager_channel.hpp"

namespace mproc::detail {
namespace {

// An object of a registered user type. Its methods run one at a time per object, so a call is
// atomic like a Python method call under the GIL.
class UserObject final : public ManagedObject {
 public:
  UserObject(std::shared_ptr<void> object, std::shared_ptr<const ManagedType> type,
             std::shared_ptr<const std::map<std::string, ServedType>> types)
      : object_(std::move(object)), type_(std::move(type)), types_(std::move(types)) {}

  std::string call(CallContext& context, std::string_view method,
                   std::vector<std::string>& args) override {
    // A call by name gives the exposed name; a typed call the member's spelling.
    for (const auto& exposed : type_->methods) {
      if (exposed.name != method && (exposed.member.empty() || exposed.member != method)) continue;
      const std::string& given = argument(args, 0, type_->type_id, method);
      if (given != exposed.args_type)
        throw ValueError(type_->type_id + "." + exposed.name + " takes arguments " +
                         exposed.args_type + ", the call passed " + given +
                         "; pass exactly these types");
      bool wants_proxy = args.size() > 2 && args[2] == proxy_result_marker;
      check_result_kind(exposed, wants_proxy);
      const std::string& encoded = argument(args, 1, type_->type_id, method);
      if (!wants_proxy) {
        std::lock_guard lock(mutex_);
        return exposed.call(object_.get(), encoded);
      }
      std::shared_ptr<void> made;
      {
        std::lock_guard lock(mutex_);
        made = exposed.call_for_object(object_, encoded);
      }
      const ServedType& served = types_->at(exposed.returns_typeid);  // checked at start
      return context.hold(std::make_shared<UserObject>(std::move(made), served.user_type, types_),
                          served.kind);
    }
    throw AttributeError("'" + type_->type_id + "' does not expose a method '" + std::string(method) +
                         "' (expose it with mproc::exposed<&" + type_->object_type + "::" +
                         method_name_of(std::string(method)) + ">() in register_type)");
  }

 private:
  void check_result_kind(const ManagedMethod& exposed, bool wants_proxy) const {
    if (wants_proxy && exposed.returns_typeid.empty())
      throw ValueError(type_->type_id + "." + exposed.name +
                       " returns a value, not a proxy; call it with call<&" + exposed.member +
                       "> or callmethod<R>, or register it with mproc::method_to_typeid");
    if (!wants_proxy && !exposed.returns_typeid.empty())
      throw ValueError(type_->type_id + "." + exposed.name + " returns a proxy to a '" +
                       exposed.returns_typeid + "' (method_to_typeid); call it with call_proxy<&" +
                       exposed.member + "> or callmethod<mproc::Proxy<...>>");
  }

  std::mutex mutex_;
  std::shared_ptr<void> object_;
  std::shared_ptr<const ManagedType> type_;
  std::shared_ptr<const std::map<std::string, ServedType>> types_;
};

// The types are known only once the table is built, and user objects need the table (their
// method_to_typeid results are objects of other types), so makers reach it through `table`.
using TypeTable = std::shared_ptr<std::shared_ptr<const std::map<std::string, ServedType>>>;

ManagedMaker user_type_maker(std::shared_ptr<const ManagedType> type, TypeTable table) {
  return [type, table](CallContext&, std::vector<std::string>& args) -> std::shared_ptr<ManagedObject> {
    static const std::string no_arguments = type_name(typeid(std::tuple<>));
    std::string given = args.empty() ? no_arguments : args[0];
    if (given != type->args_type)
      throw ValueError(type->type_id + "(...) takes arguments " + type->args_type +
                       ", the call passed " + given + "; pass exactly these types");
    std::string encoded = args.size() > 1 ? args[1] : wire::save(std::tuple<>());
    return std::make_shared<UserObject>(type->make(encoded), type, *table);
  };
}

// Every method_to_typeid names a registered type whose objects are what the method returns.
void check_method_to_typeid(const std::map<std::string, ServedType>& types) {
  for (const auto& [type_id, served] : types) {
    if (!served.user_type || served.shared) continue;
    for (const auto& method : served.user_type->methods) {
      if (method.returns_typeid.empty()) continue;
      auto target = types.find(method.returns_typeid);
      if (target == types.end() || !target->second.user_type)
        throw ValueError("method_to_typeid of " + type_id + "." + method.name + " names '" +
                         method.returns_typeid +
                         "', which is not a registered type; register it with register_type");
      if (target->second.user_type->object_type != method.returned_type)
        throw ValueError(type_id + "." + method.name + " returns " + method.returned_type +
                         ", but '" + method.returns_typeid + "' serves " +
                         target->second.user_type->object_type + "; name the type id of " +
                         method.returned_type + " in method_to_typeid");
    }
  }
}

ManagerReply failure(ManagerErrorKind kind, const char* type, const std::exception& e) {
  ManagerReply reply;
  reply.ok = false;
  reply.kind = kind;
  reply.type = type;
  reply.message = e.what();
  return reply;
}

}  // namespace

std::map<std::string, ServedType> served_types(
    const std::vector<ManagedType>& user_types,
    const std::vector<std::pair<std::string, std::string>>& shared) {
  std::map<std::string, ServedType> types;
  auto table = std::make_shared<std::shared_ptr<const std::map<std::string, ServedType>>>();
  for (const auto& [kind, make] : builtin_kinds()) types[kind] = {kind, make, false, nullptr};
  for (const auto& type : user_types) {
    auto shared_type = std::make_shared<const ManagedType>(type);
    types[type.type_id] = {type.type_id, user_type_maker(shared_type, table), false, shared_type};
  }
  for (const auto& [type_id, kind] : shared) {
    auto builtin = types.find(kind);
    if (builtin == types.end())
      throw ValueError("register_shared('" + type_id + "', '" + kind + "'): '" + kind +
                       "' is not a builtin kind or a registered type id");
    types[type_id] = {builtin->second.kind, builtin->second.make, true, builtin->second.user_type};
  }
  check_method_to_typeid(types);
  *table = std::make_shared<const std::map<std::string, ServedType>>(types);
  return types;
}

ManagerReply error_reply(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const KeyError& e) {
    return failure(ManagerErrorKind::key, "KeyError", e);
  } catch (const IndexError& e) {
    return failure(ManagerErrorKind::index, "IndexError", e);
  } catch (const AttributeError& e) {
    return failure(ManagerErrorKind::attribute, "AttributeError", e);
  } catch (const Empty& e) {
    return failure(ManagerErrorKind::empty, "Empty", e);
  } catch (const Full& e) {
    return failure(ManagerErrorKind::full, "Full", e);
  } catch (const TimeoutError& e) {
    return failure(ManagerErrorKind::timeout, "TimeoutError", e);
  } catch (const BrokenBarrierError& e) {
    return failure(ManagerErrorKind::broken_barrier, "BrokenBarrierError", e);
  } catch (const SerializationError& e) {
    return failure(ManagerErrorKind::serialization, "SerializationError", e);
  } catch (const RemoteError& e) {
    // A pool task's error, thrown again by its AsyncResult on the server: keep its own type.
    ManagerReply reply;
    reply.ok = false;
    reply.type = e.type();
    reply.message = e.message();
    return reply;
  } catch (const ValueError& e) {
    return failure(ManagerErrorKind::value, "ValueError", e);
  } catch (const std::exception& e) {
    ManagerReply reply = failure(ManagerErrorKind::remote, "", e);
    reply.type = type_name(typeid(e));
    reply.payload = encode_exception(e);  // re-thrown by its type in the caller
    return reply;
  } catch (...) {
    ManagerReply reply;
    reply.ok = false;
    reply.type = "unknown exception";
    reply.message = "a method of a managed object threw something that is not a std::exception";
    return reply;
  }
}

std::shared_ptr<ManagedObject> ManagerCore::find(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto found = objects_.find(id);
  return found == objects_.end() ? nullptr : found->second.object;
}

std::string ManagerCore::hold(std::shared_ptr<ManagedObject> object, const std::string& kind) {
  std::lock_guard lock(mutex_);
  std::uint64_t id = next_id_++;
  objects_[id] = {std::move(object), 1};
  return wire::save(std::make_pair(id, kind));
}

void ManagerCore::server_stopping() noexcept {
  std::lock_guard lock(mutex_);
  for (auto& [id, entry] : objects_) entry.object->server_stopping();
}

std::string ManagerCore::create(ManagerRequest& request, CallContext& context) {
  auto type = types_.find(request.name);
  if (type == types_.end())
    throw AttributeError("the manager serves no type '" + request.name +
                         "' (register it with register_type or register_shared before start)");
  const ServedType& served = type->second;
  if (served.shared) {
    std::lock_guard lock(mutex_);
    auto known = shared_ids_.find(request.name);
    if (known != shared_ids_.end()) {
      ++objects_[known->second].references;
      return wire::save(std::make_pair(known->second, served.kind));
    }
  }
  std::shared_ptr<ManagedObject> object = served.make(context, request.args);
  std::lock_guard lock(mutex_);
  std::uint64_t id = next_id_++;
  // A shared object keeps one reference of its own, so it outlives every proxy to it.
  objects_[id] = {std::move(object), served.shared ? 2 : 1};
  if (served.shared) shared_ids_[request.name] = id;
  return wire::save(std::make_pair(id, served.kind));
}

ManagerReply ManagerCore::handle(ManagerRequest& request, CallContext& context,
                                 std::shared_ptr<ManagedObject>& target) {
  ManagerReply reply;
  try {
    switch (request.op) {
      case ManagerOp::call:
        target = find(request.id);
        if (!target)
          throw ValueError("the manager holds no object " + std::to_string(request.id) +
                           " (it was released: every proxy to it was destroyed)");
        reply.payload = target->call(context, request.name, request.args);
        break;
      case ManagerOp::create:
        reply.payload = create(request, context);
        break;
      case ManagerOp::incref: {
        std::lock_guard lock(mutex_);
        auto found = objects_.find(request.id);
        if (found == objects_.end())
          throw ValueError("the manager holds no object " + std::to_string(request.id) +
                           " any more: every proxy to it was destroyed before this one arrived");
        ++found->second.references;
        break;
      }
      case ManagerOp::decref: {
        std::shared_ptr<ManagedObject> released;  // destroyed outside the lock
        std::lock_guard lock(mutex_);
        auto found = objects_.find(request.id);
        if (found != objects_.end() && --found->second.references <= 0) {
          released = std::move(found->second.object);
          objects_.erase(found);
        }
        break;
      }
      case ManagerOp::count_objects: {
        std::lock_guard lock(mutex_);
        reply.payload = wire::save(static_cast<std::uint64_t>(objects_.size() - shared_ids_.size()));
        break;
      }
      default:
        throw ValueError("unknown manager request " + std::to_string(static_cast<int>(request.op)));
    }
  } catch (const CallerGone&) {
    throw;
  } catch (...) {
    return error_reply(std::current_exception());
  }
  return reply;
}

void ManagerCore::client_gone(std::uint64_t client) {
  std::vector<std::shared_ptr<ManagedObject>> all;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, entry] : objects_) all.push_back(entry.object);
  }
  for (auto& object : all) object->client_gone(client);
}

ServerState::ServerState(const Address& where, const std::string& authkey,
                         std::map<std::string, ServedType> types)
    : listener(where, 128, authkey.empty() ? std::nullopt : std::optional<std::string>(authkey)),
      address(listener.address()),
      core(std::make_shared<ManagerCore>(std::move(types))) {}

namespace {

void serve_client(std::shared_ptr<ManagerCore> core, Connection connection, std::uint64_t client,
                  std::function<void()> on_shutdown) {
  ManagerChannel channel(std::move(connection), ManagerChannel::Side::server);
  CallContext context;
  context.channel = &channel;
  context.client = client;
  context.find = [core](std::uint64_t id) { return core->find(id); };
  context.hold = [core](std::shared_ptr<ManagedObject> object, const std::string& kind) {
    return core->hold(std::move(object), kind);
  };
  // A client that calls again within microseconds of its last reply (a loop of calls) finds
  // its server thread polling, not asleep; one that pauses longer lets it sleep.
  using clock = std::chrono::steady_clock;
  constexpr auto busy_gap = std::chrono::microseconds(200);
  clock::duration last_gap = clock::duration::zero();
  for (;;) {
    std::string message;
    try {
      auto replied = clock::now();
      message = channel.receive(last_gap < busy_gap ? busy_gap : clock::duration::zero());
      last_gap = clock::now() - replied;
    } catch (const std::exception&) {
      break;  // the client closed (or sent garbage that is not even a frame)
    }
    ManagerRequest request;
    ManagerReply reply;
    std::shared_ptr<ManagedObject> target;
    bool attached = false;
    try {
      wire::load(message, request);
      if (request.op == ManagerOp::shutdown) {
        channel.send(wire::save(reply));
        on_shutdown();
        continue;
      }
      if (request.op == ManagerOp::attach) {
        channel.attach_block(request.name);
        attached = true;
      } else {
        reply = core->handle(request, context, target);
      }
    } catch (const CallerGone&) {
      break;
    } catch (...) {
      reply = error_reply(std::current_exception());
    }
    bool hands_over = target && reply.ok && target->hands_over(request.name);
    // A reply written into shared memory "succeeds" even when the caller is dead, so a caller
    // that may have died while its call waited is checked before it is handed anything.
    if (hands_over && channel.peer_gone()) {
      target->reply_lost(request.name, reply.payload);
      break;
    }
    try {
      channel.send(wire::save(reply));
      if (attached) channel.use_block();
    } catch (const std::exception&) {
      if (hands_over) target->reply_lost(request.name, reply.payload);
      break;
    }
  }
  core->client_gone(client);
}

}  // namespace

void ServerState::accept_clients() {
  for (;;) {
    Connection connection;
    try {
      connection = listener.accept();
    } catch (const AuthenticationError&) {
      continue;  // a client without the key: refused, nothing of it was decoded
    } catch (const std::exception&) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // e.g. out of descriptors
      continue;
    }
    std::thread(serve_client, core, std::move(connection), next_client_++,
                [this] { request_stop(); })
        .detach();
  }
}

void ServerState::request_stop() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  stop_requested_.notify_all();
}

void ServerState::serve_forever() {
  std::thread([this] { accept_clients(); }).detach();
  std::unique_lock lock(mutex_);
  stop_requested_.wait(lock, [this] { return stopping_; });
  lock.unlock();
  // The accept thread may be inside accept(): closing the listener under it could hand its
  // descriptor number to something else. The process ends now and the OS closes it; only the
  // socket file of an AF_UNIX address needs removing. Server threads may be blocked inside
  // objects' methods too; ending the process, as Python's server does, stops them without
  // tearing objects down under their feet.
  if (address.family() == AddressFamily::unix_socket) {
    std::error_code ignored;
    std::filesystem::remove(address.path(), ignored);
  }
  core->server_stopping();
  std::fflush(nullptr);
  std::_Exit(0);
}

}  // namespace mproc::detail
