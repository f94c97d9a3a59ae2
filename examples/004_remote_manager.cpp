// Python docs, "Using a remote manager": one process serves a queue over TCP with an authkey,
// another connects and puts 'hello', a third connects and gets it.
//
//   example_004_remote_manager --serve 50000   # terminal 1: serves until killed
//   example_004_remote_manager --put 50000     # terminal 2: puts 'hello'
//   example_004_remote_manager --get 50000     # terminal 3: prints 'hello'
//
// With no role it runs the whole demo itself: the server is a child process on a port the OS
// picks (it reports its address through a Queue), a second child puts 'hello', the main
// process gets and prints it, shows that a wrong authkey is refused, and terminates the server.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "example_args.hpp"

static const std::string authkey = "abracadabra";

/// The port after `--role PORT` (or `--role=PORT`), if that role was asked for.
static std::optional<int> role_port(int argc, char** argv, const std::string& role) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == role && i + 1 < argc) return std::atoi(argv[i + 1]);
    if (arg.rfind(role + "=", 0) == 0) return std::atoi(arg.c_str() + role.size() + 1);
  }
  return std::nullopt;
}

// Python: QueueManager.register('get_queue', callable=lambda: queue), then
// m.get_server().serve_forever(). The address actually served (its port, when 0 was asked for) goes
// to `where`, else to stderr.
static void serve(int port, std::optional<mproc::Queue<std::string>> where) {
  mproc::BaseManager m(mproc::Address("127.0.0.1", port), authkey);
  m.register_shared("get_queue", "Queue");
  auto server = m.get_server();
  if (where)
    where->put(server.address().to_string());
  else
    std::fprintf(stderr, "serving 'get_queue' at %s\n", server.address().to_string().c_str());
  server.serve_forever();
}

static void serve_in_child(mproc::Queue<std::string> where) { serve(0, where); }

// Python: m = QueueManager(address=(host, port), authkey=b'abracadabra'); m.connect()
static mproc::QueueProxy<std::string> remote_queue(const mproc::Address& address) {
  mproc::BaseManager m(address, authkey);
  m.connect();
  return m.create<mproc::QueueProxy<std::string>>("get_queue");
}

static void put_hello(std::string address) { remote_queue(address).put("hello"); }

static void get_and_print(const mproc::Address& address) {
  std::printf("%s\n", mproc::repr(remote_queue(address).get()).c_str());
  std::fflush(stdout);
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  try {  // The roles of Python's docs, one per terminal.
    if (auto port = role_port(argc, argv, "--serve")) serve(*port, std::nullopt);
    if (auto port = role_port(argc, argv, "--put")) {
      put_hello(mproc::Address("127.0.0.1", *port).to_string());
      return 0;
    }
    if (auto port = role_port(argc, argv, "--get")) {
      get_and_print(mproc::Address("127.0.0.1", *port));
      return 0;
    }
  } catch (const mproc::Error& e) {  // no server there, a port in use, ...
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }

  // The whole demo in one program.
  mproc::Queue<std::string> where;
  mproc::Process server(serve_in_child, where);
  server.start();
  std::string address = where.get();

  mproc::Process client(put_hello, address);
  client.start();
  client.join();

  get_and_print(address);

  try {
    mproc::BaseManager intruder(mproc::Address(address), std::string("wrong key"));
    intruder.connect();
    std::printf("connected with a wrong authkey\n");
  } catch (const mproc::AuthenticationError& e) {
    std::printf("AuthenticationError: %s\n", e.what());
  }

  // serve_forever() never returns: the server is ended from outside, as in Python's docs.
  server.terminate();
  server.join();
}
