#include "mproc/platform/forkserver.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

#include "mproc/platform/channel.hpp"
#include "mproc/platform/crypto.hpp"
#include "mproc/platform/error.hpp"
#include "mproc/platform/process_control.hpp"

namespace mproc::platform {
namespace {

constexpr std::size_t challenge_size = 32;
constexpr char op_fork = 'F';
constexpr char op_signal = 'S';
constexpr const char* client_label = "mproc-forkserver-client:";
constexpr const char* server_label = "mproc-forkserver-server:";

std::error_code proof(const std::string& key, const char* label, const std::string& challenge,
                      std::string& out) {
  return hmac_sha256(key, std::string(label) + challenge, out);
}

std::error_code read_string(int fd, std::size_t n, std::string& out) {
  out.assign(n, '\0');
  bool eof = false;
  auto ec = read_exact(fd, out.data(), n, eof);
  if (!ec && eof) ec = std::make_error_code(std::errc::connection_aborted);
  return ec;
}

std::error_code write_int(int fd, std::int32_t v) { return write_all(fd, &v, sizeof v); }

std::error_code read_int(int fd, std::int32_t& v) {
  bool eof = false;
  auto ec = read_exact(fd, &v, sizeof v, eof);
  if (!ec && eof) ec = std::make_error_code(std::errc::connection_aborted);
  return ec;
}

// Sends one byte with a descriptor attached (SCM_RIGHTS).
std::error_code send_with_fd(int sock, char byte, int fd) {
  msghdr msg{};
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  while (::sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return last_error();
  }
  return {};
}

// Receives one byte and, if attached, one descriptor (close-on-exec).
std::error_code recv_with_fd(int sock, char& byte, int& fd) {
  msghdr msg{};
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  fd = -1;
  ssize_t n;
  while ((n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0) {
    if (errno != EINTR) return last_error();
  }
  if (n == 0) return std::make_error_code(std::errc::connection_aborted);
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
  }
  return {};
}

// ---- server ----

int sigchld_pipe[2] = {-1, -1};

void on_sigchld(int) {
  int saved = errno;  // A handler must leave errno as it found it.
  char b = 0;
  (void)!::write(sigchld_pipe[1], &b, 1);
  errno = saved;
}

// Server half of the handshake: the client proves the key first, then the server does.
bool authenticate_client(int conn, const std::string& key) {
  timeval limit{5, 0};  // A stuck client must not stall the single-threaded server for long.
  ::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  std::string challenge, answer, expected, client_challenge, reply;
  if (random_bytes(challenge_size, challenge)) return false;
  if (write_all(conn, challenge.data(), challenge.size())) return false;
  if (read_string(conn, challenge_size, answer)) return false;
  if (proof(key, client_label, challenge, expected) || !digests_equal(answer, expected)) return false;
  if (read_string(conn, challenge_size, client_challenge)) return false;
  if (proof(key, server_label, client_challenge, reply)) return false;
  if (write_all(conn, reply.data(), reply.size())) return false;
  timeval none{0, 0};
  ::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
  return true;
}

struct server_state {
  int control;
  int listener;
  std::vector<int> idle;           // authenticated connections without a child yet
  std::map<int, int> conn_of_pid;  // live child pid -> its client's connection
  std::map<int, int> pid_of_conn;
};

[[noreturn]] void become_child(server_state& s, int channel, int (*run_child)(native_handle)) {
  ::signal(SIGCHLD, SIG_DFL);
  ::close(sigchld_pipe[0]);
  ::close(sigchld_pipe[1]);
  ::close(s.control);
  ::close(s.listener);
  for (int c : s.idle) ::close(c);
  for (auto& [conn, pid] : s.pid_of_conn) ::close(conn);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  fast_exit(run_child(channel));
}

void forget_connection(server_state& s, int conn) {
  auto it = s.pid_of_conn.find(conn);
  if (it != s.pid_of_conn.end()) {
    s.conn_of_pid.erase(it->second);
    s.pid_of_conn.erase(it);
  }
  for (auto i = s.idle.begin(); i != s.idle.end(); ++i) {
    if (*i == conn) {
      s.idle.erase(i);
      break;
    }
  }
  ::close(conn);
}

// Serves one message from `conn`. A client that hung up is forgotten; its child (if any) runs
// on, and its exit is still reaped.
void handle_request(server_state& s, int conn, int (*run_child)(native_handle)) {
  char op = 0;
  int fd = -1;
  if (recv_with_fd(conn, op, fd)) {
    forget_connection(s, conn);
    return;
  }
  if (op == op_signal) {
    std::int32_t sig = 0;
    if (read_int(conn, sig)) {
      forget_connection(s, conn);
      return;
    }
    auto it = s.pid_of_conn.find(conn);
    if (it != s.pid_of_conn.end()) ::kill(it->second, sig);  // Not reaped yet: pid is ours.
    return;
  }
  if (op != op_fork || fd < 0 || s.pid_of_conn.count(conn)) {
    if (fd >= 0) ::close(fd);
    forget_connection(s, conn);  // A protocol violation: drop that client.
    return;
  }
  pid_t pid = ::fork();
  if (pid == 0) become_child(s, fd, run_child);
  ::close(fd);
  write_int(conn, static_cast<std::int32_t>(pid < 0 ? -errno : pid));
  if (pid < 0) {
    forget_connection(s, conn);
    return;
  }
  for (auto i = s.idle.begin(); i != s.idle.end(); ++i) {
    if (*i == conn) {
      s.idle.erase(i);
      break;
    }
  }
  s.conn_of_pid[pid] = conn;
  s.pid_of_conn[conn] = pid;
}

void reap_children(server_state& s) {
  char buf[64];
  while (::read(sigchld_pipe[0], buf, sizeof buf) > 0) {
  }
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {  // All our children are workers.
    auto it = s.conn_of_pid.find(pid);
    if (it == s.conn_of_pid.end()) continue;
    int conn = it->second;
    write_int(conn, exitcode_from_wait_status(status));  // Ignore EPIPE: the client left.
    ::close(conn);
    s.conn_of_pid.erase(it);
    s.pid_of_conn.erase(conn);
  }
}

}  // namespace

bool forkserver_supported() noexcept { return true; }

std::error_code forkserver_listen(forkserver_endpoint& endpoint, native_handle& listener) noexcept {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/mproc-fs-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) return last_error();  // mkdtemp makes it 0700.
  endpoint.directory = templ;
  endpoint.socket_path = templ + "/s";
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (endpoint.socket_path.size() >= sizeof addr.sun_path) {
    forkserver_remove(endpoint);
    return std::make_error_code(std::errc::filename_too_long);
  }
  std::strcpy(addr.sun_path, endpoint.socket_path.c_str());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return last_error();
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::chmod(endpoint.socket_path.c_str(), 0600) != 0 || ::listen(fd, 128) != 0) {
    auto ec = last_error();
    ::close(fd);
    forkserver_remove(endpoint);
    return ec;
  }
  if (auto ec = random_bytes(32, endpoint.authkey)) {
    ::close(fd);
    forkserver_remove(endpoint);
    return ec;
  }
  listener = fd;
  return {};
}

