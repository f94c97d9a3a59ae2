#include "router.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstring>
#include <iterator>
#include <list>
#include <vector>

namespace mproc::mpi::detail {
namespace {

constexpr int tag = 0x6d70;  // "mp": every mproc message; a program's own use of MPI_COMM_WORLD
                             // with other tags is not disturbed
constexpr std::size_t header_size = 5;  // session (4 bytes, little end first) + kind
constexpr std::size_t max_part = std::size_t{1} << 30;  // well below MPI's int count
constexpr auto spin_time = std::chrono::microseconds(200);
constexpr auto max_backoff = std::chrono::microseconds(1000);

std::string frame(std::uint32_t session, Kind kind, const char* data, std::size_t size) {
  std::string out(header_size + size, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((session >> (8 * i)) & 0xff);
  out[4] = static_cast<char>(kind);
  if (size != 0) std::memcpy(out.data() + header_size, data, size);
  return out;
}

struct InFlight {
  std::string buffer;
  MPI_Request request = MPI_REQUEST_NULL;
};

}  // namespace

Router::Router(Receiver receive) : receive_(std::move(receive)) {
  thread_ = std::thread([this] { run(); });
}

Router::~Router() { stop(); }

void Router::send(int peer, std::uint32_t session, Kind kind, std::string body) {
  {
    std::lock_guard lock(mutex_);
    outgoing_.push_back({peer, session, kind, std::move(body)});
  }
  wake_.notify_one();
}

void Router::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Router::run() {
  std::list<InFlight> in_flight;  // std::list: a buffer must not move while MPI sends it
  std::deque<Message> batch;
  std::vector<std::string> parts;  // per peer: the data_part pieces of a message so far
  int world = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &world);
  parts.resize(static_cast<std::size_t>(world));
  auto idle_since = std::chrono::steady_clock::now();
  auto backoff = std::chrono::microseconds(20);
  for (;;) {
    bool busy = false;
    bool stopping;
    {
      std::lock_guard lock(mutex_);
      batch.swap(outgoing_);
      stopping = stopping_;
    }
    for (Message& m : batch) {
      // A body over MPI's count limit goes as parts; the receiver joins them.
      std::size_t offset = 0;
      do {
        std::size_t size = std::min(max_part, m.body.size() - offset);
        bool last = offset + size == m.body.size();
        Kind kind = m.kind == Kind::data && !last ? Kind::data_part : m.kind;
        in_flight.push_back({frame(m.session, kind, m.body.data() + offset, size)});
        InFlight& f = in_flight.back();
        MPI_Isend(f.buffer.data(), static_cast<int>(f.buffer.size()), MPI_BYTE, m.peer, tag,
                  MPI_COMM_WORLD, &f.request);
        offset += size;
      } while (offset < m.body.size());
      busy = true;
    }
    batch.clear();
    for (auto it = in_flight.begin(); it != in_flight.end();) {
      int done = 0;
      MPI_Test(&it->request, &done, MPI_STATUS_IGNORE);
      it = done ? in_flight.erase(it) : std::next(it);
    }
    for (;;) {
      int arrived = 0;
      MPI_Status status;
      MPI_Iprobe(MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &arrived, &status);
      if (!arrived) break;
      int count = 0;
      MPI_Get_count(&status, MPI_BYTE, &count);
      std::string buffer(static_cast<std::size_t>(count), '\0');
      MPI_Recv(buffer.data(), count, MPI_BYTE, status.MPI_SOURCE, tag, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
      busy = true;
      if (buffer.size() < header_size) continue;  // not ours: nothing to do with it
      Message m;
      m.peer = status.MPI_SOURCE;
      for (int i = 0; i < 4; ++i)
        m.session |= static_cast<std::uint32_t>(static_cast<unsigned char>(buffer[i])) << (8 * i);
      m.kind = static_cast<Kind>(buffer[4]);
      std::string& pending = parts[static_cast<std::size_t>(m.peer)];
      if (m.kind == Kind::data_part) {
        pending.append(buffer, header_size);
        continue;
      }
      if (!pending.empty()) {
        pending.append(buffer, header_size);
        m.body = std::move(pending);
        pending.clear();
      } else {
        m.body = buffer.substr(header_size);
      }
      receive_(std::move(m));
    }
    if (stopping && in_flight.empty()) {
      std::lock_guard lock(mutex_);
      if (outgoing_.empty()) return;
      continue;
    }
    auto now = std::chrono::steady_clock::now();
    if (busy) {
      idle_since = now;
      backoff = std::chrono::microseconds(20);
      continue;
    }
    if (now - idle_since < spin_time) {
      std::this_thread::yield();
      continue;
    }
    // Idle: sleep, but wake at once for something to send.
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, backoff, [this] { return !outgoing_.empty() || stopping_; });
    backoff = std::min(max_backoff, backoff * 2);
  }
}

}  // namespace mproc::mpi::detail