void forkserver_remove(const forkserver_endpoint& endpoint) noexcept {
  if (!endpoint.socket_path.empty()) ::unlink(endpoint.socket_path.c_str());
  if (!endpoint.directory.empty()) ::rmdir(endpoint.directory.c_str());
}

void forkserver_serve(native_handle control,
                      native_handle listener,
                      const std::string& authkey,
                      int (*run_child)(native_handle)) {
  server_state s{static_cast<int>(control), static_cast<int>(listener), {}, {}, {}};
  if (::pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return;
  struct sigaction sa {};
  sa.sa_handler = on_sigchld;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGCHLD, &sa, nullptr);
  // Interrupting the terminal's foreground group must not kill the server before its owner.
  ::signal(SIGINT, SIG_IGN);
  for (;;) {
    std::vector<pollfd> fds{{s.control, POLLIN, 0}, {s.listener, POLLIN, 0}, {sigchld_pipe[0], POLLIN, 0}};
    for (int c : s.idle) fds.push_back({c, POLLIN, 0});
    for (auto& [conn, pid] : s.pid_of_conn) fds.push_back({conn, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents) return;  // The owner closed the control channel (or died).
    if (fds[2].revents) reap_children(s);
    for (std::size_t i = 3; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      int conn = fds[i].fd;
      bool known = s.pid_of_conn.count(conn) != 0;
      for (int c : s.idle) known = known || c == conn;
      if (!known) continue;  // Already closed by reap_children above.
      handle_request(s, conn, run_child);
    }
    // Accept last: a descriptor closed above may be reused by the new connection, and the
    // stale poll result above must not be taken for it.
    if (fds[1].revents & POLLIN) {
      int conn = ::accept4(s.listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn >= 0) {
        if (authenticate_client(conn, authkey)) s.idle.push_back(conn);
        else ::close(conn);
      }
    }
  }
}

std::error_code forkserver_request(const forkserver_endpoint& endpoint,
                                   native_handle child_channel,
                                   int& pid,
                                   native_handle& status_connection,
                                   bool& request_sent) noexcept {
  request_sent = false;
  int sock = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return last_error();
  auto fail = [&](std::error_code ec) {
    ::close(sock);
    return ec;
  };
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, endpoint.socket_path.c_str(), sizeof addr.sun_path - 1);
  while (::connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINTR) return fail(last_error());
  }
  std::string challenge, answer, my_challenge, reply, expected;
  if (auto ec = read_string(sock, challenge_size, challenge)) return fail(ec);
  if (auto ec = proof(endpoint.authkey, client_label, challenge, answer)) return fail(ec);
  if (auto ec = random_bytes(challenge_size, my_challenge)) return fail(ec);
  answer += my_challenge;
  if (auto ec = write_all(sock, answer.data(), answer.size())) return fail(ec);
  if (auto ec = read_string(sock, challenge_size, reply)) return fail(ec);
  if (auto ec = proof(endpoint.authkey, server_label, my_challenge, expected)) return fail(ec);
  if (!digests_equal(reply, expected)) return fail(std::make_error_code(std::errc::permission_denied));
  // sendmsg with a descriptor is all or nothing: if it failed, the server got nothing.
  if (auto ec = send_with_fd(sock, op_fork, static_cast<int>(child_channel))) return fail(ec);
  request_sent = true;
  std::int32_t answer_pid = 0;
  if (auto ec = read_int(sock, answer_pid)) return fail(ec);
  if (answer_pid <= 0) return fail(std::error_code(-answer_pid, std::generic_category()));
  pid = answer_pid;
  status_connection = sock;
  return {};
}

std::error_code forkserver_read_exitcode(native_handle status_connection, int& exitcode) noexcept {
  std::int32_t code = 0;
  if (auto ec = read_int(static_cast<int>(status_connection), code)) return ec;
  exitcode = code;
  return {};
}

std::error_code forkserver_signal(native_handle status_connection, int sig) noexcept {
  char msg[1 + sizeof(std::int32_t)];
  msg[0] = op_signal;
  std::int32_t s = sig;
  std::memcpy(msg + 1, &s, sizeof s);
  return write_all(status_connection, msg, sizeof msg);
}

}  // namespace mproc::platform
